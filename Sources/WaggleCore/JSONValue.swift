import Foundation

/// A JSON document as a value, for the edges of the node (genesis, RPC, CLI output). Nothing that
/// is hashed or signed goes through JSON. Integers keep their exact value (no Double round trip).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    /// A number as written in parsed JSON text, for every number that is not a 64-bit integer
    /// (a fraction, an exponent, or an integer beyond 64 bits): `1.0`, `1e0`,
    /// `123456789012345678901234567890`. It is serialized as the same text, so a JSON-RPC id comes
    /// back exactly as sent and an error can quote what the client wrote.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text strictly (`JSONParser`: RFC 8259, linear time, nesting at most 64 deep,
    /// duplicate keys refused). Throws `JSONValue.ParseError` saying what is wrong and where.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONParser.parse(bytes)
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let reason: String
        public var description: String { reason }
    }

    /// Compact JSON text with sorted keys (stable output for tests and clients).
    public func serialized(pretty: Bool = false) -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        guard containsNumberText else { return Array((try? enc.encode(self)) ?? Data("null".utf8)) }
        // JSONEncoder cannot write a number's own text: each `.number` is written as a string
        // holding a marker unique to this call, and the marker's string is then replaced by the text.
        let marker = "waggle-number-\(UUID().uuidString):"
        enc.userInfo[Self.numberMarkerKey] = marker
        guard let encoded = try? enc.encode(self) else { return Array("null".utf8) }
        let bytes = Array(encoded)
        let open = Array("\"\(marker)".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\""), bytes[i...].starts(with: open),
                let close = bytes[(i + open.count)...].firstIndex(of: UInt8(ascii: "\""))
            {
                out.append(contentsOf: bytes[(i + open.count)..<close])
                i = close + 1
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    static let numberMarkerKey = CodingUserInfoKey(rawValue: "waggle.numberMarker")!

    private var containsNumberText: Bool {
        switch self {
        case .number: true
        case .array(let a): a.contains { $0.containsNumberText }
        case .object(let o): o.values.contains { $0.containsNumberText }
        default: false
        }
    }

    public var text: String { String(decoding: serialized(), as: UTF8.self) }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// A signed integer given as a JSON integer.
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .uint(let u): return Int64(exactly: u)
        default: return nil
        }
    }

    /// An unsigned integer given as a JSON integer or a decimal string.
    public var uint64Value: UInt64? {
        switch self {
        case .uint(let u): return u
        case .int(let i): return i >= 0 ? UInt64(i) : nil
        case .string(let s):
            guard !s.isEmpty, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let v = UInt64(s), String(v) == s else { return nil }
            return v
        default: return nil
        }
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = i >= 0 ? .uint(UInt64(i)) : .int(i)
        } else if let u = try? c.decode(UInt64.self) {
            self = .uint(u)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else if let o = try? c.decode([String: JSONValue].self) {
            self = .object(o)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unsupported JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .uint(let u): try c.encode(u)
        case .double(let d): try c.encode(d)
        case .number(let t):
            // `serialized()` swaps the marked string for the text; other encoders get the nearest Double.
            if let marker = encoder.userInfo[Self.numberMarkerKey] as? String { try c.encode(marker + t) } else { try c.encode(Double(t) ?? 0) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral v: String) { self = .string(v) }
    public init(integerLiteral v: Int64) { self = v >= 0 ? .uint(UInt64(v)) : .int(v) }
    public init(booleanLiteral v: Bool) { self = .bool(v) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, b in b }))
    }
    public init(nilLiteral: ()) { self = .null }
}
