import WaggleCore
import WaggleLedger
import WaggleStore

/// Where a committed transaction lives.
public struct TxLocation: Hashable, Sendable, CanonicalCodable {
    public let height: UInt64
    public let index: UInt32

    public init(height: UInt64, index: UInt32) {
        self.height = height
        self.index = index
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(height)
        e.u32(index)
    }

    public init(from d: inout CanonicalDecoder) throws {
        height = try d.u64()
        index = try d.u32()
    }
}

/// Everything one height adds to the database, written in one atomic, fsynced WriteBatch.
public struct CommittedHeight: Sendable {
    public let block: Block
    /// The hashes of `block.transactions`, in order (computed once during validation).
    public let transactionHashes: [Hash256]
    /// The commit that finalised `block` (the next block carries it as `lastCommit`).
    public let commit: Commit
    public let changes: [StateChange]
    public let treeBatch: TreeUpdateBatch
    /// The validator set that signs the next height.
    public let nextValidators: ValidatorSet
}

/// The node's RocksDB database: blocks, commits, transaction index, state (latest and by
/// version), the state tree and validator sets. Column families and key layouts are listed in
/// Docs/ARCHITECTURE.md. Every call blocks on disk: callers run it off the cooperative pool.
public final class ChainStore: StateReader, @unchecked Sendable {
    // @unchecked: RocksDB handles are thread-safe; this class holds no other mutable state.

    enum CF {
        static let meta = RocksDB.ColumnFamily("meta")
        static let blocks = RocksDB.ColumnFamily("blocks")
        static let blockIndex = RocksDB.ColumnFamily("block_index")
        static let commits = RocksDB.ColumnFamily("commits")
        static let txIndex = RocksDB.ColumnFamily("tx_index")
        static let state = RocksDB.ColumnFamily("state")
        static let stateHistory = RocksDB.ColumnFamily("state_history")
        /// height ‖ state key → empty: which keys each height changed, so that pruning finds the
        /// history entries a height superseded without scanning the whole history.
        static let stateChanges = RocksDB.ColumnFamily("state_changes")
        static let treeNodes = RocksDB.ColumnFamily("tree_nodes")
        static let treeStale = RocksDB.ColumnFamily("tree_stale")
        static let validatorSets = RocksDB.ColumnFamily("validator_sets")
        static let all = [RocksDB.ColumnFamily.default, meta, blocks, blockIndex, commits, txIndex, state, stateHistory, stateChanges, treeNodes, treeStale, validatorSets]
    }

    enum MetaKey {
        static let latestHeight = Array("latest_height".utf8)
        static let genesis = Array("genesis".utf8)
        static let initialHeight = Array("initial_height".utf8)
        /// State history is readable at this height and above (absent: every height).
        static let historyRetainedFrom = Array("history_retained_from".utf8)
        /// The last `state_changes` key pruning has processed (its scans start after it).
        static let historyPruneCursor = Array("history_prune_cursor".utf8)
    }

    let db: RocksDB
    let treeStore: RocksTreeStore

    public init(path: String) throws(NodeError) {
        try FileIO.makeDirectory(path, mode: 0o700)
        do {
            db = try RocksDB(path: path, columnFamilies: CF.all)
        } catch let e as RocksDBError where e.code == .locked {
            throw NodeError(.storage, "the database at \(path) is in use: is another node running on this home?")
        } catch {
            throw NodeError(.storage, "cannot open the database at \(path): \(error)")
        }
        treeStore = RocksTreeStore(database: db, nodes: CF.treeNodes, stale: CF.treeStale)
    }

    public func close() {
        try? db.close()
    }

    // MARK: Keys

    static func heightKey(_ h: UInt64) -> [UInt8] { h.canonicalBytes }

    static func historyKey(_ key: StateKey, _ height: UInt64) -> [UInt8] {
        var e = CanonicalEncoder()
        e.bytes(key.bytes)
        e.u64(height)
        return e.bytes
    }

    // MARK: Reads

