import Dispatch
import Logging
import NIOConcurrencyHelpers
import WaggleConsensus
import WaggleCore
import WaggleLedger
import WaggleStore
import WaggleZK

/// The result of executing a block on the committed state, before it is written.
public struct ExecutedBlock: Sendable {
    /// The block's transaction hashes, in order.
    public let transactionHashes: [Hash256]
    public let changes: [StateChange]
    public let stateRoot: Hash256
    public let treeBatch: TreeUpdateBatch
    public let nextValidators: ValidatorSet
}

/// The last committed height as the node sees it.
public struct ChainHead: Sendable {
    public let height: UInt64
    public let blockID: Hash256
    public let timeMs: Int64
    public let stateRoot: Hash256
    public let info: ChainInfo

    /// The validator set that signs the next block.
    public var validators: ValidatorSet { info.currentValidators }
}

/// The node's chain: committed store, mempool, and the one path by which blocks are built,
/// validated, executed and committed, whoever proposed them.
///
/// Single writer: every method that touches the mutable state below runs on `queue`, a serial
/// dispatch queue off Swift's cooperative pool (RocksDB calls block on disk).
public final class Chain: @unchecked Sendable {
    public let genesis: GenesisDoc
    public let ledger: Ledger
    public let store: ChainStore
    public let logger: Logger
    let retainVersions: UInt64
    private let queue = DispatchQueue(label: "waggle.chain")
    /// Prepared verifying keys by circuit id, shared by the mempool and block execution.
    public let preparedKeys: PreparedVerifyingKeyCache

    // Confined to `queue`.
    private var mempool: Mempool
    private var headValue: ChainHead
    // The execution of the block built or validated last, by block id, and whether that block
    // passed every validation rule (both reset when the head moves).
    // The block id covers the body only through the header's roots, so the validated shortcut
    // compares the whole block, not just its id.
    private var executionCache: (id: Hash256, result: ExecutedBlock)?
    private var validatedBlock: Block?
    private var inclusionWaiters: [Hash256: [(id: UInt64, continuation: CheckedContinuation<InclusionOutcome, Never>)]] = [:]
    private var nextWaiterID: UInt64 = 0
    /// Waiter ids allocated but not yet registered, and those of them whose task was cancelled
    /// in between: both sets only hold ids until their registration block runs.
    private var unregisteredWaiters: Set<UInt64> = []
    private var cancelledBeforeRegistration: Set<UInt64> = []
    /// Why the most recent mempool drops happened (at most `recentDropsKept`, oldest first out),
    /// so a wait that registers just after its transaction was dropped still gets the reason.
    private var recentDrops: [Hash256: MempoolError] = [:]
    private var recentDropOrder: [Hash256] = []
    private let recentDropsKept = 4_096
    private let admissions: AsyncStream<Transaction>.Continuation

    /// Every transaction the mempool admits, from RPC or from a peer, in order: what the mempool
    /// reactor gossips. One consumer; it holds the newest 4,096 when nobody reads.
    public let admittedTransactions: AsyncStream<Transaction>

    /// Subscribers to `committedHeights()`, by id.
    private let heightWatchers = NIOLockedValueBox<(next: Int, all: [Int: AsyncStream<UInt64>.Continuation])>((0, [:]))

    /// Every height committed from now on, whoever committed it (the producer, block sync): what
    /// block sync announces to peers. Each call is a new subscriber; a slow one sees only the
    /// newest height.
    public func committedHeights() -> AsyncStream<UInt64> {
        let (stream, continuation) = AsyncStream.makeStream(of: UInt64.self, bufferingPolicy: .bufferingNewest(1))
        let id = heightWatchers.withLockedValue { w in
            w.next += 1
            w.all[w.next] = continuation
            return w.next
        }
        continuation.onTermination = { [weak self] _ in self?.heightWatchers.withLockedValue { _ = $0.all.removeValue(forKey: id) } }
        return stream
    }

