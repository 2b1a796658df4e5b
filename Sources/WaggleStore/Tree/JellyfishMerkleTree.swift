import WaggleCore

/// The authenticated state tree: a sparse Merkle tree over 256-bit keys stored the Jellyfish way
/// (Aptos): 16-ary internal nodes addressed by (version, nibble path), leaves holding (key, value
/// hash), each leaf at the shallowest nibble depth where its key is unique. The root equals that
/// of the binary sparse Merkle tree defined by `SparseMerkleHashing`, so proofs are binary.
///
/// Pure: it reads old nodes through `reader` and returns new ones; it writes nothing, keeps no
/// state, and the result of an update depends only on the base version's nodes and the changes.
public struct JellyfishMerkleTree<Reader: TreeNodeReader> {
    public typealias Change = (key: Hash256, value: [UInt8]?)

    public let reader: Reader

    public init(reader: Reader) { self.reader = reader }

    /// The root of the tree holding no key: `SparseMerkleHashing.placeholder` (32 zero bytes).
    public static var emptyRootHash: Hash256 { SparseMerkleHashing.placeholder }

    /// Applies `changes` (nil value: delete; deleting an absent key is a no-op) to the tree at
    /// `baseVersion` (nil: the empty tree) and returns the root at `version` together with the
    /// nodes to write. When a key appears several times, its last change wins. `version` must be
    /// above `baseVersion`; a root is written at `version` even when nothing changed, so every
    /// version can be read and proved.
    public func update(baseVersion: UInt64?, version: UInt64, changes: [Change]) throws
        -> (rootHash: Hash256, batch: TreeUpdateBatch)
    {
        if let baseVersion, version <= baseVersion {
            throw TreeError(.invalidVersion, "version \(version) is not above the base version \(baseVersion)")
        }
        var builder = Builder(version: version)
        let sorted = Self.normalise(changes)
        let rootKey = NodeKey.root(version)

        var existing: (key: NodeKey, node: TreeNode)?
        if let baseVersion {
            let key = NodeKey.root(baseVersion)
            guard let node = try reader.node(key) else {
                throw TreeError(.missingNode, "no root at version \(baseVersion)")
            }
            existing = (key, node)
            // The base root is always superseded by a root at the new version.
            builder.markStale(key)
        }
        let (subtree, _) = try apply(existing, path: NibblePath(), changes: sorted[...], &builder)
        let root: TreeNode
        switch subtree {
        case .empty:
            root = .empty
        case .leaf(let leaf, let origin):
            // A leaf that ends up alone is rewritten at the root path, wherever it was.
            if let origin { builder.markStale(origin) }
            root = .leaf(leaf)
        case .node(let child):
            if child.version == version {
                root = try builder.written(rootKey)
            } else {
                // Unchanged internal root: copy it under the new version; its children stay put.
                guard let node = existing?.node else { throw TreeError(.corruptTree, "unchanged root without a base") }
                root = node
            }
        }
        if case .node(let c) = subtree, c.version == version {
            // Already written by `apply`.
        } else {
            builder.write(rootKey, root)
        }
        let batch = TreeUpdateBatch(
            version: version, rootHash: root.hash, newNodes: builder.newNodes, staleNodes: builder.stale)
        return (root.hash, batch)
    }

    /// The root hash at `version`.
    public func rootHash(version: UInt64) throws -> Hash256 {
        try readNode(.root(version)).hash
    }

    /// The value hash stored for `key` at `version`, or nil when the key is absent.
    public func valueHash(key: Hash256, version: UInt64) throws -> Hash256? {
        let leaf = try proof(key: key, version: version).leaf
        return leaf?.key == key ? leaf?.valueHash : nil
    }

    /// An inclusion proof for `key` at `version` when the key is present, otherwise a
    /// non-inclusion proof (an empty subtree or another key's leaf at the end of the key's path).
    public func proof(key: Hash256, version: UInt64) throws -> SparseMerkleProof {
        var nodeKey = NodeKey.root(version)
        var node = try readNode(nodeKey)
        var siblings: [Hash256] = []
        while true {
            switch node {
            case .empty:
                return SparseMerkleProof(leaf: nil, siblings: siblings.reversed())
            case .leaf(let leaf):
                return SparseMerkleProof(leaf: leaf, siblings: siblings.reversed())
            case .internal(let internalNode):
                guard nodeKey.path.count < NibblePath.maxLength else {
                    throw TreeError(.corruptTree, "internal node at maximum depth: \(nodeKey)")
                }
                let (passed, end) = internalNode.descend(toward: key.nibble(nodeKey.path.count))
                siblings += passed
                switch end {
                case .empty:
                    return SparseMerkleProof(leaf: nil, siblings: siblings.reversed())
                case .leaf(let n), .internal(let n):
                    guard let child = internalNode.children[Int(n)] else {
                        throw TreeError(.corruptTree, "missing child \(n) under \(nodeKey)")
                    }
                    nodeKey = nodeKey.child(n, version: child.version)
                    node = try readNode(nodeKey)
                    guard node.isLeaf == child.isLeaf, node != .empty else {
                        throw TreeError(.corruptTree, "child \(nodeKey) is not of the kind its parent records")
                    }
                }
            }
        }
    }

