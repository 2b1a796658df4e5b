import WaggleCore

/// A node with up to 16 children, one per nibble. It is hashed as the four-level binary subtree
/// its children form (high bit of the nibble first), with two rules that make the root equal to
/// that of a plain binary sparse Merkle tree: an empty range hashes to the placeholder, and a
/// range holding a single leaf (and nothing else) hashes to that leaf's hash, which is how a leaf
/// sits at the shallowest depth where its key is unique.
public struct InternalNode: Hashable, Sendable {
    /// A child reference: enough to hash this node and to find the child's NodeKey
    /// (version, parent path + nibble) without reading it.
    public struct Child: Hashable, Sendable {
        public let hash: Hash256
        public let version: UInt64
        public let isLeaf: Bool

        public init(hash: Hash256, version: UInt64, isLeaf: Bool) {
            self.hash = hash
            self.version = version
            self.isLeaf = isLeaf
        }
    }

    /// Exactly 16 slots, indexed by nibble.
    public let children: [Child?]

    /// At least one child, and a lone child must be internal: a lone leaf moves up into the parent.
    public init?(children: [Child?]) {
        guard children.count == 16 else { return nil }
        let present = children.compactMap { $0 }
        guard !present.isEmpty, !(present.count == 1 && present[0].isLeaf) else { return nil }
        self.children = children
    }

    public var childCount: Int { children.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    public var hash: Hash256 { hash(0, 16) }

    /// Where the key's path goes inside this node from the top: the binary siblings passed
    /// (nearest the root first) and what the path ends on.
    func descend(toward nibble: UInt8) -> (siblings: [Hash256], end: PathEnd) {
        var lo = 0
        var hi = 16
        var siblings: [Hash256] = []
        let n = Int(nibble)
        while true {
            let (count, index) = occupancy(lo, hi)
            if count == 0 { return (siblings, .empty) }
            if count == 1, let c = children[index], c.isLeaf { return (siblings, .leaf(UInt8(index))) }
            if hi - lo == 1 { return (siblings, .internal(UInt8(lo))) }
            let mid = (lo + hi) / 2
            if n < mid {
                siblings.append(hash(mid, hi))
                hi = mid
            } else {
                siblings.append(hash(lo, mid))
                lo = mid
            }
        }
    }

    enum PathEnd: Equatable {
        case empty
        case leaf(UInt8)
        case `internal`(UInt8)
    }

    private func occupancy(_ lo: Int, _ hi: Int) -> (count: Int, index: Int) {
        var count = 0
        var index = lo
        for i in lo..<hi where children[i] != nil {
            count += 1
            index = i
        }
        return (count, index)
    }

    private func hash(_ lo: Int, _ hi: Int) -> Hash256 {
        let (count, index) = occupancy(lo, hi)
        if count == 0 { return SparseMerkleHashing.placeholder }
        if count == 1, let c = children[index], c.isLeaf || hi - lo == 1 { return c.hash }
        let mid = (lo + hi) / 2
        return SparseMerkleHashing.internalHash(left: hash(lo, mid), right: hash(mid, hi))
    }
}
