import WaggleCore

/// How long duplicate-vote evidence stays admissible. As in CometBFT (evidence/verify.go),
/// evidence is expired only when it is older than `maxAgeBlocks` blocks AND older than
/// `maxAgeMs` milliseconds: either bound alone keeps it alive, so a chain that stalls or races
/// still punishes.
public struct EvidenceParams: Hashable, Sendable, Codable {
    public var maxAgeBlocks: UInt64
    public var maxAgeMs: UInt64

    public init(maxAgeBlocks: UInt64 = 100_000, maxAgeMs: UInt64 = 48 * 3600 * 1000) {
        self.maxAgeBlocks = maxAgeBlocks
        self.maxAgeMs = maxAgeMs
    }

    public func isExpired(evidenceHeight: UInt64, evidenceTimeMs: UInt64, currentHeight: UInt64, currentTimeMs: UInt64) -> Bool {
        let ageBlocks = currentHeight > evidenceHeight ? currentHeight - evidenceHeight : 0
        let ageMs = currentTimeMs > evidenceTimeMs ? currentTimeMs - evidenceTimeMs : 0
        return ageBlocks > maxAgeBlocks && ageMs > maxAgeMs
    }
}

/// Applies the ledger's punishment for proven double-signing. WaggleLedger implements the real one
/// (stake slashed 5%, reputation to zero, tombstoned); the simulator keeps an in-memory one.
public protocol MisbehaviourPenalty {
    mutating func punishDoubleSign(validator: Address, evidenceHeight: UInt64)
}
