import WaggleCore
import WaggleZK

/// How the ledger computes the pairing check of `contribute` proofs, and what it has computed.
///
/// A proof's validity depends only on its statement (circuit key, proof, public inputs), never on
/// state, so where and when the pairing runs changes no verdict:
/// - `single` (the default; the mempool's admission): every proof is verified on its own when its
///   transaction is applied, and fails the transaction with `proof_rejected`.
/// - statements in `trusted` (the mempool's re-checks after a block) are ones this caller verified
///   before: their pairing is not computed again. Every state-dependent check still runs.
/// - `deferred` (block execution, `Ledger.executeBlock`): the pairing is left out of each
///   transaction and the block's proofs are verified together, in one batch, at the end (or as
///   soon as a transaction fails), so the block's verdict and error are those of single
///   verification in order.
public struct ProofChecks: Sendable {
    enum Mode: Sendable { case single, deferred }

    /// One contribution whose pairing is still to be checked.
    struct Deferred: Sendable {
        let transaction: Int
        let transactionHash: Hash256
        let circuit: Hash256
        let key: PreparedVerifyingKey
        let item: Groth16BatchItem
    }

    /// Where prepared verifying keys come from (shared by a node's mempool and block validation).
    public let keys: PreparedVerifyingKeyCache
    let mode: Mode
    /// Statement digests (`Groth16BatchItem.statementDigest(circuitID:)`) whose proofs were
    /// verified before: their pairing is skipped.
    public var trusted: Set<Hash256>
    /// How many proofs this value verified on their own (pairing computed), in `single` mode.
    public internal(set) var singleVerifications = 0
    /// How many proofs were skipped because their statement was trusted.
    public internal(set) var trustedSkips = 0
    /// The statement digest of the contribution of the last transaction applied, when it was a
    /// contribution that passed every check (nil otherwise).
    public internal(set) var lastStatement: Hash256?
    /// `deferred` mode: the contributions whose pairing is pending, in transaction order.
    var pending: [Deferred] = []
    /// `deferred` mode: the index in the block, and the hash, of the transaction being applied.
    var currentTransaction = 0
    var currentTransactionHash = Hash256.zero
    /// `deferred` mode: the most distinct circuits whose prepared keys the pending list may hold
    /// (a key with many public inputs is megabytes of tables). A contribution to another circuit
    /// first settles the pending prefix, which keeps the verdict: the first bad proof of a prefix
    /// is where single verification in order stops.
    static let maxPendingCircuits = 16
    var pendingCircuits: Set<Hash256> = []
    /// The error of an early settlement: it names an earlier transaction, and the block fails
    /// with it as it is.
    var settlementFailure: LedgerError?

    /// Single verification, with prepared keys from `keys`, skipping the pairing of `trusted`
    /// statements.
    public init(keys: PreparedVerifyingKeyCache = PreparedVerifyingKeyCache(), trusted: Set<Hash256> = []) {
        self.keys = keys
        self.mode = .single
        self.trusted = trusted
    }

    init(deferringWith keys: PreparedVerifyingKeyCache) {
        self.keys = keys
        self.mode = .deferred
        self.trusted = []
    }

    static func rejection(_ circuit: Hash256) -> LedgerError {
        LedgerError(.proofRejected, "the proof does not verify for circuit \(circuit)")
    }

    /// The pairing check of one contribution whose every other check has passed.
    mutating func check(_ item: Groth16BatchItem, key: PreparedVerifyingKey, circuit: Hash256) throws(LedgerError) {
        switch mode {
        case .deferred:
            if !pendingCircuits.contains(circuit), pendingCircuits.count >= Self.maxPendingCircuits {
                do { try settle() } catch {
                    settlementFailure = error
                    throw error
                }
            }
            pendingCircuits.insert(circuit)
            pending.append(
                Deferred(transaction: currentTransaction, transactionHash: currentTransactionHash, circuit: circuit, key: key, item: item))
        case .single:
            let statement = item.statementDigest(circuitID: circuit)
            if trusted.contains(statement) {
                trustedSkips += 1
            } else {
                singleVerifications += 1
                let ok: Bool
                do { ok = try key.verify(item.proof, publicInputs: item.publicInputs) } catch {
                    throw LedgerError(.invalidProof, "proof: \(error)")
                }
                guard ok else { throw Self.rejection(circuit) }
            }
            lastStatement = statement
        }
    }

    /// `deferred` mode: verifies every pending proof in one batch (Fiat-Shamir coefficients over
    /// every (circuit id, proof, inputs) in transaction order, Docs/PROTOCOL.md "Batch
    /// verification of a block's proofs") and empties the list. When the batch fails, the proofs
    /// are checked one by one and the first bad one, in transaction order, is reported as its
    /// transaction's error: the error single verification in order would have stopped at.
    mutating func settle() throws(LedgerError) {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        pendingCircuits = []
        let result = PreparedVerifyingKey.batchVerify(batch.map { (key: $0.key, item: $0.item) })
        guard let bad = result.invalidIndices.first else { return }
        let d = batch[bad]
        let e = Self.rejection(d.circuit)
        throw LedgerError(e.code, "transaction \(d.transaction) (\(d.transactionHash)): \(e.reason)")
    }
}
