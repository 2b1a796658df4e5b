import WaggleCore
import WaggleLedger
import WaggleZK

/// Transactions waiting for a block, in arrival order. Each is checked against the committed
/// state plus every transaction ahead of it (so one sender can queue consecutive nonces), and the
/// pool is re-checked against the new state after every block.
///
/// A contribution's proof is verified on its own at admission (its pairing is the costly check).
/// Its validity depends on nothing in state, so the re-checks after a block run every
/// state-dependent rule again (nonce, binding, replay, task open, funds) but skip the pairing of
/// each statement (circuit id, proof, inputs) the pool verified before.
///
/// Not thread-safe: the node owns it on its chain queue.
public struct Mempool {
    public struct Limits: Sendable {
        public var maxTransactions: Int
        public var maxBytes: Int
        public var maxTransactionBytes: Int

        public init(maxTransactions: Int = 5_000, maxBytes: Int = 64 << 20, maxTransactionBytes: Int = Transaction.maxEncodedSize) {
            self.maxTransactions = maxTransactions
            self.maxBytes = maxBytes
            self.maxTransactionBytes = maxTransactionBytes
        }
    }

    public struct Entry: Sendable {
        public let transaction: Transaction
        public let hash: Hash256
        public let size: Int
        /// For a contribution: the digest of the statement whose proof was verified at admission
        /// (`Groth16BatchItem.statementDigest(circuitID:)`).
        public let verifiedStatement: Hash256?
    }

    /// The pool's proof work since it was made: pairings computed (each a full Groth16
    /// verification) and pairings skipped on re-checks because the statement was verified before.
    public struct ProofStatistics: Sendable, Equatable {
        public var verified: Int
        public var skippedAsVerified: Int

        public init(verified: Int = 0, skippedAsVerified: Int = 0) {
            self.verified = verified
            self.skippedAsVerified = skippedAsVerified
        }
    }

    public let ledger: Ledger
    public let limits: Limits
    /// Prepared verifying keys, shared with the node's block validation.
    public let keys: PreparedVerifyingKeyCache
    public private(set) var proofStatistics = ProofStatistics()
    public private(set) var entries: [Entry] = []
    public private(set) var totalBytes = 0
    private var hashes: Set<Hash256> = []
    private var overlay: StateOverlay
    private var height: UInt64

    /// - Parameters:
    ///   - base: committed state.
    ///   - nextHeight: the height the pooled transactions are checked for.
    ///   - keys: the prepared-key cache (the node shares one with block validation).
    public init(
        ledger: Ledger, limits: Limits, base: any StateReader, nextHeight: UInt64,
        keys: PreparedVerifyingKeyCache = PreparedVerifyingKeyCache()
    ) {
        self.ledger = ledger
        self.limits = limits
        self.keys = keys
        overlay = StateOverlay(base: base)
        height = nextHeight
    }

    public var count: Int { entries.count }
    public func contains(_ hash: Hash256) -> Bool { hashes.contains(hash) }

    /// Adds a transaction whose signature the caller has verified for this chain.
    public mutating func add(_ tx: Transaction, hash: Hash256, size: Int) throws(MempoolError) {
        guard size <= limits.maxTransactionBytes else {
            throw MempoolError(.tooLarge, "transaction of \(size) bytes exceeds the limit of \(limits.maxTransactionBytes)")
        }
        guard !hashes.contains(hash) else { throw MempoolError(.duplicate, "transaction \(hash) is already in the mempool") }
        guard entries.count < limits.maxTransactions, totalBytes + size <= limits.maxBytes else {
            throw MempoolError(.full, "mempool is full (\(entries.count) transactions, \(totalBytes) bytes)")
        }
        var proofs = ProofChecks(keys: keys)
        defer { proofStatistics.verified += proofs.singleVerifications }
        do { _ = try ledger.applyDeferringFee(tx, height: height, state: &overlay, proofs: &proofs) } catch { throw MempoolError(error) }
        overlay.discardJournal()
        entries.append(Entry(transaction: tx, hash: hash, size: size, verifiedStatement: proofs.lastStatement))
        hashes.insert(hash)
        totalBytes += size
    }

    /// The transactions for the next block, in order, within the block limits.
    public func reap(maxTransactions: Int, maxBytes: Int) -> [Transaction] {
        var out: [Transaction] = []
        var bytes = 0
        for e in entries {
            guard out.count < maxTransactions, bytes + e.size <= maxBytes else { break }
            out.append(e.transaction)
            bytes += e.size
        }
        return out
    }

    /// After a block: drops the committed transactions and re-checks the rest, in order, against
    /// the new state. Returns the transactions that no longer apply, with the reason.
    @discardableResult
    public mutating func update(committed: Set<Hash256>, base: any StateReader, nextHeight: UInt64) -> [(Hash256, MempoolError)] {
        let old = entries
        entries = []
        hashes = []
        totalBytes = 0
        overlay = StateOverlay(base: base)
        height = nextHeight
        var dropped: [(Hash256, MempoolError)] = []
        var proofs = ProofChecks(keys: keys, trusted: Set(old.compactMap(\.verifiedStatement)))
        defer {
            proofStatistics.verified += proofs.singleVerifications
            proofStatistics.skippedAsVerified += proofs.trustedSkips
        }
        for e in old where !committed.contains(e.hash) {
            do {
                _ = try ledger.applyDeferringFee(e.transaction, height: height, state: &overlay, proofs: &proofs)
                entries.append(e)
                hashes.insert(e.hash)
                totalBytes += e.size
            } catch {
                dropped.append((e.hash, MempoolError(error)))
            }
        }
        overlay.discardJournal()
        return dropped
    }
}
