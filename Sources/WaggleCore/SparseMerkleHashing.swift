/// The hash functions of the state tree (a binary sparse Merkle tree over 256-bit keys, stored as
/// a Jellyfish tree in WaggleStore). One definition, used by the tree that builds roots and by
/// `SparseMerkleProof.verify`, so a light client checks exactly what the node computed.
///
/// Byte by byte (Docs/STORAGE.md):
/// - value hash    = SHA-256(0x22 || value)
/// - leaf hash     = SHA-256(0x20 || key (32) || value hash (32))
/// - internal hash = SHA-256(0x21 || left (32) || right (32))
/// - an empty subtree, and the root of the empty tree, is `placeholder` (32 zero bytes)
///
/// The one-byte prefixes keep leaves, internal nodes and values apart, and apart from every other
/// hash in the protocol (RFC 6962 lists use 0x00/0x01, `HashDomain` uses 0x10...).
public enum SparseMerkleHashing {
    public static let leafDomain: UInt8 = 0x20
    public static let internalDomain: UInt8 = 0x21
    public static let valueDomain: UInt8 = 0x22

    /// The hash of an empty subtree. All zeros: no SHA-256 output is known to be zero, and a fixed
    /// constant lets anyone recognise the empty tree's root.
    public static let placeholder = Hash256.zero

    public static func valueHash(_ value: [UInt8]) -> Hash256 {
        Hash256.sha256(parts: [[valueDomain], value])
    }

    public static func leafHash(key: Hash256, valueHash: Hash256) -> Hash256 {
        Hash256.sha256(parts: [[leafDomain], key.bytes, valueHash.bytes])
    }

    public static func internalHash(left: Hash256, right: Hash256) -> Hash256 {
        Hash256.sha256(parts: [[internalDomain], left.bytes, right.bytes])
    }

    /// Bit `index` of `key`, most significant bit of byte 0 first: the path from the root.
    public static func bit(_ key: Hash256, _ index: Int) -> Bool {
        (key.bytes[index >> 3] >> (7 - UInt8(index & 7))) & 1 == 1
    }

    /// How many leading bits `a` and `b` share (256 when equal).
    public static func commonPrefixBits(_ a: Hash256, _ b: Hash256) -> Int {
        for i in 0..<Hash256.length where a.bytes[i] != b.bytes[i] {
            return i * 8 + (a.bytes[i] ^ b.bytes[i]).leadingZeroBitCount
        }
        return 256
    }
}
