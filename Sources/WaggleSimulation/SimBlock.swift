import WaggleCore

/// An abstract block: enough to have an id, a validity verdict and evidence to commit. Real
/// Ed25519 signatures still cover its id in every proposal, vote and commit.
public struct SimBlock: Hashable, Sendable, CanonicalCodable {
    public var height: UInt64
    public var round: UInt32
    public var proposer: Address
    public var timeMs: UInt64
    public var nonce: UInt64
    /// What the application would say about the transactions; a Byzantine proposer sets false.
    public var isValid: Bool
    public var evidence: [DuplicateVoteEvidence]

    public init(height: UInt64, round: UInt32, proposer: Address, timeMs: UInt64, nonce: UInt64, isValid: Bool, evidence: [DuplicateVoteEvidence]) {
        self.height = height
        self.round = round
        self.proposer = proposer
        self.timeMs = timeMs
        self.nonce = nonce
        self.isValid = isValid
        self.evidence = evidence
    }

    public var id: Hash256 { Hash256.sha256(canonicalBytes) }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(height)
        e.u32(round)
        e.encode(proposer)
        e.u64(timeMs)
        e.u64(nonce)
        e.bool(isValid)
        e.list(evidence)
    }

    public init(from d: inout CanonicalDecoder) throws {
        height = try d.u64()
        round = try d.u32()
        proposer = try d.decode()
        timeMs = try d.u64()
        nonce = try d.u64()
        isValid = try d.bool()
        evidence = try d.list(DuplicateVoteEvidence.self, maxCount: Block.maxEvidence)
    }
}
