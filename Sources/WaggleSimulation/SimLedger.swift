import WaggleConsensus
import WaggleCore

/// The simulator's in-memory ledger: stake, reputation and tombstones, and the validator set each
/// epoch derives from them with `VotingPower.compute`. The real one lives in WaggleLedger.
public struct SimLedger: Hashable, Sendable, MisbehaviourPenalty {
    public struct Member: Hashable, Sendable {
        public let publicKey: PublicKey
        public var stake: UInt64
        public var reputation: UInt64
        public var tombstoned: Bool
        public var address: Address { publicKey.address }
    }

    public private(set) var members: [Member]
    public let maxReputation: UInt64
    public let multiplier: UInt64
    /// Reputation each member earns per epoch (bounded by `maxReputation`).
    public var reputationGrowthPerEpoch: [UInt64]

    public init(publicKeys: [PublicKey], stakes: [UInt64], reputations: [UInt64], maxReputation: UInt64, multiplier: UInt64, growth: [UInt64]) {
        members = zip(publicKeys, zip(stakes, reputations)).map {
            Member(publicKey: $0, stake: $1.0, reputation: min($1.1, maxReputation), tombstoned: false)
        }
        self.maxReputation = maxReputation
        self.multiplier = multiplier
        reputationGrowthPerEpoch = growth
    }

    public func index(of address: Address) -> Int? { members.firstIndex { $0.address == address } }

    public func votingPower(_ i: Int) -> UInt64 {
        let m = members[i]
        guard !m.tombstoned else { return 0 }
        return VotingPower.compute(stake: m.stake, reputation: m.reputation, maxReputation: maxReputation, multiplier: multiplier)
    }

    /// The set for the next epoch: every member that is not tombstoned and has power.
    public func validatorSet() -> ValidatorSet? {
        try? ValidatorSet(members.indices.compactMap { i in
            let vp = votingPower(i)
            return vp > 0 ? Validator(publicKey: members[i].publicKey, votingPower: vp) : nil
        })
    }

    /// Stake slashed 5%, reputation to zero, tombstoned (excluded from future sets).
    public mutating func punishDoubleSign(validator: Address, evidenceHeight: UInt64) {
        guard let i = index(of: validator), !members[i].tombstoned else { return }
        members[i].stake -= members[i].stake / 20
        members[i].reputation = 0
        members[i].tombstoned = true
    }

    public func isTombstoned(_ address: Address) -> Bool { index(of: address).map { members[$0].tombstoned } ?? false }

    public mutating func endEpoch() {
        for i in members.indices where !members[i].tombstoned {
            let grown = members[i].reputation &+ (i < reputationGrowthPerEpoch.count ? reputationGrowthPerEpoch[i] : 0)
            members[i].reputation = min(maxReputation, max(grown, members[i].reputation))
        }
    }
}
