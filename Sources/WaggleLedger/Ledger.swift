import WaggleCore

/// The state transition function: pure and deterministic. It reads and writes state only through
/// a `StateOverlay`, uses integers only, and iterates only sorted collections.
public struct Ledger: Sendable {
    public let chainID: String
    public let initialHeight: UInt64
    public let params: LedgerParams

    /// Fraction of stake slashed for proven double-signing (DESIGN.md: 5%), as a ratio.
    public static let doubleSignSlashNumerator: UInt64 = 5
    public static let doubleSignSlashDenominator: UInt64 = 100

    /// The largest total supply with multiplier M: M · supply stays below 2^60, the bound on a
    /// validator set's total voting power. Block issuance stops there.
    public static func maxSupply(reputationMultiplier m: UInt64) -> UInt64 { ((1 << 60) - 1) / max(m, 1) }

    /// Most delegators one validator may have (a protocol constant): its delegator list is one
    /// state entry, read whole when a delegator joins or leaves and when it is slashed.
    public static let maxDelegatorsPerValidator = 100_000

    /// The double-sign penalty on `amount`: floor(amount · 5 / 100), computed without overflow.
    public static func doubleSignSlash(_ amount: UInt64) -> UInt64 {
        amount / doubleSignSlashDenominator * doubleSignSlashNumerator
            + amount % doubleSignSlashDenominator * doubleSignSlashNumerator / doubleSignSlashDenominator
    }

    public init(chainID: String, initialHeight: UInt64, params: LedgerParams) {
        self.chainID = chainID
        self.initialHeight = initialHeight
        self.params = params
    }

    // MARK: Reading state

    public func account(_ address: Address, in state: StateOverlay) throws(LedgerError) -> Account? {
        try read(Account.self, .account(address), state)
    }

    public func validatorRecord(_ address: Address, in state: StateOverlay) throws(LedgerError) -> ValidatorRecord? {
        try read(ValidatorRecord.self, .validator(address), state)
    }

    public func bond(delegator: Address, validator: Address, in state: StateOverlay) throws(LedgerError) -> UInt64 {
        guard let raw = try readRaw(.bond(delegator: delegator, validator: validator), state) else { return 0 }
        do { return try UInt64(canonicalBytes: raw) } catch { throw corrupt(.bond(delegator: delegator, validator: validator), error) }
    }

    public func chainInfo(in state: StateOverlay) throws(LedgerError) -> ChainInfo {
        guard let info = try read(ChainInfo.self, .chainInfo, state) else {
            throw LedgerError(.corruptState, "state has no chain info: was genesis applied?")
        }
        return info
    }

    public func unbondingQueue(height: UInt64, in state: StateOverlay) throws(LedgerError) -> [UnbondingEntry] {
        guard let raw = try readRaw(.unbondingQueue(height: height), state) else { return [] }
        do {
            var d = CanonicalDecoder(raw)
            let list = try d.list(UnbondingEntry.self, maxCount: 1_000_000)
            try d.finish()
            return list
        } catch { throw corrupt(.unbondingQueue(height: height), error) }
    }

    /// The completion heights of the pending unbondings from `validator`, ascending.
    public func unbondingHeights(of validator: Address, in state: StateOverlay) throws(LedgerError) -> [UInt64] {
        try read(HeightList.self, .unbondingHeights(of: validator), state)?.heights ?? []
    }

    func setUnbondingHeights(_ heights: HeightList, of validator: Address, _ state: inout StateOverlay) {
        state.set(.unbondingHeights(of: validator), heights.heights.isEmpty ? nil : heights.canonicalBytes)
    }

    func setUnbondingQueue(_ queue: [UnbondingEntry], height: UInt64, _ state: inout StateOverlay) {
        guard !queue.isEmpty else { return state.set(.unbondingQueue(height: height), nil) }
        var e = CanonicalEncoder()
        e.list(queue)
        state.set(.unbondingQueue(height: height), e.bytes)
    }

