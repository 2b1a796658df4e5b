import WaggleCore
import WaggleLedger

/// Transactions waiting for a block, in arrival order. Each is checked against the committed
/// state plus every transaction ahead of it (so one sender can queue consecutive nonces), and the
/// pool is re-checked against the new state after every block.
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
    }

    public let ledger: Ledger
    public let limits: Limits
    public private(set) var entries: [Entry] = []
    public private(set) var totalBytes = 0
    private var hashes: Set<Hash256> = []
    private var overlay: StateOverlay
    private var height: UInt64

    /// - Parameters:
    ///   - base: committed state.
    ///   - nextHeight: the height the pooled transactions are checked for.
    public init(ledger: Ledger, limits: Limits, base: any StateReader, nextHeight: UInt64) {
        self.ledger = ledger
        self.limits = limits
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
        do { _ = try ledger.applyDeferringFee(tx, height: height, state: &overlay) } catch { throw MempoolError(error) }
        overlay.discardJournal()
        entries.append(Entry(transaction: tx, hash: hash, size: size))
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
        for e in old where !committed.contains(e.hash) {
            do {
                _ = try ledger.applyDeferringFee(e.transaction, height: height, state: &overlay)
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
