import Testing
import WaggleCore

@Suite struct JSONParserTests {
    func parse(_ s: String) throws -> JSONValue { try JSONValue.parse(Array(s.utf8)) }

    @Test func parsesEveryKindOfValueExactly() throws {
        let v = try parse(#" {"a": [1, -2, 18446744073709551615, 18446744073709551616, 1.5, -0, 2e3], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\udc1d", "c": true, "d": false, "e": null, "f": {}} "#)
        #expect(v["a"] == [.uint(1), .int(-2), .uint(.max), .double(18446744073709551616), .double(1.5), .uint(0), .double(2000)])
        #expect(v["b"] == .string("x\"\\/\u{08}\u{0C}\n\r\té🐝"))
        #expect(v["c"] == true && v["d"] == false && v["e"] == .null && v["f"] == .object([:]))
        #expect(try parse("7") == .uint(7))
        #expect(try parse(#""ünï""#) == .string("ünï"))
    }

    @Test func refusesWhatLaxParsersAccept() {
        for bad in [
            #"{"method": "a", "method": "b"}"#,  // duplicate key
            #"[1, 2,]"#, #"{"a": 1,}"#,  // trailing commas
            "01", "-", "1.", ".5", "1e", "+1", "NaN", "Infinity", "1e999",  // numbers
            "\"a\u{01}b\"", #""\x""#, #""\ud800""#, #""\udc00x""#, #""\u12""#,  // strings
            "tru", "nul", "[1] [2]", "{} x", "", "   ", "[", "{\"a\"", "{\"a\":}", "{1: 2}",
        ] {
            #expect(throws: JSONValue.ParseError.self, "\(bad.debugDescription)") { try parse(bad) }
        }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }  // invalid UTF-8
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) }  // BOM
    }

    @Test func nestingIsBoundedAndWideDocumentsAreFine() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { _ = try parse(ok) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONValue.ParseError.self) { try parse(deep) }
        let deepObjects = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(throws: JSONValue.ParseError.self) { try parse(deepObjects) }
        // A wide document nested to the limit parses, element by element.
        let wide = String(repeating: "[", count: 63) + Array(repeating: "{}", count: 100_000).joined(separator: ",") + String(repeating: "]", count: 63)
        var v = try parse(wide)
        for _ in 0..<62 { v = v.arrayValue![0] }
        #expect(v.arrayValue?.count == 100_000)
    }

    @Test func errorsSayWhereAndSerializationRoundTrips() throws {
        do {
            _ = try parse(#"{"a": [1, 2,]}"#)
            Issue.record("accepted a trailing comma")
        } catch {
            #expect("\(error)".hasPrefix("malformed JSON: ") && "\(error)".contains("at byte"))
        }
        let v: JSONValue = ["k": ["x", 1, -3, .double(2.5), true, nil], "n": ["z": "\u{01}é"]]
        #expect(try JSONValue.parse(v.serialized()) == v)
        #expect(try JSONValue.parse(v.serialized(pretty: true)) == v)
    }
}