    func addressList(_ key: StateKey, _ state: StateOverlay) throws(LedgerError) -> AddressList {
        try read(AddressList.self, key, state) ?? AddressList([])
    }

    func readRaw(_ key: StateKey, _ state: StateOverlay) throws(LedgerError) -> [UInt8]? {
        do { return try state.get(key) } catch { throw LedgerError(.corruptState, "cannot read state key \(key): \(error)") }
    }

    func read<T: CanonicalDecodable>(_: T.Type, _ key: StateKey, _ state: StateOverlay) throws(LedgerError) -> T? {
        guard let raw = try readRaw(key, state) else { return nil }
        do { return try T(canonicalBytes: raw) } catch { throw corrupt(key, error) }
    }

    private func corrupt(_ key: StateKey, _ error: any Error) -> LedgerError {
        LedgerError(.corruptState, "state entry \(key) does not decode: \(error)")
    }

    // MARK: Writing state

    func put<T: CanonicalEncodable>(_ value: T, _ key: StateKey, _ state: inout StateOverlay) {
        state.set(key, value.canonicalBytes)
    }

    /// Sets a bond. The validator's delegator list is rewritten only when membership changes (a
    /// new delegator, or a bond going to zero), so topping up a bond or slashing one costs one
    /// state write, not a copy of the whole list.
    /// The validator's operator is exempt from the cap, so that filling the list can never stop
    /// an operator from bonding to its own validator again.
    func setBond(
        _ amount: UInt64, delegator: Address, validator: Address, exemptFromCap: Bool = false, _ state: inout StateOverlay
    ) throws(LedgerError) {
        let wasBonded = try bond(delegator: delegator, validator: validator, in: state) > 0
        if amount > 0, !wasBonded {
            var delegators = try addressList(.delegators(of: validator), state)
            guard exemptFromCap || delegators.addresses.count < Self.maxDelegatorsPerValidator else {
                throw LedgerError(.tooManyDelegators, "validator \(validator) already has \(Self.maxDelegatorsPerValidator) delegators")
            }
            delegators.insert(delegator)
            state.set(.delegators(of: validator), delegators.canonicalBytes)
        } else if amount == 0, wasBonded {
            var delegators = try addressList(.delegators(of: validator), state)
            delegators.remove(delegator)
            state.set(.delegators(of: validator), delegators.addresses.isEmpty ? nil : delegators.canonicalBytes)
        }
        state.set(.bond(delegator: delegator, validator: validator), amount == 0 ? nil : amount.canonicalBytes)
    }

    // MARK: Transactions

    /// Applies a transaction whose signature has already been verified for this chain, adding its
    /// fee to the pending fees. On error the overlay is left exactly as it was.
    public func apply(_ tx: Transaction, height: UInt64, state: inout StateOverlay) throws(LedgerError) {
        let fee = try applyDeferringFee(tx, height: height, state: &state)
        var info = try chainInfo(in: state)
        info.pendingFees += fee  // cannot overflow: fees come out of the supply
        put(info, .chainInfo, &state)
    }

    /// Like `apply`, but leaves the charged fee out of the pending fees and returns it, so a
    /// block (or the mempool) can add all its fees at once instead of rewriting chain info per
    /// transaction.
    public func applyDeferringFee(_ tx: Transaction, height: UInt64, state: inout StateOverlay) throws(LedgerError) -> UInt64 {
        var proofs = ProofChecks()
        return try applyDeferringFee(tx, height: height, state: &state, proofs: &proofs)
    }

