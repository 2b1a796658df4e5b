/// Writes Waggle's canonical binary encoding (Docs/PROTOCOL.md): fixed-width big-endian integers,
/// u32-length-prefixed byte strings, u32-count-prefixed lists, one-byte tags for options and enums.
/// Every value has exactly one encoding, so hashes and signatures are well defined.
public struct CanonicalEncoder: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    public mutating func u16(_ v: UInt16) { appendBigEndian(v) }
    public mutating func u32(_ v: UInt32) { appendBigEndian(v) }
    public mutating func u64(_ v: UInt64) { appendBigEndian(v) }
    public mutating func i64(_ v: Int64) { appendBigEndian(UInt64(bitPattern: v)) }

    /// Bytes whose length is fixed by the type (hashes, keys, signatures): no prefix.
    public mutating func fixed(_ v: [UInt8]) { bytes.append(contentsOf: v) }

    /// A variable-length byte string: u32 length, then the bytes.
    public mutating func bytes(_ v: [UInt8]) {
        u32(UInt32(v.count))
        bytes.append(contentsOf: v)
    }

    /// A UTF-8 string, encoded as a byte string.
    public mutating func string(_ v: String) { bytes(Array(v.utf8)) }

    public mutating func encode<T: CanonicalEncodable>(_ v: T) { v.encode(to: &self) }

    /// A list: u32 count, then each element.
    public mutating func list<T: CanonicalEncodable>(_ v: [T]) {
        u32(UInt32(v.count))
        for e in v { e.encode(to: &self) }
    }

    /// An optional: tag 0 for none, tag 1 followed by the value.
    public mutating func optional<T: CanonicalEncodable>(_ v: T?) {
        if let v {
            u8(1)
            v.encode(to: &self)
        } else {
            u8(0)
        }
    }

    @inline(__always)
    private mutating func appendBigEndian<T: FixedWidthInteger>(_ v: T) {
        var be = v.bigEndian
        withUnsafeBytes(of: &be) { bytes.append(contentsOf: $0) }
    }
}

public protocol CanonicalEncodable {
    func encode(to encoder: inout CanonicalEncoder)
}

extension CanonicalEncodable {
    /// The canonical bytes of this value.
    public var canonicalBytes: [UInt8] {
        var e = CanonicalEncoder()
        encode(to: &e)
        return e.bytes
    }
}
