import Testing
import WaggleCore
import WaggleRPC

@Suite struct JSONRPCDispatcherTests {
    let dispatcher = JSONRPCDispatcher(
        methods: [
            "echo": { p in try p.only(["value"]); return try p.required("value").value },
            "fail": { _ in throw RPCError(code: 1234, message: "application failure") },
            "crash": { _ in struct Boom: Error {}; throw Boom() },
        ],
        maxBatchRequests: 3)

    func call(_ text: String) async throws -> JSONValue? {
        guard let bytes = await dispatcher.handle(body: Array(text.utf8)) else { return nil }
        return try JSONValue.parse(bytes)
    }

    func errorCode(_ v: JSONValue?) -> Int64? {
        switch v?["error"]?["code"] {
        case .int(let i)?: i
        case .uint(let u)?: Int64(u)
        default: nil
        }
    }

    @Test func answersAValidCallWithItsResultAndID() async throws {
        let r = try await call(#"{"jsonrpc":"2.0","id":7,"method":"echo","params":{"value":"hi"}}"#)
        #expect(r?["result"] == "hi")
        #expect(r?["id"] == 7)
        #expect(r?["jsonrpc"] == "2.0")
    }

    @Test func responsesAreCappedPerRequest() async throws {
        let big = JSONRPCDispatcher(
            methods: ["blob": { p in .string(String(repeating: "x", count: try p.required("n").value.uint64Value.map(Int.init) ?? 0)) }],
            maxBatchRequests: 10, maxResponseBytes: 2_000)
        func call(_ text: String) async throws -> JSONValue {
            try JSONValue.parse(try #require(await big.handle(body: Array(text.utf8))))
        }
        let batch = try await call(
            #"[{"jsonrpc":"2.0","id":1,"method":"blob","params":{"n":800}},{"jsonrpc":"2.0","id":2,"method":"blob","params":{"n":800}},"#
                + #"{"jsonrpc":"2.0","id":3,"method":"blob","params":{"n":800}},{"jsonrpc":"2.0","id":4,"method":"blob","params":{"n":10}}]"#)
        let items = try #require(batch.arrayValue)
        #expect(items.count == 4)
        #expect(items[0]["result"]?.stringValue?.count == 800 && items[1]["result"]?.stringValue?.count == 800)
        #expect(errorCode(items[2]) == -32603 && items[2]["id"] == 3, "the third no longer fits")
        #expect(items[3]["result"]?.stringValue?.count == 10, "a small one after it still does")
        let single = try await call(#"{"jsonrpc":"2.0","id":9,"method":"blob","params":{"n":5000}}"#)
        #expect(errorCode(single) == -32603 && single["id"] == 9)
    }

    @Test func malformedJSONIsAParseErrorWithNullID() async throws {
        let r = try await call(#"{"jsonrpc":"2.0","id":1,"method":"ec"#)
        #expect(errorCode(r) == -32700)
        #expect(r?["id"] == .null)
    }

    @Test func structurallyInvalidRequestsAreRejected() async throws {
        #expect(errorCode(try await call("42")) == -32600)
        #expect(errorCode(try await call(#"{"id":1,"method":"echo"}"#)) == -32600, "missing jsonrpc")
        #expect(errorCode(try await call(#"{"jsonrpc":"1.0","id":1,"method":"echo"}"#)) == -32600)
        #expect(errorCode(try await call(#"{"jsonrpc":"2.0","id":1,"method":5}"#)) == -32600)
        #expect(errorCode(try await call(#"{"jsonrpc":"2.0","id":{"a":1},"method":"echo"}"#)) == -32600)
        #expect(errorCode(try await call(#"{"jsonrpc":"2.0","id":true,"method":"echo"}"#)) == -32600)
        // Any number is a valid id and comes back as sent.
        let fractional = try await call(#"{"jsonrpc":"2.0","id":1.5,"method":"echo","params":{"value":1}}"#)
        #expect(fractional?["id"] == .number("1.5") && fractional?["result"] == 1)
        #expect(errorCode(try await call(#"{"jsonrpc":"2.0","id":1,"method":"echo","extra":1}"#)) == -32600)
        #expect(errorCode(try await call("[]")) == -32600, "empty batch")
    }

    @Test func unknownMethodIsMethodNotFound() async throws {
        let r = try await call(#"{"jsonrpc":"2.0","id":"a","method":"nope"}"#)
        #expect(errorCode(r) == -32601)
        #expect(r?["id"] == "a")
    }

    @Test func badParamsAreInvalidParamsNamingTheField() async throws {
        let positional = try await call(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":["x"]}"#)
        #expect(errorCode(positional) == -32602)
        let unknown = try await call(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"valu":1}}"#)
        #expect(errorCode(unknown) == -32602)
        #expect(unknown?["error"]?["message"]?.stringValue?.contains("valu") == true)
        let missing = try await call(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{}}"#)
        #expect(missing?["error"]?["message"]?.stringValue?.contains("value") == true)
    }

    @Test func applicationAndInternalErrorsKeepTheirCodes() async throws {
        #expect(errorCode(try await call(#"{"jsonrpc":"2.0","id":1,"method":"fail"}"#)) == 1234)
        #expect(errorCode(try await call(#"{"jsonrpc":"2.0","id":1,"method":"crash"}"#)) == -32603)
    }

    @Test func batchAnswersEachCallAndSkipsNotifications() async throws {
        let r = try await call(#"""
            [{"jsonrpc":"2.0","id":1,"method":"echo","params":{"value":1}},
             {"jsonrpc":"2.0","method":"echo","params":{"value":2}},
             {"jsonrpc":"2.0","id":3,"method":"nope"}]
            """#)
        let items = try #require(r?.arrayValue)
        #expect(items.count == 2)
        #expect(items[0]["result"] == 1)
        #expect(errorCode(items[1]) == -32601)
    }

    @Test func notificationsOnlyProduceNoBody() async throws {
        #expect(try await call(#"{"jsonrpc":"2.0","method":"echo","params":{"value":1}}"#) == nil)
        #expect(try await call(#"[{"jsonrpc":"2.0","method":"echo","params":{"value":1}}]"#) == nil)
    }

    /// Issue 12: a failing notification was answered `null` (a body of `null`; a `null` element in a batch).
    @Test func aFailingNotificationGetsNoResponseAlone() async throws {
        for text in [
            #"{"jsonrpc":"2.0","method":"nosuch"}"#,  // method not found
            #"{"jsonrpc":"2.0","method":"fail"}"#,  // application error
            #"{"jsonrpc":"2.0","method":"crash"}"#,  // internal error
            #"{"jsonrpc":"2.0","method":"echo","params":{"wrong":1}}"#,  // invalid params
            #"{"jsonrpc":"2.0","method":"echo","params":[1]}"#,  // positional params
        ] {
            #expect(await dispatcher.handle(body: Array(text.utf8)) == nil, "\(text)")
            #expect(await dispatcher.handle(body: Array("[\(text)]".utf8)) == nil, "batch of \(text)")
        }
        let only = #"[{"jsonrpc":"2.0","method":"nosuch"},{"jsonrpc":"2.0","method":"fail"},{"jsonrpc":"2.0","method":"echo","params":{"value":1}}]"#
        #expect(await dispatcher.handle(body: Array(only.utf8)) == nil, "a batch of notifications only has no body")
    }

    @Test func aFailingNotificationInABatchLeavesNoElement() async throws {
        let body = try #require(
            await dispatcher.handle(
                body: Array(#"[{"jsonrpc":"2.0","method":"nosuch"},{"jsonrpc":"2.0","id":2,"method":"echo","params":{"value":2}},{"jsonrpc":"2.0","method":"fail"}]"#.utf8)))
        #expect(String(decoding: body, as: UTF8.self) == #"[{"id":2,"jsonrpc":"2.0","result":2}]"#)
        // `"id": null` is a request, not a notification: it is answered, with id null.
        let nullID = try await call(#"{"jsonrpc":"2.0","id":null,"method":"nosuch"}"#)
        #expect(errorCode(nullID) == -32601 && nullID?["id"] == .null)
    }

    /// Issue 12: `123456789012345678901234567890` came back as `1.2345678901234568e+29`.
    @Test func everyNumericIDIsEchoedAsItsOwnText() async throws {
        for id in ["123456789012345678901234567890", "-123456789012345678901234567890", "18446744073709551616", "1.0", "1e0", "-0.5E+3", "1.50",
                   "18446744073709551615", "-9223372036854775808", "0", "7"] {
            for method in ["echo", "nosuch"] {
                let body = try #require(await dispatcher.handle(body: Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":{"value":1}}"#.utf8)))
                let text = String(decoding: body, as: UTF8.self)
                #expect(text.contains(#""id":\#(id),"#), "\(method): \(text)")
            }
        }
        let batch = try #require(await dispatcher.handle(body: Array(#"[{"jsonrpc":"2.0","id":1e400000,"method":"echo","params":{"value":1}}]"#.utf8)))
        #expect(try JSONValue.parse(batch).arrayValue == nil, "a number beyond Double's range is still a parse error")
    }

    @Test func batchOverTheLimitIsRejectedWhole() async throws {
        let one = #"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"value":1}}"#
        let r = try await call("[\(one),\(one),\(one),\(one)]")
        #expect(errorCode(r) == -32600)
    }
}