    /// `applyDeferringFee` with the caller's prepared-key cache and proof policy (`ProofChecks`):
    /// the node's mempool passes its cache, and the statements it has verified before.
    public func applyDeferringFee(
        _ tx: Transaction, height: UInt64, state: inout StateOverlay, proofs: inout ProofChecks
    ) throws(LedgerError) -> UInt64 {
        proofs.lastStatement = nil
        let mark = state.checkpoint
        do {
            try applyUnchecked(tx, height: height, state: &state, proofs: &proofs)
            // Nothing before this transaction can be rolled back: forget its undo log, so a
            // block of many writes to one key does not keep every earlier value.
            if mark == 0 { state.discardJournal() }
            return tx.fee
        } catch {
            state.rollback(to: mark)
            throw error
        }
    }

    private func applyUnchecked(
        _ tx: Transaction, height: UInt64, state: inout StateOverlay, proofs: inout ProofChecks
    ) throws(LedgerError) {
        let senderAddress = tx.senderAddress
        guard var sender = try account(senderAddress, in: state) else {
            throw LedgerError(.unknownAccount, "sender account \(senderAddress) does not exist")
        }
        guard tx.nonce == sender.nonce else {
            throw LedgerError(.badNonce, "nonce \(tx.nonce) does not match the account's next nonce \(sender.nonce)")
        }
        let minimumFee = minimumFee(for: tx.body)
        guard tx.fee >= minimumFee else {
            throw LedgerError(.feeTooLow, "fee \(tx.fee) is below the minimum fee \(minimumFee)")
        }
        let amount: UInt64
        switch tx.body {
        case .transfer(_, let a), .bond(_, let a), .createValidator(_, let a): amount = a
        case .createTask(let spec):
            guard let escrow = Self.escrow(spec) else { throw LedgerError(.overflow, "reward × max_contributions overflows") }
            amount = escrow
        case .unbond, .registerCircuit, .approveCircuit, .registerDataset, .commitModel, .closeTask, .contribute, .unjail:
            amount = 0
        }
        let (cost, overflow) = amount.addingReportingOverflow(tx.fee)
        guard !overflow else { throw LedgerError(.overflow, "amount plus fee overflows") }
        guard sender.balance >= cost else {
            throw LedgerError(.insufficientFunds, "balance \(sender.balance) is less than amount plus fee \(cost)")
        }

        sender.balance -= tx.fee
        sender.nonce += 1
        put(sender, .account(senderAddress), &state)

        switch tx.body {
        case .transfer(let to, let amount):
            try transfer(from: senderAddress, to: to, amount: amount, state: &state)
        case .createValidator(let publicKey, let selfBond):
            try createValidator(operator: senderAddress, publicKey: publicKey, selfBond: selfBond, state: &state)
        case .bond(let validator, let amount):
            try bond(delegator: senderAddress, validator: validator, amount: amount, state: &state)
        case .unbond(let validator, let amount):
            try unbond(delegator: senderAddress, validator: validator, amount: amount, height: height, state: &state)
        case .registerCircuit(let key, let binding, let name):
            try registerCircuit(sender: senderAddress, verifyingKey: key, bindingInput: binding, name: name, height: height, state: &state)
        case .approveCircuit(let id):
            try approveCircuit(sender: senderAddress, circuit: id, height: height, state: &state)
        case .registerDataset(let commitment, let samples, let name):
            try registerCommitment(
                dataset: true, sender: senderAddress, commitment: commitment, samples: samples, name: name, height: height, state: &state)
        case .commitModel(let commitment, let name):
            try registerCommitment(
                dataset: false, sender: senderAddress, commitment: commitment, samples: 0, name: name, height: height, state: &state)
        case .createTask(let spec):
            try createTask(sender: senderAddress, spec: spec, height: height, state: &state)
        case .closeTask(let id):
            try closeTask(sender: senderAddress, task: id, height: height, state: &state)
        case .contribute(let id, let proof, let inputs):
            try contribute(
                sender: senderAddress, nonce: tx.nonce, task: id, proof: proof, inputs: inputs, height: height, state: &state,
                proofs: &proofs)
        case .unjail(let validator):
            try unjail(sender: senderAddress, validator: validator, height: height, state: &state)
        }
    }