    // MARK: Update internals

    /// A change with its value already hashed.
    struct Pending {
        let key: Hash256
        let valueHash: Hash256?
    }

    /// The new shape of a subtree, before its parent decides where it lives.
    enum Subtree {
        case empty
        /// A leaf not yet placed; `origin` is where it is stored now, if it is an existing leaf
        /// unchanged (it is only rewritten if it must move).
        case leaf(SparseMerkleProof.Leaf, origin: NodeKey?)
        /// An internal node, stored at its (fixed) path: written in this update or unchanged.
        case node(InternalNode.Child)
    }

    struct Builder {
        let version: UInt64
        var newNodes: [(nodeKey: NodeKey, node: TreeNode)] = []
        var stale: [StaleNodeIndex] = []
        private var staleKeys: Set<NodeKey> = []

        init(version: UInt64) { self.version = version }

        mutating func write(_ key: NodeKey, _ node: TreeNode) { newNodes.append((key, node)) }

        mutating func markStale(_ key: NodeKey) {
            if staleKeys.insert(key).inserted { stale.append(StaleNodeIndex(staleSinceVersion: version, nodeKey: key)) }
        }

        func written(_ key: NodeKey) throws -> TreeNode {
            guard let n = newNodes.last(where: { $0.nodeKey == key }) else {
                throw TreeError(.corruptTree, "node \(key) was not written")
            }
            return n.node
        }

        /// Puts a leaf at `path`, rewriting it only when it is new or moves.
        mutating func place(_ leaf: SparseMerkleProof.Leaf, origin: NodeKey?, at path: NibblePath) -> InternalNode.Child {
            if let origin, origin.path == path {
                return InternalNode.Child(hash: leaf.hash, version: origin.version, isLeaf: true)
            }
            if let origin { markStale(origin) }
            write(NodeKey(version: version, path: path), .leaf(leaf))
            return InternalNode.Child(hash: leaf.hash, version: version, isLeaf: true)
        }

        mutating func resolve(_ subtree: Subtree, at path: NibblePath) -> InternalNode.Child? {
            switch subtree {
            case .empty: nil
            case .leaf(let leaf, let origin): place(leaf, origin: origin, at: path)
            case .node(let child): child
            }
        }

        /// Writes an internal node at `path` and returns its reference.
        mutating func writeInternal(_ children: [InternalNode.Child?], at path: NibblePath) throws -> Subtree {
            guard let node = InternalNode(children: children) else {
                throw TreeError(.corruptTree, "internal node at \(path) would have no child or a lone leaf")
            }
            write(NodeKey(version: version, path: path), .internal(node))
            return .node(InternalNode.Child(hash: node.hash, version: version, isLeaf: false))
        }
    }

    /// Sorted by key, one change per key (the last given).
    static func normalise(_ changes: [Change]) -> [Pending] {
        var lastIndex: [Hash256: Int] = [:]
        for (i, c) in changes.enumerated() { lastIndex[c.key] = i }
        return changes.enumerated()
            .filter { lastIndex[$0.element.key] == $0.offset }
            .map { Pending(key: $0.element.key, valueHash: $0.element.value.map(SparseMerkleHashing.valueHash)) }
            .sorted { $0.key < $1.key }
    }

