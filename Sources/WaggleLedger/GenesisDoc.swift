import WaggleCore
import WaggleZK

/// A validator in genesis: its consensus key, the account that operates it, its self-bond.
public struct GenesisValidator: Hashable, Sendable {
    public var name: String
    public var publicKey: PublicKey
    public var `operator`: Address
    public var selfBond: UInt64

    public init(name: String, publicKey: PublicKey, operator op: Address, selfBond: UInt64) {
        self.name = name
        self.publicKey = publicKey
        self.operator = op
        self.selfBond = selfBond
    }
}

public struct GenesisAccount: Hashable, Sendable {
    public var address: Address
    public var balance: UInt64

    public init(address: Address, balance: UInt64) {
        self.address = address
        self.balance = balance
    }
}

/// A circuit registered at genesis: a snarkjs verification key, its binding input, a name, and
/// whether it starts approved (earns reputation).
public struct GenesisCircuit: Hashable, Sendable {
    public var verifyingKey: Groth16VerifyingKey
    public var bindingInput: UInt32
    public var name: String
    public var approved: Bool

    public init(verifyingKey: Groth16VerifyingKey, bindingInput: UInt32, name: String, approved: Bool) {
        self.verifyingKey = verifyingKey
        self.bindingInput = bindingInput
        self.name = name
        self.approved = approved
    }
}

/// The genesis document (config/genesis.json). Genesis/README.md explains every field.
public struct GenesisDoc: Hashable, Sendable {
    public var chainID: String
    public var genesisTime: String
    public var genesisTimeMs: Int64
    public var initialHeight: UInt64
    public var consensusParams: ConsensusParams
    public var ledgerParams: LedgerParams
    public var validators: [GenesisValidator]
    public var accounts: [GenesisAccount]
    public var circuits: [GenesisCircuit]

    public init(
        chainID: String, genesisTimeMs: Int64, initialHeight: UInt64 = 1, consensusParams: ConsensusParams = ConsensusParams(),
        ledgerParams: LedgerParams = LedgerParams(), validators: [GenesisValidator], accounts: [GenesisAccount],
        circuits: [GenesisCircuit] = []
    ) {
        self.circuits = circuits
        self.chainID = chainID
        self.genesisTimeMs = genesisTimeMs
        genesisTime = Timestamp.formatRFC3339(ms: genesisTimeMs)
        self.initialHeight = initialHeight
        self.consensusParams = consensusParams
        self.ledgerParams = ledgerParams
        self.validators = validators
        self.accounts = accounts
    }

    public var ledger: Ledger { Ledger(chainID: chainID, initialHeight: initialHeight, params: ledgerParams) }