    private func transfer(from: Address, to: Address, amount: UInt64, state: inout StateOverlay) throws(LedgerError) {
        guard amount > 0 else { throw LedgerError(.zeroAmount, "transfer amount must be positive") }
        var sender = try account(from, in: state)!
        sender.balance -= amount
        put(sender, .account(from), &state)
        var recipient = try account(to, in: state) ?? .empty
        let (b, o) = recipient.balance.addingReportingOverflow(amount)
        guard !o else { throw LedgerError(.overflow, "recipient balance would overflow") }
        recipient.balance = b
        put(recipient, .account(to), &state)
    }

    private func createValidator(operator op: Address, publicKey: PublicKey, selfBond: UInt64, state: inout StateOverlay)
        throws(LedgerError)
    {
        let address = publicKey.address
        guard try validatorRecord(address, in: state) == nil else {
            throw LedgerError(.validatorExists, "validator \(address) already exists")
        }
        guard selfBond >= params.minSelfBond else {
            throw LedgerError(.bondTooSmall, "self-bond \(selfBond) is below the minimum \(params.minSelfBond)")
        }
        put(ValidatorRecord(publicKey: publicKey, operator: op, totalBond: 0), .validator(address), &state)
        var index = try addressList(.validatorIndex, state)
        index.insert(address)
        put(index, .validatorIndex, &state)
        try bond(delegator: op, validator: address, amount: selfBond, state: &state)
    }

    private func bond(delegator: Address, validator: Address, amount: UInt64, state: inout StateOverlay) throws(LedgerError) {
        guard amount > 0 else { throw LedgerError(.zeroAmount, "bond amount must be positive") }
        guard var record = try validatorRecord(validator, in: state) else {
            throw LedgerError(.unknownValidator, "validator \(validator) does not exist")
        }
        guard !record.tombstoned else {
            throw LedgerError(.validatorTombstoned, "validator \(validator) is tombstoned for double-signing")
        }
        let current = try bond(delegator: delegator, validator: validator, in: state)
        let isOperator = delegator == record.operator
        guard current > 0 || isOperator || amount >= params.minDelegation else {
            throw LedgerError(.bondTooSmall, "a new delegation must be at least \(params.minDelegation), got \(amount)")
        }
        var acct = try account(delegator, in: state)!
        acct.balance -= amount
        put(acct, .account(delegator), &state)
        try setBond(current + amount, delegator: delegator, validator: validator, exemptFromCap: isOperator, &state)
        record.totalBond += amount
        put(record, .validator(validator), &state)
    }

    private func unbond(delegator: Address, validator: Address, amount: UInt64, height: UInt64, state: inout StateOverlay)
        throws(LedgerError)
    {
        guard amount > 0 else { throw LedgerError(.zeroAmount, "unbond amount must be positive") }
        guard var record = try validatorRecord(validator, in: state) else {
            throw LedgerError(.unknownValidator, "validator \(validator) does not exist")
        }
        let current = try bond(delegator: delegator, validator: validator, in: state)
        guard current >= amount else {
            throw LedgerError(.insufficientBond, "bond \(current) to \(validator) is less than the unbond amount \(amount)")
        }
        try setBond(current - amount, delegator: delegator, validator: validator, &state)
        record.totalBond -= amount
        put(record, .validator(validator), &state)
        let (completion, overflow) = height.addingReportingOverflow(params.unbondingPeriod)
        guard !overflow else { throw LedgerError(.overflow, "unbonding completion height overflows") }
        var queue = try unbondingQueue(height: completion, in: state)
        queue.append(UnbondingEntry(delegator: delegator, validator: validator, amount: amount))
        setUnbondingQueue(queue, height: completion, &state)
        var heights = HeightList(try unbondingHeights(of: validator, in: state))
        heights.insert(completion)
        setUnbondingHeights(heights, of: validator, &state)
    }
}