    func read<T>(_ what: String, _ body: () throws -> T) throws(NodeError) -> T {
        do { return try body() } catch { throw NodeError(.storage, "cannot read \(what): \(error)") }
    }

    func decode<T: CanonicalDecodable>(_: T.Type, _ bytes: [UInt8]?, _ what: String) throws(NodeError) -> T? {
        guard let bytes else { return nil }
        do { return try T(canonicalBytes: bytes) } catch { throw NodeError(.storage, "stored \(what) is corrupt: \(error)") }
    }

    /// The last committed height, nil before genesis was written.
    public func latestHeight() throws(NodeError) -> UInt64? {
        try decode(UInt64.self, try read("latest height") { try db.get(MetaKey.latestHeight, in: CF.meta) }, "latest height")
    }

    public func initialHeight() throws(NodeError) -> UInt64? {
        try decode(UInt64.self, try read("initial height") { try db.get(MetaKey.initialHeight, in: CF.meta) }, "initial height")
    }

    /// The genesis file this database was created from, byte for byte.
    public func genesisBytes() throws(NodeError) -> [UInt8]? {
        try read("genesis") { try db.get(MetaKey.genesis, in: CF.meta) }
    }

    public func block(at height: UInt64) throws(NodeError) -> Block? {
        try decode(Block.self, try read("block \(height)") { try db.get(Self.heightKey(height), in: CF.blocks) }, "block \(height)")
    }

    public func height(ofBlock id: Hash256) throws(NodeError) -> UInt64? {
        try decode(UInt64.self, try read("block index") { try db.get(id.bytes, in: CF.blockIndex) }, "block index")
    }

    /// The commit that finalised the block at `height`.
    public func commit(at height: UInt64) throws(NodeError) -> Commit? {
        try decode(Commit.self, try read("commit \(height)") { try db.get(Self.heightKey(height), in: CF.commits) }, "commit \(height)")
    }

    public func txLocation(_ hash: Hash256) throws(NodeError) -> TxLocation? {
        try decode(TxLocation.self, try read("tx index") { try db.get(hash.bytes, in: CF.txIndex) }, "tx index")
    }

    /// The validator set that signs the block at `height`.
    public func validatorSet(at height: UInt64) throws(NodeError) -> ValidatorSet? {
        try decode(ValidatorSet.self, try read("validator set") { try db.get(Self.heightKey(height), in: CF.validatorSets) }, "validator set")
    }

    /// Latest committed value of a state key (the ledger's reads).
    public func get(_ key: StateKey) throws -> [UInt8]? {
        try db.get(key.bytes, in: CF.state)
    }

    /// The latest committed keys of one state namespace, in key order (`circuits` lists 0x09).
    public func stateKeys(namespace: StateKey.Namespace) throws(NodeError) -> [StateKey] {
        let ns = namespace.rawValue
        return try read("state keys") {
            try db.entries(in: CF.state, lowerBound: [ns], upperBound: [ns + 1]).map { StateKey(bytes: $0.key) }
        }
    }

    /// The lowest height whose state history is still kept (0 when nothing was pruned).
    public func historyRetainedFrom() throws(NodeError) -> UInt64 {
        try decode(UInt64.self, try read("history retention") { try db.get(MetaKey.historyRetainedFrom, in: CF.meta) }, "history retention") ?? 0
    }

    /// The value of a state key as of the end of `height`, nil when it did not exist then.
    /// Throws `.pruned` for a height below `historyRetainedFrom()`.
    public func stateValue(_ key: StateKey, atHeight height: UInt64) throws(NodeError) -> [UInt8]? {
        let retainedFrom = try historyRetainedFrom()
        guard height >= retainedFrom else {
            throw NodeError(.pruned, "state at height \(height) was pruned; history is kept from height \(retainedFrom)")
        }
        let lower = Self.historyKey(key, 0)
        let upper = Self.historyKey(key, height + 1)
        guard let entry = try read("state history", { try db.lastEntry(in: CF.stateHistory, lowerBound: lower, upperBound: upper) }) else {
            return nil
        }
        // History values carry a one-byte tag: 0 = deleted, 1 = value follows.
        guard let tag = entry.value.first else { throw NodeError(.storage, "stored state history entry is empty") }
        return tag == 0 ? nil : Array(entry.value.dropFirst())
    }