    /// The subtree at `path` after applying `changes` (all under `path`) to `existing`, and whether
    /// it differs from `existing`.
    private func apply(
        _ existing: (key: NodeKey, node: TreeNode)?, path: NibblePath, changes: ArraySlice<Pending>,
        _ b: inout Builder
    ) throws -> (Subtree, changed: Bool) {
        switch existing?.node {
        case nil, .empty?:
            let entries = changes.compactMap { c in c.valueHash.map { SparseMerkleProof.Leaf(key: c.key, valueHash: $0) } }
            let subtree = try build(entries[...], origin: nil, path: path, &b)
            if case .empty = subtree { return (.empty, false) }
            return (subtree, true)

        case .leaf(let leaf)?:
            guard let existing else { throw TreeError(.corruptTree, "unreachable") }
            var entries = changes.compactMap { c in c.valueHash.map { SparseMerkleProof.Leaf(key: c.key, valueHash: $0) } }
            if !changes.contains(where: { $0.key == leaf.key }) {
                let at = entries.firstIndex { leaf.key < $0.key } ?? entries.count
                entries.insert(leaf, at: at)
            }
            if entries == [leaf] { return (.leaf(leaf, origin: existing.key), false) }
            let kept = entries.contains(leaf)
            if !kept { b.markStale(existing.key) }
            let subtree = try build(entries[...], origin: kept ? (leaf, existing.key) : nil, path: path, &b)
            return (subtree, true)

        case .internal(let node)?:
            guard let existing else { throw TreeError(.corruptTree, "unreachable") }
            guard path.count < NibblePath.maxLength else {
                throw TreeError(.corruptTree, "internal node at maximum depth: \(existing.key)")
            }
            var results = [Subtree?](repeating: nil, count: 16)
            var changed = false
            for (nibble, group) in Self.groups(changes, depth: path.count) {
                let childPath = path.appending(nibble)
                var childExisting: (key: NodeKey, node: TreeNode)?
                if let c = node.children[Int(nibble)] {
                    let key = NodeKey(version: c.version, path: childPath)
                    childExisting = (key, try readChild(key, isLeaf: c.isLeaf))
                }
                let (subtree, childChanged) = try apply(childExisting, path: childPath, changes: group, &b)
                if childChanged {
                    results[Int(nibble)] = subtree
                    changed = true
                }
            }
            guard changed else {
                return (.node(InternalNode.Child(hash: node.hash, version: existing.key.version, isLeaf: false)), false)
            }
            b.markStale(existing.key)

            // Canonical form: no children collapses to empty, a lone leaf moves up.
            var present: [(nibble: Int, isLeaf: Bool)] = []
            for i in 0..<16 {
                if let r = results[i] {
                    switch r {
                    case .empty: continue
                    case .leaf: present.append((i, true))
                    case .node: present.append((i, false))
                    }
                } else if let c = node.children[i] {
                    present.append((i, c.isLeaf))
                }
            }
            if present.isEmpty { return (.empty, true) }
            if present.count == 1, present[0].isLeaf {
                let i = present[0].nibble
                if let r = results[i], case .leaf(let leaf, let origin) = r { return (.leaf(leaf, origin: origin), true) }
                guard let c = node.children[i] else { throw TreeError(.corruptTree, "lost child \(i) at \(path)") }
                let key = NodeKey(version: c.version, path: path.appending(UInt8(i)))
                guard case .leaf(let leaf) = try readChild(key, isLeaf: true) else {
                    throw TreeError(.corruptTree, "\(key) is not a leaf")
                }
                return (.leaf(leaf, origin: key), true)
            }
            var children = node.children
            for i in 0..<16 {
                guard let r = results[i] else { continue }
                children[i] = b.resolve(r, at: path.appending(UInt8(i)))
            }
            return (try b.writeInternal(children, at: path), true)
        }
    }

    /// A fresh subtree at `path` holding `entries` (sorted, distinct keys). `origin` names an
    /// existing leaf among them, so that it is not rewritten if it stays where it is.
    private func build(
        _ entries: ArraySlice<SparseMerkleProof.Leaf>, origin: (leaf: SparseMerkleProof.Leaf, key: NodeKey)?,
        path: NibblePath, _ b: inout Builder
    ) throws -> Subtree {
        guard let first = entries.first else { return .empty }
        if entries.count == 1 {
            return .leaf(first, origin: origin?.leaf == first ? origin?.key : nil)
        }
        guard path.count < NibblePath.maxLength else {
            throw TreeError(.corruptTree, "distinct keys share all \(NibblePath.maxLength) nibbles")
        }
        var children = [InternalNode.Child?](repeating: nil, count: 16)
        var start = entries.startIndex
        while start < entries.endIndex {
            let nibble = entries[start].key.nibble(path.count)
            var end = start + 1
            while end < entries.endIndex, entries[end].key.nibble(path.count) == nibble { end += 1 }
            let group = entries[start..<end]
            let groupOrigin = origin.flatMap { o in group.contains(o.leaf) ? o : nil }
            let childPath = path.appending(nibble)
            let subtree = try build(group, origin: groupOrigin, path: childPath, &b)
            children[Int(nibble)] = b.resolve(subtree, at: childPath)
            start = end
        }
        return try b.writeInternal(children, at: path)
    }

    /// Consecutive runs of `changes` (sorted by key) sharing the nibble at `depth`.
    private static func groups(_ changes: ArraySlice<Pending>, depth: Int) -> [(UInt8, ArraySlice<Pending>)] {
        var out: [(UInt8, ArraySlice<Pending>)] = []
        var start = changes.startIndex
        while start < changes.endIndex {
            let nibble = changes[start].key.nibble(depth)
            var end = start + 1
            while end < changes.endIndex, changes[end].key.nibble(depth) == nibble { end += 1 }
            out.append((nibble, changes[start..<end]))
            start = end
        }
        return out
    }

    private func readNode(_ key: NodeKey) throws -> TreeNode {
        guard let node = try reader.node(key) else { throw TreeError(.missingNode, "no tree node at \(key)") }
        return node
    }

    private func readChild(_ key: NodeKey, isLeaf: Bool) throws -> TreeNode {
        let node = try readNode(key)
        guard node.isLeaf == isLeaf, node != .empty else {
            throw TreeError(.corruptTree, "child \(key) is not of the kind its parent records")
        }
        return node
    }
}
