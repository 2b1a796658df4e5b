/// Tree nodes held in memory: for tests and for tools that build a tree without a database.
public struct MemoryTreeStore: TreeNodeReader, Sendable {
    public private(set) var nodes: [NodeKey: TreeNode] = [:]
    public private(set) var staleIndex: [StaleNodeIndex] = []

    public init() {}

    public func node(_ key: NodeKey) throws -> TreeNode? { nodes[key] }

    public mutating func apply(_ batch: TreeUpdateBatch) {
        for (key, node) in batch.newNodes { nodes[key] = node }
        staleIndex.append(contentsOf: batch.staleNodes)
    }

    /// Deletes the nodes stale since `version` or earlier; returns how many.
    @discardableResult
    public mutating func prune(upToVersion version: UInt64) -> Int {
        let (gone, kept) = (staleIndex.filter { $0.staleSinceVersion <= version }, staleIndex.filter { $0.staleSinceVersion > version })
        for s in gone { nodes[s.nodeKey] = nil }
        staleIndex = kept
        return gone.count
    }
}
