import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import WaggleCore
@testable import WaggleRPC

@Suite struct RPCServerTests {
    let json: HTTPFields = [.contentType: "application/json"]

    func server(maxBody: Int = 200) -> RPCServer {
        RPCServer(
            host: "127.0.0.1", port: 0, maxBodyBytes: maxBody,
            dispatcher: JSONRPCDispatcher(methods: ["ping": { _ in "pong" }]),
            logger: Logger(label: "test"), status: { ["ok": true] })
    }

    @Test func postRootRunsJSONRPC() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .post, headers: json, body: ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json")
                let v = try JSONValue.parse(Array(buffer: r.body))
                #expect(v["result"] == "pong")
            }
        }
    }

    /// Issue 12: a failing notification got HTTP 200 with the body `null`.
    @Test func notificationsOnlyGet204WithNoBodyEvenWhenTheyFail() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            for body in [#"{"jsonrpc":"2.0","method":"nosuch"}"#, #"[{"jsonrpc":"2.0","method":"nosuch"},{"jsonrpc":"2.0","method":"ping"}]"#] {
                try await client.execute(uri: "/", method: .post, headers: json, body: ByteBuffer(string: body)) { r in
                    #expect(r.status == .noContent, "\(body)")
                    #expect(r.body.readableBytes == 0, "\(body)")
                }
            }
        }
    }

    /// Pins the statuses Docs/RPC.md lists for other paths and methods and for malformed calls.
    @Test func otherPathsAndMalformedCallsGetTheDocumentedStatuses() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            for (uri, method) in [("/", HTTPRequest.Method.get), ("/nosuch", .get), ("/nosuch", .post), ("/health", .post), ("/status", .put), ("/", .put)] {
                try await client.execute(uri: uri, method: method, headers: json, body: ByteBuffer(string: "{}")) { r in
                    #expect(r.status == .notFound && r.body.readableBytes == 0, "\(method) \(uri)")
                }
            }
            for body in ["{", "[]", "42", #"{"jsonrpc":"2.0","id":1,"method":"nosuch"}"#, #"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#] {
                try await client.execute(uri: "/", method: .post, headers: json, body: ByteBuffer(string: body)) { r in
                    // A JSON-RPC error travels in a 200 response; only the HTTP layer's refusals
                    // (413, 415, 408) and notifications only (204) use other statuses.
                    #expect(r.status == .ok && r.headers[.contentType] == "application/json", "\(body)")
                    let v = try JSONValue.parse(Array(buffer: r.body))
                    #expect(v["error"]?["code"] != nil, "\(body)")
                }
            }
        }
    }

    @Test func oversizedBodyIsRefusedWith413AndAJSONRPCError() async throws {
        let app = Application(router: server(maxBody: 50).router())
        let big = #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":""# + String(repeating: "x", count: 500) + #""}}"#
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .post, headers: json, body: ByteBuffer(string: big)) { r in
                #expect(r.status == .contentTooLarge)
                let v = try JSONValue.parse(Array(buffer: r.body))
                #expect(v["error"]?["code"] == .int(-32600))
            }
        }
    }

    @Test func healthAndStatusAnswerGET() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/status", method: .get) { r in
                let v = try JSONValue.parse(Array(buffer: r.body))
                #expect(v["ok"] == true)
            }
        }
    }

    @Test func garbageBodyGetsAParseErrorNotACrash() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .post, headers: json, body: ByteBuffer(bytes: [0xff, 0x00, 0x13, 0x37])) { r in
                #expect(r.status == .ok)
                let v = try JSONValue.parse(Array(buffer: r.body))
                #expect(v["error"]?["code"] == .int(-32700))
            }
        }
    }

    @Test func aPostThatIsNotJSONIsRefusedWith415AndNothingRuns() async throws {
        let calls = CallCounter()
        let counting = RPCServer(
            host: "127.0.0.1", port: 0, maxBodyBytes: 200,
            dispatcher: JSONRPCDispatcher(methods: ["ping": { _ in calls.increment(); return "pong" }]),
            logger: Logger(label: "test"), status: { ["ok": true] })
        let app = Application(router: counting.router())
        let body = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        try await app.test(.router) { client in
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
                try await client.execute(uri: "/", method: .post, headers: [.contentType: type], body: ByteBuffer(string: body)) { r in
                    #expect(r.status == .unsupportedMediaType, "\(type)")
                    let v = try JSONValue.parse(Array(buffer: r.body))
                    #expect(v["error"]?["code"] == .int(-32600))
                }
            }
            try await client.execute(uri: "/", method: .post, body: ByteBuffer(string: body)) { r in
                #expect(r.status == .unsupportedMediaType, "no Content-Type at all")
            }
            #expect(calls.value == 0)
            try await client.execute(
                uri: "/", method: .post, headers: [.contentType: "Application/JSON; charset=utf-8"], body: ByteBuffer(string: body)
            ) { r in #expect(r.status == .ok) }
            #expect(calls.value == 1)
        }
    }

    @Test func aBodyThatDoesNotArriveInTimeIsCutOff() async throws {
        await #expect(throws: RPCServer.BodyTimeout.self) {
            try await RPCServer.withDeadline(.milliseconds(20)) { try await Task.sleep(for: .seconds(30)) }
        }
        #expect(try await RPCServer.withDeadline(.seconds(30)) { 7 } == 7)
    }
}

final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
