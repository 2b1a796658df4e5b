import WaggleCore

/// What one tree update produced, for the caller to persist (the tree itself writes nothing): the
/// new nodes, all at the update's version, and the nodes that the new version no longer uses.
/// Both lists are sorted by key, so equal updates give byte-identical batches.
public struct TreeUpdateBatch: Sendable {
    public let version: UInt64
    public let rootHash: Hash256
    public let newNodes: [(nodeKey: NodeKey, node: TreeNode)]
    public let staleNodes: [StaleNodeIndex]

    init(version: UInt64, rootHash: Hash256, newNodes: [(nodeKey: NodeKey, node: TreeNode)], staleNodes: [StaleNodeIndex]) {
        self.version = version
        self.rootHash = rootHash
        self.newNodes = newNodes.sorted { $0.nodeKey < $1.nodeKey }
        self.staleNodes = staleNodes.sorted()
    }

    /// The new nodes as (encoded NodeKey, encoded TreeNode) pairs, in key order.
    public var encodedNodes: [(key: [UInt8], value: [UInt8])] {
        newNodes.map { ($0.nodeKey.encoded, $0.node.encoded) }
    }
}
