/// Reads Waggle's canonical binary encoding. It rejects truncated input, lengths over the caller's
/// limit, non-canonical values (a boolean other than 0 or 1, an option tag other than 0 or 1,
/// invalid UTF-8) and, through `decode(_:from:)`, trailing bytes.
public struct CanonicalDecoder: Sendable {
    /// Hard ceiling on any single byte string or list, whatever the caller allows.
    public static let absoluteMaxLength = 16 * 1024 * 1024

    private let input: [UInt8]
    public private(set) var offset: Int

    public init(_ input: [UInt8]) {
        self.input = input
        offset = 0
    }

    public var remaining: Int { input.count - offset }
    public var isAtEnd: Bool { offset == input.count }

    public mutating func u8() throws -> UInt8 {
        guard remaining >= 1 else { throw CodecError(.truncated, "truncated input: expected 1 byte at offset \(offset)") }
        defer { offset += 1 }
        return input[offset]
    }

    public mutating func bool() throws -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let b: throw CodecError(.nonCanonical, "boolean byte \(b) is not 0 or 1")
        }
    }

    public mutating func u16() throws -> UInt16 { try bigEndian() }
    public mutating func u32() throws -> UInt32 { try bigEndian() }
    public mutating func u64() throws -> UInt64 { try bigEndian() }
    public mutating func i64() throws -> Int64 { Int64(bitPattern: try bigEndian() as UInt64) }

    public mutating func fixed(_ count: Int) throws -> [UInt8] {
        guard remaining >= count else {
            throw CodecError(.truncated, "truncated input: expected \(count) bytes at offset \(offset), have \(remaining)")
        }
        defer { offset += count }
        return Array(input[offset..<offset + count])
    }

    public mutating func bytes(maxLength: Int) throws -> [UInt8] {
        let n = try length(limit: maxLength, what: "byte string")
        return try fixed(n)
    }

    public mutating func string(maxLength: Int) throws -> String {
        let raw = try bytes(maxLength: maxLength)
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw CodecError(.nonCanonical, "string is not valid UTF-8")
        }
        return s
    }

    public mutating func decode<T: CanonicalDecodable>(_: T.Type = T.self) throws -> T {
        try T(from: &self)
    }

    public mutating func list<T: CanonicalDecodable>(_: T.Type = T.self, maxCount: Int) throws -> [T] {
        let n = try length(limit: maxCount, what: "list")
        var out: [T] = []
        out.reserveCapacity(min(n, 1024))
        for _ in 0..<n { out.append(try T(from: &self)) }
        return out
    }

    public mutating func optional<T: CanonicalDecodable>(_: T.Type = T.self) throws -> T? {
        switch try u8() {
        case 0: return nil
        case 1: return try T(from: &self)
        case let t: throw CodecError(.nonCanonical, "option tag \(t) is not 0 or 1")
        }
    }

    /// Throws unless every byte has been consumed.
    public func finish() throws {
        guard isAtEnd else { throw CodecError(.trailingBytes, "\(remaining) trailing bytes after the value") }
    }

    private mutating func length(limit: Int, what: String) throws -> Int {
        let n = Int(try u32())
        guard n <= min(limit, Self.absoluteMaxLength) else {
            throw CodecError(.lengthOverLimit, "\(what) length \(n) exceeds the limit \(min(limit, Self.absoluteMaxLength))")
        }
        return n
    }

    private mutating func bigEndian<T: FixedWidthInteger>() throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw CodecError(.truncated, "truncated input: expected \(size) bytes at offset \(offset), have \(remaining)")
        }
        var v: T = 0
        for i in 0..<size { v = (v << 8) | T(input[offset + i]) }
        offset += size
        return v
    }
}

public protocol CanonicalDecodable {
    init(from decoder: inout CanonicalDecoder) throws
}

public typealias CanonicalCodable = CanonicalEncodable & CanonicalDecodable

extension CanonicalDecodable {
    /// Decodes a whole value, rejecting trailing bytes.
    public init(canonicalBytes: [UInt8]) throws {
        var d = CanonicalDecoder(canonicalBytes)
        self = try Self(from: &d)
        try d.finish()
    }
}