    /// Opens the chain in `store`, writing genesis first if the store is empty. Refuses a store
    /// created from a different genesis.
    public init(genesis: GenesisDoc, genesisBytes: [UInt8], store: ChainStore, mempoolLimits: Mempool.Limits,
                retainVersions: UInt64, logger: Logger) throws(NodeError) {
        self.genesis = genesis
        ledger = genesis.ledger
        self.store = store
        self.logger = logger
        self.retainVersions = retainVersions
        if let stored = try store.genesisBytes() {
            guard stored == genesisBytes else {
                throw NodeError(.chain, "config/genesis.json differs from the genesis this node's data was created with")
            }
        } else {
            try store.writeGenesis(genesisBytes, doc: genesis)
        }
        let head = try Self.loadHead(store: store, genesis: genesis)
        headValue = head
        (admittedTransactions, admissions) = AsyncStream.makeStream(of: Transaction.self, bufferingPolicy: .bufferingNewest(4_096))
        let keys = PreparedVerifyingKeyCache()
        preparedKeys = keys
        mempool = Mempool(ledger: genesis.ledger, limits: mempoolLimits, base: store, nextHeight: head.height + 1, keys: keys)
    }

    static func loadHead(store: ChainStore, genesis: GenesisDoc) throws(NodeError) -> ChainHead {
        guard let height = try store.latestHeight() else { throw NodeError(.storage, "the database has no chain") }
        let info: ChainInfo
        do { info = try genesis.ledger.chainInfo(in: StateOverlay(base: store)) } catch {
            throw NodeError(.storage, "cannot read chain info: \(error)")
        }
        guard info.lastHeight == height else {
            throw NodeError(.storage, "state is at height \(info.lastHeight) but the block store at \(height)")
        }
        if height < genesis.initialHeight {
            let root = try store.stateRoot(atHeight: height)
            return ChainHead(height: height, blockID: .zero, timeMs: genesis.genesisTimeMs, stateRoot: root, info: info)
        }
        guard let block = try store.block(at: height) else { throw NodeError(.storage, "block \(height) is missing") }
        return ChainHead(height: height, blockID: block.id, timeMs: block.header.timeMs, stateRoot: block.header.stateRoot, info: info)
    }

    // MARK: Running on the chain queue

