import WaggleCore

/// Ledger parameters, fixed by genesis. Every node must use the same values.
public struct LedgerParams: Hashable, Sendable, Codable {
    /// Blocks per epoch. Validator-set changes take effect after the last block of an epoch.
    public var epochLength: UInt64
    /// Blocks between an unbond and the return of the tokens to the balance.
    public var unbondingPeriod: UInt64
    /// Smallest fee a transaction may pay.
    public var minFee: UInt64
    /// New tokens issued per block, shared by voting power among the signers of its last commit.
    public var blockReward: UInt64
    /// Smallest self-bond that creates a validator, and smallest stake that keeps it in the set.
    public var minSelfBond: UInt64
    /// Most validators in a set (the largest voting powers win; ties by address).
    public var maxValidators: UInt32
    /// M in VP = floor(stake * (1 + (M - 1) * R / R_max)).
    public var reputationMultiplier: UInt64
    /// R_max: the most reputation points an account can hold.
    public var maxReputation: UInt64
    /// Smallest first bond of a new delegator to a validator (its operator excepted). Each
    /// delegator takes a place in the validator's capped delegator list, so a public network
    /// should make a place cost something.
    public var minDelegation: UInt64
    /// Most reputation points one account may gain within one epoch (no flash accumulation).
    public var maxReputationGainPerEpoch: UInt64
    /// Share of reputation kept per elapsed epoch, in parts per million (1,000,000: no decay).
    public var reputationRetentionPpm: UInt64
    /// Reputation credited to a validator's operator for signing enough of an epoch's commits.
    public var validatorDutyCredit: UInt64
    /// Share of an epoch's commits a validator must sign, in basis points, or it is jailed.
    public var minSignedPerEpochBps: UInt64
    /// Share of reputation a validator's operator loses when it is jailed for downtime, in basis
    /// points.
    public var downtimeReputationCutBps: UInt64
    /// Epochs a validator stays jailed for downtime before `unjail`.
    public var jailEpochs: UInt64
    /// Smallest fee of a `contribute` transaction (its proof costs a pairing check); the larger
    /// of this and `min_fee` applies.
    public var minContributionFee: UInt64

    public init(
        epochLength: UInt64 = 100, unbondingPeriod: UInt64 = 200, minFee: UInt64 = 1, blockReward: UInt64 = 100,
        minSelfBond: UInt64 = 1_000, maxValidators: UInt32 = 100, reputationMultiplier: UInt64 = 2,
        maxReputation: UInt64 = 1_000_000, minDelegation: UInt64 = 1, maxReputationGainPerEpoch: UInt64 = 10_000,
        reputationRetentionPpm: UInt64 = 990_000, validatorDutyCredit: UInt64 = 100, minSignedPerEpochBps: UInt64 = 5_000,
        downtimeReputationCutBps: UInt64 = 1_000, jailEpochs: UInt64 = 2, minContributionFee: UInt64 = 1
    ) {
        self.maxReputationGainPerEpoch = maxReputationGainPerEpoch
        self.reputationRetentionPpm = reputationRetentionPpm
        self.validatorDutyCredit = validatorDutyCredit
        self.minSignedPerEpochBps = minSignedPerEpochBps
        self.downtimeReputationCutBps = downtimeReputationCutBps
        self.jailEpochs = jailEpochs
        self.minContributionFee = minContributionFee
        self.epochLength = epochLength
        self.unbondingPeriod = unbondingPeriod
        self.minFee = minFee
        self.blockReward = blockReward
        self.minSelfBond = minSelfBond
        self.maxValidators = maxValidators
        self.reputationMultiplier = reputationMultiplier
        self.maxReputation = maxReputation
        self.minDelegation = minDelegation
    }

    enum CodingKeys: String, CodingKey {
        case epochLength = "epoch_length"
        case unbondingPeriod = "unbonding_period"
        case minFee = "min_fee"
        case blockReward = "block_reward"
        case minSelfBond = "min_self_bond"
        case maxValidators = "max_validators"
        case reputationMultiplier = "reputation_multiplier"
        case maxReputation = "max_reputation"
        case minDelegation = "min_delegation"
        case maxReputationGainPerEpoch = "max_reputation_gain_per_epoch"
        case reputationRetentionPpm = "reputation_retention_ppm"
        case validatorDutyCredit = "validator_duty_credit"
        case minSignedPerEpochBps = "min_signed_per_epoch_bps"
        case downtimeReputationCutBps = "downtime_reputation_cut_bps"
        case jailEpochs = "jail_epochs"
        case minContributionFee = "min_contribution_fee"
    }

    /// Most epochs a validator may be jailed for (keeps `epoch + jail_epochs` far from overflow).
    public static let maxJailEpochs: UInt64 = 1_000_000

    /// Checks the parameters for values no chain can run with.
    public func validate() throws(LedgerError) {
        func bad(_ why: String) -> LedgerError { LedgerError(.invalidGenesis, "ledger_params.\(why)") }
        guard epochLength >= 1 else { throw bad("epoch_length must be at least 1") }
        guard unbondingPeriod >= 1, unbondingPeriod <= UInt64(HeightList.maxCount) else {
            // A validator's pending completion heights are one list of at most this many.
            throw bad("unbonding_period must be between 1 and \(HeightList.maxCount) blocks")
        }
        guard minSelfBond >= 1 else { throw bad("min_self_bond must be at least 1") }
        guard minDelegation >= 1 else { throw bad("min_delegation must be at least 1") }
        guard maxValidators >= 1, maxValidators <= UInt32(ValidatorSet.maxValidators) else {
            throw bad("max_validators must be between 1 and \(ValidatorSet.maxValidators)")
        }
        guard reputationMultiplier >= 1, reputationMultiplier <= 16 else { throw bad("reputation_multiplier must be between 1 and 16") }
        guard maxReputation >= 1 else { throw bad("max_reputation must be at least 1") }
        guard blockReward <= Ledger.maxSupply(reputationMultiplier: reputationMultiplier) else {
            throw bad("block_reward must not exceed the supply cap \(Ledger.maxSupply(reputationMultiplier: reputationMultiplier))")
        }
        guard maxReputationGainPerEpoch >= 1 else { throw bad("max_reputation_gain_per_epoch must be at least 1") }
        guard reputationRetentionPpm <= 1_000_000 else {
            throw bad("reputation_retention_ppm must be at most 1000000 (parts per million kept per epoch)")
        }
        guard validatorDutyCredit <= maxReputationGainPerEpoch else {
            throw bad("validator_duty_credit must not exceed max_reputation_gain_per_epoch (\(maxReputationGainPerEpoch))")
        }
        guard minSignedPerEpochBps <= 10_000 else { throw bad("min_signed_per_epoch_bps must be at most 10000") }
        guard downtimeReputationCutBps <= 10_000 else { throw bad("downtime_reputation_cut_bps must be at most 10000") }
        guard jailEpochs >= 1, jailEpochs <= Self.maxJailEpochs else {
            throw bad("jail_epochs must be between 1 and \(Self.maxJailEpochs)")
        }
        guard minContributionFee <= Ledger.maxSupply(reputationMultiplier: reputationMultiplier) else {
            throw bad("min_contribution_fee must not exceed the supply cap \(Ledger.maxSupply(reputationMultiplier: reputationMultiplier))")
        }
    }
}