    /// The state root at `height` (the genesis state is version initial_height - 1).
    public func stateRoot(atHeight height: UInt64) throws(NodeError) -> Hash256 {
        do { return try JellyfishMerkleTree(reader: treeStore).rootHash(version: height) } catch {
            throw NodeError(.storage, "no state root for height \(height): \(error)")
        }
    }

    /// A Merkle proof of `key`'s value (or absence) against the state root of `height`.
    public func stateProof(_ key: StateKey, atHeight height: UInt64) throws(NodeError) -> SparseMerkleProof {
        do { return try JellyfishMerkleTree(reader: treeStore).proof(key: key.treeKey, version: height) } catch {
            throw NodeError(.storage, "cannot build a state proof at height \(height): \(error)")
        }
    }

    // MARK: Writes

    /// The tree update for a set of state changes on top of `baseVersion` (nil: empty tree).
    public func treeUpdate(_ changes: [StateChange], baseVersion: UInt64?, version: UInt64) throws(NodeError) -> (root: Hash256, batch: TreeUpdateBatch) {
        do {
            let (root, batch) = try JellyfishMerkleTree(reader: treeStore).update(
                baseVersion: baseVersion, version: version, changes: changes.map { ($0.key.treeKey, $0.value) })
            return (root, batch)
        } catch {
            throw NodeError(.storage, "state tree update failed: \(error)")
        }
    }

    private func addState(_ changes: [StateChange], height: UInt64, to wb: WriteBatch) {
        for c in changes {
            wb.put(Self.heightKey(height) + c.key.bytes, [], in: CF.stateChanges)
            if let v = c.value {
                wb.put(c.key.bytes, v, in: CF.state)
                wb.put(Self.historyKey(c.key, height), [1] + v, in: CF.stateHistory)
            } else {
                wb.delete(c.key.bytes, in: CF.state)
                wb.put(Self.historyKey(c.key, height), [0], in: CF.stateHistory)
            }
        }
    }

    /// Writes the genesis state at version `initialHeight - 1`. Fails if the database already
    /// holds a chain.
    public func writeGenesis(_ genesisBytes: [UInt8], doc: GenesisDoc) throws(NodeError) {
        guard try latestHeight() == nil else { throw NodeError(.storage, "the database already holds a chain") }
        let (changes, validators): ([StateChange], ValidatorSet)
        do { (changes, validators) = try doc.initialState() } catch { throw NodeError(.chain, error.reason) }
        let version = doc.initialHeight - 1
        let (_, batch) = try treeUpdate(changes, baseVersion: nil, version: version)
        let wb = WriteBatch()
        addState(changes, height: version, to: wb)
        treeStore.write(batch, into: wb)
        wb.put(Self.heightKey(doc.initialHeight), validators.canonicalBytes, in: CF.validatorSets)
        wb.put(MetaKey.genesis, genesisBytes, in: CF.meta)
        wb.put(MetaKey.initialHeight, doc.initialHeight.canonicalBytes, in: CF.meta)
        wb.put(MetaKey.latestHeight, version.canonicalBytes, in: CF.meta)
        do { try db.write(wb, sync: true) } catch { throw NodeError(.storage, "cannot write genesis: \(error)") }
    }

    /// Commits one height atomically: after a crash at any instant the database holds either all
    /// of it or none of it.
    public func commit(_ h: CommittedHeight) throws(NodeError) {
        let height = h.block.height
        let wb = WriteBatch()
        wb.put(Self.heightKey(height), h.block.canonicalBytes, in: CF.blocks)
        wb.put(h.block.id.bytes, height.canonicalBytes, in: CF.blockIndex)
        wb.put(Self.heightKey(height), h.commit.canonicalBytes, in: CF.commits)
        for (i, hash) in h.transactionHashes.enumerated() {
            wb.put(hash.bytes, TxLocation(height: height, index: UInt32(i)).canonicalBytes, in: CF.txIndex)
        }
        addState(h.changes, height: height, to: wb)
        treeStore.write(h.treeBatch, into: wb)
        wb.put(Self.heightKey(height + 1), h.nextValidators.canonicalBytes, in: CF.validatorSets)
        wb.put(MetaKey.latestHeight, height.canonicalBytes, in: CF.meta)
        do { try db.write(wb, sync: true) } catch { throw NodeError(.storage, "cannot commit height \(height): \(error)") }
    }

