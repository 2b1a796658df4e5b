import Crypto

/// A SHA-256 digest: block ids, transaction hashes, state roots.
public struct Hash256: Hashable, Comparable, Sendable, CanonicalCodable, CustomStringConvertible {
    public static let length = 32
    public static let zero = Hash256(unchecked: [UInt8](repeating: 0, count: 32))

    public let bytes: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    public init(unchecked bytes: [UInt8]) {
        precondition(bytes.count == Self.length)
        self.bytes = bytes
    }

    /// Parses 64 hex digits, with or without 0x.
    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == Self.length else { return nil }
        bytes = b
    }

    /// SHA-256 of the given bytes.
    public static func sha256(_ data: [UInt8]) -> Hash256 {
        Hash256(unchecked: Array(SHA256.hash(data: data)))
    }

    /// SHA-256 over several byte strings fed in order (no separators: callers frame their input).
    public static func sha256(parts: [[UInt8]]) -> Hash256 {
        var h = SHA256()
        for p in parts { h.update(data: p) }
        return Hash256(unchecked: Array(h.finalize()))
    }

    public var hex: String { "0x" + Hex.encode(bytes) }
    public var description: String { hex }
    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    public static func < (a: Hash256, b: Hash256) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public func encode(to e: inout CanonicalEncoder) { e.fixed(bytes) }
    public init(from d: inout CanonicalDecoder) throws { bytes = try d.fixed(Self.length) }
}
