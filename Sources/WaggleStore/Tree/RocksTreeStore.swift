import WaggleCore

/// The tree's nodes in RocksDB: one column family maps encoded `NodeKey` to encoded `TreeNode`,
/// another holds the stale-node index (encoded `StaleNodeIndex` to an empty value). Which column
/// families these are is the node's business; the store only needs the two names.
///
/// Reads block on disk I/O (see `RocksDB`).
public struct RocksTreeStore: TreeNodeReader, Sendable {
    public let database: RocksDB
    public let nodesColumnFamily: RocksDB.ColumnFamily
    public let staleColumnFamily: RocksDB.ColumnFamily

    public init(database: RocksDB, nodes: RocksDB.ColumnFamily, stale: RocksDB.ColumnFamily) {
        self.database = database
        nodesColumnFamily = nodes
        staleColumnFamily = stale
    }

    /// Throws `CodecError` when the stored bytes are not a canonical node.
    public func node(_ key: NodeKey) throws -> TreeNode? {
        try database.get(key.encoded, in: nodesColumnFamily).map { try TreeNode(encoded: $0) }
    }

    /// Adds a tree update to `wb`: the caller writes it in the same atomic batch as the rest of
    /// the height.
    public static func write(
        _ batch: TreeUpdateBatch, into wb: WriteBatch, nodesCF: RocksDB.ColumnFamily, staleCF: RocksDB.ColumnFamily
    ) {
        for (key, node) in batch.newNodes { wb.put(key.encoded, node.encoded, in: nodesCF) }
        for stale in batch.staleNodes { wb.put(stale.encoded, [], in: staleCF) }
    }

    public func write(_ batch: TreeUpdateBatch, into wb: WriteBatch) {
        Self.write(batch, into: wb, nodesCF: nodesColumnFamily, staleCF: staleColumnFamily)
    }

    /// Deletes every node that is stale since `version` or earlier, with its index entry, in
    /// batches of `batchSize`. Versions below `version` may no longer be readable afterwards;
    /// `version` and later keep every node they use. Idempotent, so an interrupted run is simply
    /// repeated; hence the batches are not synced. Returns the number of nodes deleted.
    @discardableResult
    public func prune(upToVersion version: UInt64, batchSize: Int = 10_000) throws -> Int {
        let upper = StaleNodeIndex.upperBound(pruningUpTo: version)
        var total = 0
        while true {
            let entries = try database.entries(in: staleColumnFamily, upperBound: upper, limit: max(1, batchSize))
            if entries.isEmpty { return total }
            let wb = WriteBatch()
            for entry in entries {
                let index = try StaleNodeIndex(encoded: entry.key)
                wb.delete(index.nodeKey.encoded, in: nodesColumnFamily)
                wb.delete(entry.key, in: staleColumnFamily)
            }
            try database.write(wb, sync: false)
            total += entries.count
        }
    }
}
