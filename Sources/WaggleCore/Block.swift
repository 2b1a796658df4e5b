/// A block: header, transactions, evidence, and the commit that finalised the previous block
/// (absent only at the chain's initial height).
public struct Block: Hashable, Sendable, CanonicalCodable {
    public static let maxTransactions = 10_000
    public static let maxEvidence = 100
    public static let maxEncodedSize = 16 * 1024 * 1024

    public var header: Header
    public var transactions: [Transaction]
    public var evidence: [DuplicateVoteEvidence]
    public var lastCommit: Commit?

    public init(header: Header, transactions: [Transaction], evidence: [DuplicateVoteEvidence], lastCommit: Commit?) {
        self.header = header
        self.transactions = transactions
        self.evidence = evidence
        self.lastCommit = lastCommit
    }

    public var id: Hash256 { header.blockID }
    public var height: UInt64 { header.height }

    public static func transactionsRoot(_ txs: [Transaction]) -> Hash256 { MerkleRoot.of(txs.map { $0.hash.bytes }) }
    public static func evidenceRoot(_ ev: [DuplicateVoteEvidence]) -> Hash256 { MerkleRoot.of(ev.map { $0.hash.bytes }) }
    public static func lastCommitHash(_ c: Commit?) -> Hash256 { c?.hash ?? Hash256.zero }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case transactionsRootMismatch, evidenceRootMismatch, lastCommitHashMismatch
        public var description: String {
            switch self {
            case .transactionsRootMismatch: "transactions root does not match the block's transactions"
            case .evidenceRootMismatch: "evidence root does not match the block's evidence"
            case .lastCommitHashMismatch: "last commit hash does not match the block's last commit"
            }
        }
    }

    /// Checks that the header commits to the body it travels with.
    public func validateBody() throws(Failure) {
        guard header.transactionsRoot == Self.transactionsRoot(transactions) else { throw .transactionsRootMismatch }
        guard header.evidenceRoot == Self.evidenceRoot(evidence) else { throw .evidenceRootMismatch }
        guard header.lastCommitHash == Self.lastCommitHash(lastCommit) else { throw .lastCommitHashMismatch }
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(header)
        e.list(transactions)
        e.list(evidence)
        e.optional(lastCommit)
    }

    public init(from d: inout CanonicalDecoder) throws {
        header = try d.decode()
        transactions = try d.list(Transaction.self, maxCount: Self.maxTransactions)
        evidence = try d.list(DuplicateVoteEvidence.self, maxCount: Self.maxEvidence)
        lastCommit = try d.optional()
    }
}
