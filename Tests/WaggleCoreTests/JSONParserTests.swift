import Testing
import WaggleCore

@Suite struct JSONParserTests {
    func parse(_ s: String) throws -> JSONValue { try JSONValue.parse(Array(s.utf8)) }

    @Test func parsesEveryKindOfValueExactly() throws {
        let v = try parse(#" {"a": [1, -2, 18446744073709551615, 18446744073709551616, 1.5, -0, 2e3], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\udc1d", "c": true, "d": false, "e": null, "f": {}} "#)
        #expect(v["a"] == [.uint(1), .int(-2), .uint(.max), .number("18446744073709551616"), .number("1.5"), .uint(0), .number("2e3")])
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
        let v: JSONValue = ["k": ["x", 1, -3, .number("2.5"), true, nil], "n": ["z": "\u{01}é"]]
        #expect(try JSONValue.parse(v.serialized()) == v)
        #expect(try JSONValue.parse(v.serialized(pretty: true)) == v)
    }

    /// Issue 12: a number that is not a 64-bit integer keeps the text it was written with, so it
    /// is written back unchanged (a JSON-RPC id) and an error can quote it.
    @Test func numbersThatAreNot64BitIntegersKeepTheirText() throws {
        let text = #"{"a":[123456789012345678901234567890,-1.0,1e0,2.50E-3],"b":"waggle-number-x:1"}"#
        let v = try parse(text)
        #expect(v["a"] == [.number("123456789012345678901234567890"), .number("-1.0"), .number("1e0"), .number("2.50E-3")])
        #expect(String(decoding: v.serialized(), as: UTF8.self) == text)
        #expect(try parse(String(decoding: v.serialized(pretty: true), as: UTF8.self)) == v)
        #expect(JSONValue.number("1e0").text == "1e0")
    }

    /// Issue 12: `1.0` and `1e0` where an integer belongs said "expected an unsigned integer, got 1".
    @Test func anIntegerFieldQuotesANonIntegerAsWritten() throws {
        for (written, message) in [
            ("1.0", "must be an integer (digits only, no fraction or exponent), got 1.0"),
            ("1e0", "must be an integer (digits only, no fraction or exponent), got 1e0"),
            ("123456789012345678901234567890", "123456789012345678901234567890 is out of range (at most 18446744073709551615)"),
        ] {
            let r = JSONReader(try parse(#"{"height":\#(written)}"#), context: "params")
            #expect(throws: JSONFieldError.self) { try r.field("height").uint64() }
            do { _ = try r.field("height").uint64() } catch { #expect(error.description == "params: height: \(message)") }
        }
        #expect(try JSONReader(try parse(#"{"height":1}"#), context: "params").field("height").uint64() == 1)
    }

    /// Issue 12: one rule for byte strings: `0x` then hex digits of either case.
    @Test func byteStringsNeedThe0xPrefix() throws {
        let hash = String(repeating: "ab", count: 32)
        let r = JSONReader(.object(["lower": .string("0x" + hash), "upper": .string("0x" + hash.uppercased()), "bare": .string(hash),
                                    "capitalX": .string("0X" + hash)]), context: "params")
        #expect(try r.field("lower").hash() == r.field("upper").hash())
        #expect(throws: JSONFieldError.self) { try r.field("bare").hash() }
        #expect(throws: JSONFieldError.self) { try r.field("capitalX").hash() }
        #expect(Hex.decodePrefixed("0x0aFF") == [0x0a, 0xff])
        #expect(Hex.decodePrefixed("0aff") == nil && Hex.decodePrefixed("0X0a") == nil && Hex.decodePrefixed("0x0") == nil)
    }
}
