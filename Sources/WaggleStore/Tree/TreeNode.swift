import WaggleCore

/// A stored node of the Jellyfish tree.
///
/// Encoding (the value under the node's `NodeKey`):
/// - empty:    0x00 (only ever a root: the tree at that version holds no key)
/// - internal: 0x01 || existence bitmap (u16 BE, bit i = child at nibble i) || leaf bitmap (u16
///             BE) || for each present child in nibble order: version (u64 BE) || hash (32)
/// - leaf:     0x02 || key (32) || value hash (32)
public enum TreeNode: Hashable, Sendable {
    case empty
    case `internal`(InternalNode)
    case leaf(SparseMerkleProof.Leaf)

    public var hash: Hash256 {
        switch self {
        case .empty: SparseMerkleHashing.placeholder
        case .internal(let node): node.hash
        case .leaf(let leaf): leaf.hash
        }
    }

    public var isLeaf: Bool {
        if case .leaf = self { return true }
        return false
    }

    public var encoded: [UInt8] {
        var e = CanonicalEncoder(capacity: 80)
        switch self {
        case .empty:
            e.u8(0)
        case .internal(let node):
            e.u8(1)
            var existence: UInt16 = 0
            var leaves: UInt16 = 0
            for (i, c) in node.children.enumerated() {
                guard let c else { continue }
                existence |= 1 << i
                if c.isLeaf { leaves |= 1 << i }
            }
            e.u16(existence)
            e.u16(leaves)
            for c in node.children {
                guard let c else { continue }
                e.u64(c.version)
                e.encode(c.hash)
            }
        case .leaf(let leaf):
            e.u8(2)
            e.encode(leaf)
        }
        return e.bytes
    }

    /// Decodes a stored node, rejecting anything `encoded` would not produce.
    public init(encoded: [UInt8]) throws {
        var d = CanonicalDecoder(encoded)
        switch try d.u8() {
        case 0:
            self = .empty
        case 1:
            let existence = try d.u16()
            let leaves = try d.u16()
            guard leaves & ~existence == 0 else {
                throw CodecError(.invalidValue, "internal node marks a missing child as a leaf")
            }
            var children = [InternalNode.Child?](repeating: nil, count: 16)
            for i in 0..<16 where existence & (1 << i) != 0 {
                let version = try d.u64()
                let hash: Hash256 = try d.decode()
                children[i] = InternalNode.Child(hash: hash, version: version, isLeaf: leaves & (1 << i) != 0)
            }
            guard let node = InternalNode(children: children) else {
                throw CodecError(.invalidValue, "internal node has no child or a lone leaf child")
            }
            self = .internal(node)
        case 2:
            self = .leaf(try d.decode())
        case let t:
            throw CodecError(.unknownTag, "unknown tree node tag \(t)")
        }
        try d.finish()
    }
}