    func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            queue.async { cont.resume(with: Result { try body() }) }
        }
    }

    func onQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { cont in queue.async { cont.resume(returning: body()) } }
    }

    public var head: ChainHead { get async { await onQueue { self.headValue } } }

    // MARK: Mempool

    /// Checks and admits a transaction. Signature verification happens on the caller's task;
    /// the stateful check runs on the chain queue.
    public func submit(_ tx: Transaction) async throws(MempoolError) -> Hash256 {
        let size = tx.canonicalBytes.count
        guard size <= Transaction.maxEncodedSize else {
            throw MempoolError(.tooLarge, "transaction of \(size) bytes exceeds the limit of \(Transaction.maxEncodedSize)")
        }
        guard tx.verifySignature(chainID: genesis.chainID) else {
            throw MempoolError(.invalidSignature, "signature does not verify for chain \(genesis.chainID) (signed for another chain or with another key)")
        }
        let hash = tx.hash
        let result: Result<Hash256, MempoolError> = await onQueue {
            do {
                if try self.store.txLocation(hash) != nil {
                    return .failure(MempoolError(.alreadyCommitted, "transaction \(hash) is already committed"))
                }
            } catch {
                self.logger.error("cannot read the transaction index", metadata: ["error": "\(error)"])
                return .failure(MempoolError(.storage, "the node could not read its database; see its log"))
            }
            do throws(MempoolError) { try self.mempool.add(tx, hash: hash, size: size) } catch { return .failure(error) }
            self.admissions.yield(tx)
            return .success(hash)
        }
        return try result.get()
    }

    public var mempoolCount: Int { get async { await onQueue { self.mempool.count } } }
    public var mempoolBytes: Int { get async { await onQueue { self.mempool.totalBytes } } }
    /// The mempool's proof work: Groth16 verifications computed at admission and re-check, and
    /// re-checks that skipped the pairing of a statement verified before.
    public var mempoolProofStatistics: Mempool.ProofStatistics { get async { await onQueue { self.mempool.proofStatistics } } }

    /// How a wait for a transaction's inclusion ended.
    public enum InclusionOutcome: Sendable, Equatable {
        case included(TxLocation)
        /// The transaction is neither committed nor pooled: the mempool dropped it when
        /// re-checking it against a new block (with the ledger's reason when known).
        case dropped(MempoolError)
        case timedOut
        /// The waiting task was cancelled (the node is shutting down).
        case cancelled
    }

    /// Waits until `hash` is committed, up to `timeoutMs`, or until the mempool drops it or the
    /// calling task is cancelled. Every path resumes the waiter exactly once: whoever removes it
    /// from `inclusionWaiters` on the queue resumes it.
    public func waitForInclusion(_ hash: Hash256, timeoutMs: UInt64) async -> InclusionOutcome {
        let id: UInt64 = await onQueue {
            self.nextWaiterID += 1
            self.unregisteredWaiters.insert(self.nextWaiterID)
            return self.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<InclusionOutcome, Never>) in
                queue.async {
                    self.unregisteredWaiters.remove(id)
                    if self.cancelledBeforeRegistration.remove(id) != nil { return cont.resume(returning: .cancelled) }
                    if let loc = try? self.store.txLocation(hash) { return cont.resume(returning: .included(loc)) }
                    guard self.mempool.contains(hash) else {
                        let why = self.recentDrops[hash] ?? MempoolError(.notPooled, "transaction \(hash) is not in the mempool")
                        return cont.resume(returning: .dropped(why))
                    }
                    self.inclusionWaiters[hash, default: []].append((id, cont))
                    self.queue.asyncAfter(deadline: .now() + .milliseconds(Int(min(timeoutMs, 3_600_000)))) {
                        self.takeWaiter(hash, id)?.resume(returning: .timedOut)
                    }
                }
            }
        } onCancel: {
            queue.async {
                if let waiter = self.takeWaiter(hash, id) {
                    waiter.resume(returning: .cancelled)
                } else if self.unregisteredWaiters.contains(id) {
                    self.cancelledBeforeRegistration.insert(id)
                }
            }
        }
    }

    /// Removes one registered waiter (on the queue); nil when it was already resumed.
    private func takeWaiter(_ hash: Hash256, _ id: UInt64) -> CheckedContinuation<InclusionOutcome, Never>? {
        guard var list = inclusionWaiters[hash], let i = list.firstIndex(where: { $0.id == id }) else { return nil }
        let waiter = list.remove(at: i)
        inclusionWaiters[hash] = list.isEmpty ? nil : list
        return waiter.continuation
    }

    // MARK: Building, validating, committing

    /// Builds the next block from the mempool, executed on the committed state, with `proposer`
    /// as its proposer and `lastCommit` finalising the current head.
    public func buildBlock(proposer: Address, timeMs: Int64, lastCommit: Commit?) async throws -> Block {
        try await onQueue { try self.buildBlockOnQueue(proposer: proposer, timeMs: timeMs, lastCommit: lastCommit) }
    }

    private func buildBlockOnQueue(proposer: Address, timeMs: Int64, lastCommit: Commit?) throws -> Block {
        let head = headValue
        let height = head.height + 1
        let txs = mempool.reap(
            maxTransactions: Int(genesis.consensusParams.maxBlockTransactions), maxBytes: Int(genesis.consensusParams.maxBlockBytes))
        let time = max(timeMs, head.timeMs + 1)
        let executed = try execute(height: height, lastCommit: lastCommit, evidence: [], transactions: txs, hashes: txs.map(\.hash))
        let header = Header(
            chainID: genesis.chainID, height: height, timeMs: time, lastBlockID: head.blockID,
            lastCommitHash: Block.lastCommitHash(lastCommit), transactionsRoot: MerkleRoot.of(executed.transactionHashes.map(\.bytes)),
            stateRoot: executed.stateRoot, validatorsHash: head.validators.hash, nextValidatorsHash: executed.nextValidators.hash,
            proposer: proposer, evidenceRoot: Block.evidenceRoot([]))
        let block = Block(header: header, transactions: txs, evidence: [], lastCommit: lastCommit)
        executionCache = (block.id, executed)
        return block
    }

    /// Runs the ledger on a copy of committed state and computes the new state root.
    private func execute(
        height: UInt64, lastCommit: Commit?, evidence: [DuplicateVoteEvidence], transactions: [Transaction], hashes: [Hash256]
    ) throws -> ExecutedBlock {
        var overlay = StateOverlay(base: store)
        let next = try ledger.executeBlock(
            height: height, lastCommit: lastCommit, evidence: evidence, transactions: transactions, state: &overlay,
            keys: preparedKeys)
        let changes = overlay.changes
        let (root, batch) = try store.treeUpdate(changes, baseVersion: height - 1, version: height)
        return ExecutedBlock(transactionHashes: hashes, changes: changes, stateRoot: root, treeBatch: batch, nextValidators: next)
    }

    /// Validates a block proposed for the next height against every rule of Docs/PROTOCOL.md
    /// and executes it. Throws `BlockValidationError` naming the first broken rule.
    public func validate(_ block: Block) async throws -> ExecutedBlock {
        try await onQueue { try self.validateOnQueue(block) }
    }

    private func validateOnQueue(_ block: Block) throws -> ExecutedBlock {
        if let cached = executionCache, cached.id == block.id, validatedBlock == block { return cached.result }
        let head = headValue
        let h = block.header
        let height = head.height + 1
        func fail(_ why: String) -> BlockValidationError { BlockValidationError(height: h.height, why) }
        guard h.version == Header.protocolVersion else { throw fail("protocol version \(h.version) is not \(Header.protocolVersion)") }
        guard h.chainID == genesis.chainID else { throw fail("chain id \(h.chainID) is not \(genesis.chainID)") }
        guard h.height == height else { throw fail("expected height \(height)") }
        guard h.lastBlockID == head.blockID else { throw fail("last block id does not match block \(head.height)") }
        guard h.timeMs > head.timeMs else { throw fail("time \(h.timeMs) is not after the previous block's \(head.timeMs)") }
        guard h.validatorsHash == head.validators.hash else { throw fail("validators hash does not match the current set") }
        guard head.validators.index(of: h.proposer) != nil else { throw fail("proposer \(h.proposer) is not a validator") }
        guard block.transactions.count <= Int(genesis.consensusParams.maxBlockTransactions) else { throw fail("too many transactions") }
        let digest = TransactionDigest(block.transactions, chainID: genesis.chainID)
        guard h.transactionsRoot == MerkleRoot.of(digest.hashes.map(\.bytes)) else {
            throw fail(Block.Failure.transactionsRootMismatch.description)
        }
        guard h.evidenceRoot == Block.evidenceRoot(block.evidence) else { throw fail(Block.Failure.evidenceRootMismatch.description) }
        guard h.lastCommitHash == Block.lastCommitHash(block.lastCommit) else { throw fail(Block.Failure.lastCommitHashMismatch.description) }
        guard digest.totalBytes <= Int(genesis.consensusParams.maxBlockBytes) else {
            throw fail("transactions exceed \(genesis.consensusParams.maxBlockBytes) bytes")
        }
        if height == genesis.initialHeight {
            guard block.lastCommit == nil else { throw fail("the first block carries no last commit") }
        } else {
            guard let lc = block.lastCommit else { throw fail("missing the commit of block \(head.height)") }
            do { try lc.verify(chainID: genesis.chainID, validators: head.info.lastValidators, height: head.height, blockID: head.blockID) } catch {
                throw fail("last commit: \(error)")
            }
        }
        var seenEvidence = Set<Hash256>()
        let evidenceParams = EvidenceParams(
            maxAgeBlocks: genesis.consensusParams.evidenceMaxAgeBlocks, maxAgeMs: genesis.consensusParams.evidenceMaxAgeMs)
        for ev in block.evidence {
            guard seenEvidence.insert(ev.hash).inserted else { throw fail("duplicate evidence") }
            guard ev.height >= genesis.initialHeight, ev.height < height, let evBlock = try store.block(at: ev.height) else {
                throw fail("evidence from height \(ev.height) is not about a committed height")
            }
            guard !evidenceParams.isExpired(
                evidenceHeight: ev.height, evidenceTimeMs: UInt64(max(0, evBlock.header.timeMs)), currentHeight: height,
                currentTimeMs: UInt64(max(0, h.timeMs)))
            else { throw fail("evidence from height \(ev.height) has expired") }
        }
        if let i = digest.firstInvalidSignature { throw fail("transaction \(i) has an invalid signature") }
        let executed: ExecutedBlock
        if let cached = executionCache, cached.id == block.id {
            executed = cached.result
        } else {
            do {
                executed = try execute(
                    height: height, lastCommit: block.lastCommit, evidence: block.evidence, transactions: block.transactions,
                    hashes: digest.hashes)
            } catch let e as LedgerError where e.code == .corruptState {
                // This node could not read or decode its own state: not the block's fault (a
                // syncing node must not ban the peer that served it).
                throw NodeError(.storage, "executing block \(height): \(e.reason)")
            } catch let e as LedgerError {
                throw fail(e.reason)
            }
        }
        guard executed.stateRoot == h.stateRoot else { throw fail("state root does not match the result of execution") }
        guard executed.nextValidators.hash == h.nextValidatorsHash else { throw fail("next validators hash does not match execution") }
        executionCache = (block.id, executed)
        validatedBlock = block
        return executed
    }

    /// Commits a validated block with the commit that finalised it. The commit is verified like
    /// any other: the validators of this height must have precommitted more than two thirds.
    public func commit(_ block: Block, commit: Commit) async throws {
        try await onQueue { try self.commitOnQueue(block, commit: commit) }
    }

    private func commitOnQueue(_ block: Block, commit: Commit) throws {
        let head = headValue
        try commit.verify(chainID: genesis.chainID, validators: head.validators, height: block.height, blockID: block.id)
        let executed = try validateOnQueue(block)
        try store.commit(CommittedHeight(block: block, transactionHashes: executed.transactionHashes, commit: commit,
                                         changes: executed.changes, treeBatch: executed.treeBatch, nextValidators: executed.nextValidators))
        executionCache = nil
        validatedBlock = nil
        let info = try ledger.chainInfo(in: StateOverlay(base: store))
        headValue = ChainHead(height: block.height, blockID: block.id, timeMs: block.header.timeMs, stateRoot: block.header.stateRoot, info: info)
        for watcher in heightWatchers.withLockedValue({ Array($0.all.values) }) { watcher.yield(block.height) }

        let committed = Set(executed.transactionHashes)
        let dropped = mempool.update(committed: committed, base: store, nextHeight: block.height + 1)
        for (hash, why) in dropped {
            logger.debug("dropped transaction after recheck", metadata: ["tx": "\(hash)", "reason": "\(why)"])
            for w in inclusionWaiters.removeValue(forKey: hash) ?? [] { w.continuation.resume(returning: .dropped(why)) }
            if recentDrops.updateValue(why, forKey: hash) == nil { recentDropOrder.append(hash) }
            if recentDropOrder.count > recentDropsKept { recentDrops[recentDropOrder.removeFirst()] = nil }
        }
        for (i, hash) in executed.transactionHashes.enumerated() {
            guard let waiters = inclusionWaiters.removeValue(forKey: hash) else { continue }
            for w in waiters { w.continuation.resume(returning: .included(TxLocation(height: block.height, index: UInt32(i)))) }
        }
        if retainVersions > 0, block.height > retainVersions {
            // The height is committed whatever happens here: a pruning failure is logged and the
            // work (idempotent) is picked up again at the next commit.
            do {
                try store.pruneTree(upToVersion: block.height - retainVersions)
                try store.pruneHistory(upToHeight: block.height - retainVersions, maxBatches: 4)
            } catch {
                logger.warning("pruning failed; retrying at the next block", metadata: ["height": "\(block.height)", "error": "\(error)"])
            }
        }
        logger.info("committed block", metadata: [
            "height": "\(block.height)", "txs": "\(block.transactions.count)", "hash": "\(block.id)",
            "app_hash": "\(block.header.stateRoot)",
        ])
    }

    /// Runs a read against the store on the chain queue (consistent with the head).
    public func read<T: Sendable>(_ body: @escaping @Sendable (ChainStore, ChainHead) throws -> T) async throws -> T {
        try await onQueue { try body(self.store, self.headValue) }
    }

    /// Runs a read of data that never changes once committed (blocks, commits, the transaction
    /// index, validator sets by height) on a concurrent queue, so that heavy reads (decoding
    /// whole blocks) never wait for, or delay, block production on the chain queue. RocksDB
    /// reads are thread-safe; the caller bounds heights by a head it read through `read`.
    public func readCommitted<T: Sendable>(_ body: @escaping @Sendable (ChainStore) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            Self.committedReads.async { cont.resume(with: Result { try body(self.store) }) }
        }
    }

    private static let committedReads = DispatchQueue(label: "waggle.committed-reads", attributes: .concurrent)
}
