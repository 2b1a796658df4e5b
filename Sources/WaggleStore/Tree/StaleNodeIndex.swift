import WaggleCore

/// Records that the node at `nodeKey` is no longer part of the tree from `staleSinceVersion` on:
/// versions before it may still read the node, versions at or after it never do. Pruning up to
/// version v deletes every node whose index has `staleSinceVersion <= v`.
///
/// Encoding: staleSinceVersion (u64 big-endian) || node key encoding, so a range scan from the
/// start of the key space up to (v + 1) finds exactly what pruning up to v removes.
public struct StaleNodeIndex: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let staleSinceVersion: UInt64
    public let nodeKey: NodeKey

    public init(staleSinceVersion: UInt64, nodeKey: NodeKey) {
        self.staleSinceVersion = staleSinceVersion
        self.nodeKey = nodeKey
    }

    public var encoded: [UInt8] {
        var e = CanonicalEncoder(capacity: 8 + 9 + 32)
        e.u64(staleSinceVersion)
        nodeKey.encode(to: &e)
        return e.bytes
    }

    public init(encoded: [UInt8]) throws {
        var d = CanonicalDecoder(encoded)
        staleSinceVersion = try d.u64()
        nodeKey = try NodeKey(from: &d)
        try d.finish()
    }

    /// The smallest encoded index with a `staleSinceVersion` above `version`: the exclusive upper
    /// bound of a pruning scan (nil when nothing is above `UInt64.max`).
    static func upperBound(pruningUpTo version: UInt64) -> [UInt8]? {
        guard version < .max else { return nil }
        var e = CanonicalEncoder(capacity: 8)
        e.u64(version + 1)
        return e.bytes
    }

    public static func < (a: StaleNodeIndex, b: StaleNodeIndex) -> Bool {
        (a.staleSinceVersion, a.nodeKey) < (b.staleSinceVersion, b.nodeKey)
    }

    public var description: String { "stale since \(staleSinceVersion): \(nodeKey)" }
}