    /// Writes a tree update on its own (benchmarks and tools; the node commits trees with blocks).
    public func writeTree(_ batch: TreeUpdateBatch) throws(NodeError) {
        let wb = WriteBatch()
        treeStore.write(batch, into: wb)
        do { try db.write(wb, sync: false) } catch { throw NodeError(.storage, "cannot write tree nodes: \(error)") }
    }

    /// Drops the state history that only heights below `height` use: for every key changed at a
    /// height h ≤ `height`, the entries older than h (and the entry at h itself when it records a
    /// deletion). Heights `height` and above read exactly as before; reads below it throw
    /// `.pruned`. The retention mark is written before anything is deleted, so a crash part-way
    /// never lets a read see a half-pruned history; the rest is idempotent and simply repeated by
    /// the next call, so its batches are not synced. Returns the number of history entries deleted.
    ///
    /// `maxBatches` bounds the work of one call (the node prunes a little at every commit, so a
    /// large backlog never stalls a commit); a cursor in `meta`, written with each batch, lets
    /// the next call resume where this one stopped without scanning what was already pruned.
    @discardableResult
    public func pruneHistory(upToHeight height: UInt64, batchSize: Int = 10_000, maxBatches: Int = .max) throws(NodeError) -> Int {
        do {
            if try historyRetainedFrom() < height {
                try db.put(MetaKey.historyRetainedFrom, height.canonicalBytes, in: CF.meta, sync: false)
            }
            let upper = height == .max ? nil : Self.heightKey(height + 1)
            var deleted = 0
            for _ in 0..<max(1, maxBatches) {
                // The smallest key after the cursor is the cursor followed by a zero byte.
                let lower = try db.get(MetaKey.historyPruneCursor, in: CF.meta).map { $0 + [0] }
                let changes = try db.entries(in: CF.stateChanges, lowerBound: lower, upperBound: upper, limit: max(1, batchSize))
                if changes.isEmpty { return deleted }
                let wb = WriteBatch()
                for change in changes {
                    guard change.key.count > 8 else { throw NodeError(.storage, "malformed state_changes key") }
                    let changedAt = try UInt64(canonicalBytes: Array(change.key.prefix(8)))
                    let key = StateKey(bytes: Array(change.key.dropFirst(8)))
                    let superseded = try db.entries(
                        in: CF.stateHistory, lowerBound: Self.historyKey(key, 0), upperBound: Self.historyKey(key, changedAt))
                    for entry in superseded { wb.delete(entry.key, in: CF.stateHistory) }
                    deleted += superseded.count
                    let own = Self.historyKey(key, changedAt)
                    if try db.get(own, in: CF.stateHistory) == [0] {
                        wb.delete(own, in: CF.stateHistory)
                        deleted += 1
                    }
                    wb.delete(change.key, in: CF.stateChanges)
                }
                wb.put(MetaKey.historyPruneCursor, changes[changes.count - 1].key, in: CF.meta)
                try db.write(wb, sync: false)
            }
            return deleted
        } catch let e as NodeError {
            throw e
        } catch {
            throw NodeError(.storage, "pruning state history failed: \(error)")
        }
    }

    /// Deletes tree nodes that became stale at or before `version` (proofs at older versions
    /// stop working; `version` and later keep every node they use).
    public func pruneTree(upToVersion version: UInt64) throws(NodeError) {
        do { _ = try treeStore.prune(upToVersion: version) } catch { throw NodeError(.storage, "pruning failed: \(error)") }
    }
}
