/// A proof that a key has a given value, or no value, in the state tree whose root a header
/// commits to (`Header.stateRoot`).
///
/// The tree is a binary sparse Merkle tree in which every leaf sits at the shallowest depth where
/// its key's bit path is unique. A proof is the leaf found at the end of the key's path (if any)
/// and the sibling hashes along that path, nearest the leaf first:
/// - inclusion: `leaf.key == key` and `leaf.valueHash == valueHash(value)`;
/// - non-inclusion: the path ends in an empty subtree (`leaf == nil`), or in a leaf for another
///   key that shares the path's first `siblings.count` bits.
///
/// Canonical encoding: option tag (0 none, 1 leaf) [+ key (32) + value hash (32)], u32 sibling
/// count (at most 256), then 32 bytes per sibling. A proof whose nearest sibling is the
/// placeholder is rejected: the tree never produces one (that leaf would sit one level higher).
public struct SparseMerkleProof: Hashable, Sendable, CanonicalCodable {
    public struct Leaf: Hashable, Sendable, CanonicalCodable {
        public let key: Hash256
        public let valueHash: Hash256

        public init(key: Hash256, valueHash: Hash256) {
            self.key = key
            self.valueHash = valueHash
        }

        public var hash: Hash256 { SparseMerkleHashing.leafHash(key: key, valueHash: valueHash) }

        public func encode(to e: inout CanonicalEncoder) {
            e.encode(key)
            e.encode(valueHash)
        }

        public init(from d: inout CanonicalDecoder) throws {
            key = try d.decode()
            valueHash = try d.decode()
        }
    }

    public static let maxSiblings = 256

    public let leaf: Leaf?
    /// Sibling hashes from the deepest level up to the root's children.
    public let siblings: [Hash256]

    public init(leaf: Leaf?, siblings: [Hash256]) {
        self.leaf = leaf
        self.siblings = siblings
    }

    /// Checks the proof against `root`: that `key` maps to `value`, or, with `value == nil`,
    /// that `key` is absent.
    public func verify(root: Hash256, key: Hash256, value: [UInt8]?) -> Bool {
        guard siblings.count <= Self.maxSiblings, siblings.first != SparseMerkleHashing.placeholder else { return false }
        var current: Hash256
        if let value {
            guard let leaf, leaf.key == key, leaf.valueHash == SparseMerkleHashing.valueHash(value) else { return false }
            current = leaf.hash
        } else if let leaf {
            guard leaf.key != key, SparseMerkleHashing.commonPrefixBits(leaf.key, key) >= siblings.count else {
                return false
            }
            current = leaf.hash
        } else {
            current = SparseMerkleHashing.placeholder
        }
        for (i, sibling) in siblings.enumerated() {
            let depth = siblings.count - 1 - i
            if SparseMerkleHashing.bit(key, depth) {
                current = SparseMerkleHashing.internalHash(left: sibling, right: current)
            } else {
                current = SparseMerkleHashing.internalHash(left: current, right: sibling)
            }
        }
        return current == root
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.optional(leaf)
        e.list(siblings)
    }

    public init(from d: inout CanonicalDecoder) throws {
        leaf = try d.optional()
        siblings = try d.list(Hash256.self, maxCount: Self.maxSiblings)
        guard siblings.first != SparseMerkleHashing.placeholder else {
            throw CodecError(.nonCanonical, "the deepest sibling of a sparse Merkle proof is the empty-subtree placeholder")
        }
    }
}