    /// A chain id is 1 to 50 characters from [A-Za-z0-9._-].
    public static func isValidChainID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= Header.maxChainIDLength
            && id.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 45
            }
    }

    // MARK: JSON

    /// Parses and validates genesis JSON; every error names the offending field.
    public static func parse(_ bytes: [UInt8]) throws(LedgerError) -> GenesisDoc {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            throw LedgerError(.invalidGenesis, "genesis: \(error)")
        }
        do { return try parse(JSONReader(root, context: "genesis")) } catch let e as JSONFieldError {
            throw LedgerError(.invalidGenesis, e.description)
        } catch let e as LedgerError {
            throw e
        } catch {
            throw LedgerError(.invalidGenesis, "genesis: \(error)")
        }
    }

    private static func parse(_ j: JSONReader) throws -> GenesisDoc {
        try j.onlyKeys([
            "chain_id", "genesis_time", "initial_height", "consensus_params", "ledger_params", "validators", "accounts", "circuits",
        ])
        let chainID = try j.field("chain_id").string()
        guard isValidChainID(chainID) else {
            throw j.fail("chain_id \"\(chainID)\" must be 1 to 50 characters from [A-Za-z0-9._-]")
        }
        let timeField = try j.field("genesis_time")
        guard let timeMs = Timestamp.parseRFC3339(try timeField.string()) else {
            throw timeField.fail("expected an RFC 3339 time such as 2026-01-01T00:00:00Z")
        }
        let initialHeight = try j.optionalField("initial_height")?.uint64() ?? 1

        var cp = ConsensusParams()
        if let c = try j.optionalField("consensus_params") {
            try c.onlyKeys(["max_block_txs", "max_block_bytes", "evidence_max_age_blocks", "evidence_max_age_ms"])
            cp.maxBlockTransactions = try c.uint32("max_block_txs", default: cp.maxBlockTransactions)
            cp.maxBlockBytes = try c.uint32("max_block_bytes", default: cp.maxBlockBytes)
            cp.evidenceMaxAgeBlocks = try c.uint64("evidence_max_age_blocks", default: cp.evidenceMaxAgeBlocks)
            cp.evidenceMaxAgeMs = try c.uint64("evidence_max_age_ms", default: cp.evidenceMaxAgeMs)
        }
        var lp = LedgerParams()
        if let l = try j.optionalField("ledger_params") {
            try l.onlyKeys([
                "epoch_length", "unbonding_period", "min_fee", "block_reward", "min_self_bond", "max_validators",
                "reputation_multiplier", "max_reputation", "min_delegation", "max_reputation_gain_per_epoch",
                "reputation_retention_ppm", "validator_duty_credit", "min_signed_per_epoch_bps", "downtime_reputation_cut_bps",
                "jail_epochs", "min_contribution_fee",
            ])
            lp.epochLength = try l.uint64("epoch_length", default: lp.epochLength)
            lp.unbondingPeriod = try l.uint64("unbonding_period", default: lp.unbondingPeriod)
            lp.minFee = try l.uint64("min_fee", default: lp.minFee)
            lp.blockReward = try l.uint64("block_reward", default: lp.blockReward)
            lp.minSelfBond = try l.uint64("min_self_bond", default: lp.minSelfBond)
            lp.maxValidators = try l.uint32("max_validators", default: lp.maxValidators)
            lp.reputationMultiplier = try l.uint64("reputation_multiplier", default: lp.reputationMultiplier)
            lp.maxReputation = try l.uint64("max_reputation", default: lp.maxReputation)
            lp.minDelegation = try l.uint64("min_delegation", default: lp.minDelegation)
            lp.maxReputationGainPerEpoch = try l.uint64("max_reputation_gain_per_epoch", default: lp.maxReputationGainPerEpoch)
            lp.reputationRetentionPpm = try l.uint64("reputation_retention_ppm", default: lp.reputationRetentionPpm)
            lp.validatorDutyCredit = try l.uint64("validator_duty_credit", default: lp.validatorDutyCredit)
            lp.minSignedPerEpochBps = try l.uint64("min_signed_per_epoch_bps", default: lp.minSignedPerEpochBps)
            lp.downtimeReputationCutBps = try l.uint64("downtime_reputation_cut_bps", default: lp.downtimeReputationCutBps)
            lp.jailEpochs = try l.uint64("jail_epochs", default: lp.jailEpochs)
            lp.minContributionFee = try l.uint64("min_contribution_fee", default: lp.minContributionFee)
        }
        var validators: [GenesisValidator] = []
        for v in try j.field("validators").array() {
            try v.onlyKeys(["name", "pub_key", "operator", "self_bond"])
            let name = try v.optionalField("name")?.string() ?? ""
            let pkField = try v.field("pub_key")
            guard let pk = PublicKey(hex: try pkField.string()) else { throw pkField.fail("expected a 32-byte hex Ed25519 public key") }
            let op = try v.optionalField("operator")?.address() ?? pk.address
            validators.append(GenesisValidator(name: name, publicKey: pk, operator: op, selfBond: try v.field("self_bond").uint64()))
        }
        var accounts: [GenesisAccount] = []
        for a in try j.field("accounts").array() {
            try a.onlyKeys(["address", "balance"])
            accounts.append(GenesisAccount(address: try a.field("address").address(), balance: try a.field("balance").uint64()))
        }
        var circuits: [GenesisCircuit] = []
        for c in try j.optionalField("circuits")?.array() ?? [] {
            try c.onlyKeys(["verification_key", "binding_input", "name", "approved"])
            let vkField = try c.field("verification_key")
            let key: Groth16VerifyingKey
            do { key = try SnarkJS.parseVerifyingKey(json: vkField.value) } catch {
                throw vkField.fail("not a valid snarkjs verification key: \(error)")
            }
            circuits.append(
                GenesisCircuit(
                    verifyingKey: key, bindingInput: try c.field("binding_input").uint32(), name: try c.field("name").string(),
                    approved: try c.optionalField("approved")?.bool() ?? false))
        }
        var doc = GenesisDoc(
            chainID: chainID, genesisTimeMs: timeMs, initialHeight: initialHeight, consensusParams: cp, ledgerParams: lp,
            validators: validators, accounts: accounts, circuits: circuits)
        doc.genesisTime = try timeField.string()
        try doc.validate()
        return doc
    }

    public var json: JSONValue {
        .object([
            "chain_id": .string(chainID),
            "genesis_time": .string(genesisTime),
            "initial_height": .string(String(initialHeight)),
            "consensus_params": .object([
                "max_block_txs": .uint(UInt64(consensusParams.maxBlockTransactions)),
                "max_block_bytes": .uint(UInt64(consensusParams.maxBlockBytes)),
                "evidence_max_age_blocks": .string(String(consensusParams.evidenceMaxAgeBlocks)),
                "evidence_max_age_ms": .string(String(consensusParams.evidenceMaxAgeMs)),
            ]),
            "ledger_params": .object([
                "epoch_length": .string(String(ledgerParams.epochLength)),
                "unbonding_period": .string(String(ledgerParams.unbondingPeriod)),
                "min_fee": .string(String(ledgerParams.minFee)),
                "block_reward": .string(String(ledgerParams.blockReward)),
                "min_self_bond": .string(String(ledgerParams.minSelfBond)),
                "max_validators": .uint(UInt64(ledgerParams.maxValidators)),
                "reputation_multiplier": .string(String(ledgerParams.reputationMultiplier)),
                "max_reputation": .string(String(ledgerParams.maxReputation)),
                "min_delegation": .string(String(ledgerParams.minDelegation)),
                "max_reputation_gain_per_epoch": .string(String(ledgerParams.maxReputationGainPerEpoch)),
                "reputation_retention_ppm": .string(String(ledgerParams.reputationRetentionPpm)),
                "validator_duty_credit": .string(String(ledgerParams.validatorDutyCredit)),
                "min_signed_per_epoch_bps": .string(String(ledgerParams.minSignedPerEpochBps)),
                "downtime_reputation_cut_bps": .string(String(ledgerParams.downtimeReputationCutBps)),
                "jail_epochs": .string(String(ledgerParams.jailEpochs)),
                "min_contribution_fee": .string(String(ledgerParams.minContributionFee)),
            ]),
            "circuits": .array(
                circuits.map {
                    .object([
                        "verification_key": (try? JSONValue.parse(Array(SnarkJS.encode($0.verifyingKey)))) ?? .null,
                        "binding_input": .uint(UInt64($0.bindingInput)), "name": .string($0.name), "approved": .bool($0.approved),
                    ])
                }),
            "validators": .array(
                validators.map {
                    .object([
                        "name": .string($0.name), "pub_key": .string($0.publicKey.hex), "operator": .string($0.operator.hex),
                        "self_bond": .string(String($0.selfBond)),
                    ])
                }),
            "accounts": .array(accounts.map { .object(["address": .string($0.address.hex), "balance": .string(String($0.balance))]) }),
        ])
    }

    // MARK: Validation and initial state

    /// Heights stay far from UInt64.max, so `height + 1` and `height + unbonding_period` never
    /// overflow.
    public static let maxInitialHeight: UInt64 = 1 << 62

    public func validate() throws(LedgerError) {
        func bad(_ why: String) -> LedgerError { LedgerError(.invalidGenesis, "genesis: \(why)") }
        guard Self.isValidChainID(chainID) else { throw bad("chain_id \"\(chainID)\" must be 1 to 50 characters from [A-Za-z0-9._-]") }
        guard initialHeight >= 1, initialHeight <= Self.maxInitialHeight else {
            throw bad("initial_height must be between 1 and 2^62")
        }
        try consensusParams.validate()
        try ledgerParams.validate()
        guard !validators.isEmpty else { throw bad("validators: at least one validator is required") }
        var seenKeys = Set<Address>()
        var supply: UInt64 = 0
        func add(_ v: UInt64) throws(LedgerError) {
            let (s, o) = supply.addingReportingOverflow(v)
            guard !o else { throw bad("total supply overflows 64 bits") }
            supply = s
        }
        for (i, v) in validators.enumerated() {
            guard seenKeys.insert(v.publicKey.address).inserted else { throw bad("validators[\(i)].pub_key: duplicate validator") }
            guard v.selfBond >= ledgerParams.minSelfBond else {
                throw bad("validators[\(i)].self_bond: \(v.selfBond) is below ledger_params.min_self_bond \(ledgerParams.minSelfBond)")
            }
            try add(v.selfBond)
        }
        var seenAccounts = Set<Address>()
        for (i, a) in accounts.enumerated() {
            guard seenAccounts.insert(a.address).inserted else { throw bad("accounts[\(i)].address: duplicate account \(a.address)") }
            try add(a.balance)
        }
        var seenCircuits = Set<Hash256>()
        for (i, c) in circuits.enumerated() {
            do { try Ledger.admitKey(c.verifyingKey, bindingInput: c.bindingInput) } catch {
                throw bad("circuits[\(i)]: \(error.reason)")
            }
            guard UsefulWorkLimits.isValidName(c.name) else {
                throw bad("circuits[\(i)].name: must be 1 to \(UsefulWorkLimits.maxNameBytes) bytes without control characters")
            }
            guard seenCircuits.insert(c.verifyingKey.circuitID).inserted else {
                throw bad("circuits[\(i)].verification_key: duplicate circuit \(c.verifyingKey.circuitID)")
            }
        }
        // Voting power is at most M * stake, and all stake comes out of the supply: keeping
        // M * supply below 2^59 keeps the total voting power below 2^60 with room for issuance.
        let (maxPower, o) = supply.multipliedReportingOverflow(by: ledgerParams.reputationMultiplier)
        guard !o, maxPower < (1 << 59) else {
            throw bad("total supply times reputation_multiplier must stay below 2^59 so voting power cannot overflow")
        }
    }

    /// The state at genesis, and the first validator set.
    public func initialState() throws(LedgerError) -> (changes: [StateChange], validators: ValidatorSet) {
        try validate()
        let ledger = self.ledger
        var state = StateOverlay(base: MemoryState())
        var supply: UInt64 = 0
        for a in accounts {
            ledger.put(Account(balance: a.balance), .account(a.address), &state)
            supply += a.balance
        }
        var index = AddressList([])
        for v in validators {
            let address = v.publicKey.address
            ledger.put(ValidatorRecord(publicKey: v.publicKey, operator: v.operator, totalBond: v.selfBond), .validator(address), &state)
            try ledger.setBond(v.selfBond, delegator: v.operator, validator: address, &state)
            if try ledger.account(v.operator, in: state) == nil { ledger.put(Account.empty, .account(v.operator), &state) }
            index.insert(address)
            supply += v.selfBond
        }
        ledger.put(index, .validatorIndex, &state)
        for c in circuits {
            ledger.put(
                CircuitRecord(
                    verifyingKey: c.verifyingKey.canonicalBytes, bindingInput: c.bindingInput, name: c.name, approved: c.approved,
                    registrant: nil, height: initialHeight - 1),
                .circuit(c.verifyingKey.circuitID), &state)
        }
        guard let set = try ledger.computeValidatorSet(state: state) else {
            throw LedgerError(.invalidGenesis, "genesis: no validator qualifies for the validator set")
        }
        ledger.put(
            ChainInfo(currentValidators: set, lastValidators: set, pendingFees: 0, totalSupply: supply, lastHeight: initialHeight - 1),
            .chainInfo, &state)
        return (state.changes, set)
    }
}
