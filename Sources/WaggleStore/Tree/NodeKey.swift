import WaggleCore

/// Where a tree node is stored: the version (block height) that wrote it and its nibble path.
///
/// Encoding: version (u64 big-endian) || nibble count (u8) || packed nibbles. Keys sort by version
/// first, so each height's nodes land at the end of the key space: appends in an LSM store.
public struct NodeKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let version: UInt64
    public let path: NibblePath

    public init(version: UInt64, path: NibblePath) {
        self.version = version
        self.path = path
    }

    /// The root node written at `version`.
    public static func root(_ version: UInt64) -> NodeKey { NodeKey(version: version, path: NibblePath()) }

    public func child(_ nibble: UInt8, version childVersion: UInt64) -> NodeKey {
        NodeKey(version: childVersion, path: path.appending(nibble))
    }

    public var encoded: [UInt8] {
        var e = CanonicalEncoder(capacity: 9 + 32)
        encode(to: &e)
        return e.bytes
    }

    public init(encoded: [UInt8]) throws {
        var d = CanonicalDecoder(encoded)
        try self.init(from: &d)
        try d.finish()
    }

    func encode(to e: inout CanonicalEncoder) {
        e.u64(version)
        e.u8(UInt8(path.count))
        e.fixed(path.packed)
    }

    init(from d: inout CanonicalDecoder) throws {
        version = try d.u64()
        let count = Int(try d.u8())
        guard count <= NibblePath.maxLength else {
            throw CodecError(.invalidValue, "node key nibble count \(count) exceeds \(NibblePath.maxLength)")
        }
        let packed = try d.fixed((count + 1) / 2)
        var nibbles: [UInt8] = []
        nibbles.reserveCapacity(count)
        for i in 0..<count { nibbles.append(i % 2 == 0 ? packed[i / 2] >> 4 : packed[i / 2] & 0x0F) }
        if count % 2 == 1, let last = packed.last, last & 0x0F != 0 {
            throw CodecError(.nonCanonical, "node key padding nibble is not zero")
        }
        path = NibblePath(uncheckedNibbles: nibbles)
    }

    /// The order of the encoded bytes: version, then nibble count, then nibbles.
    public static func < (a: NodeKey, b: NodeKey) -> Bool {
        if a.version != b.version { return a.version < b.version }
        if a.path.count != b.path.count { return a.path.count < b.path.count }
        return a.path < b.path
    }

    public var description: String { "\(version)/\(path)" }
}
