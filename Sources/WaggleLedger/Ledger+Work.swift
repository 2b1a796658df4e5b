import WaggleCore
import WaggleZK

// Useful work: circuits, datasets, models, tasks, contributions and the reputation they earn
// (../shared/DESIGN.md, "Useful work" and "Reputation"; the rules as built: Docs/PROTOCOL.md).
// Every rule is pure integer arithmetic; every check of a transaction runs before its first
// write, and `Ledger.applyDeferringFee` rolls the overlay back on any error.

extension Ledger {
    // MARK: Reading

    public func circuit(_ id: Hash256, in state: StateOverlay) throws(LedgerError) -> CircuitRecord? {
        try read(CircuitRecord.self, .circuit(id), state)
    }

    public func circuitApprovals(_ id: Hash256, in state: StateOverlay) throws(LedgerError) -> [Address] {
        try addressList(.circuitApprovals(id), state).addresses
    }

    public func pendingApprovals(in state: StateOverlay) throws(LedgerError) -> [PendingApproval] {
        try read(PendingApprovals.self, .pendingApprovals, state)?.entries ?? []
    }

    public func dataset(_ id: UInt64, in state: StateOverlay) throws(LedgerError) -> CommitmentRecord? {
        try read(CommitmentRecord.self, .dataset(id), state)
    }

    public func model(_ id: UInt64, in state: StateOverlay) throws(LedgerError) -> CommitmentRecord? {
        try read(CommitmentRecord.self, .model(id), state)
    }

    public func task(_ id: UInt64, in state: StateOverlay) throws(LedgerError) -> TaskRecord? {
        try read(TaskRecord.self, .task(id), state)
    }

    public func contribution(task: UInt64, index: UInt32, in state: StateOverlay) throws(LedgerError) -> ContributionRecord? {
        try read(ContributionRecord.self, .contribution(task: task, index: index), state)
    }

    public func workCounters(in state: StateOverlay) throws(LedgerError) -> WorkCounters {
        try read(WorkCounters.self, .workCounters, state) ?? WorkCounters()
    }

    public func reputationGain(_ a: Address, in state: StateOverlay) throws(LedgerError) -> ReputationGain? {
        try read(ReputationGain.self, .reputationGain(a), state)
    }

    /// The decoded verifying key of a stored circuit (it was validated when it was admitted).
    func verifyingKey(of record: CircuitRecord, _ id: Hash256) throws(LedgerError) -> Groth16VerifyingKey {
        do {
            return try Groth16VerifyingKey(canonicalBytes: record.verifyingKey, maxPublicInputs: UsefulWorkLimits.maxPublicInputs)
        } catch { throw LedgerError(.corruptState, "stored verifying key of circuit \(id) does not decode: \(error)") }
    }

    // MARK: Pure rules

    /// The value the binding public input must hold: Poseidon(sender address as a 160-bit
    /// integer, task id, transaction nonce), circomlib's Poseidon over BN254 (t = 4).
    public static func bindingInput(sender: Address, task: UInt64, nonce: UInt64) -> ScalarBytes {
        let a = Fr(reducing: UInt256(bigEndian: [UInt8](repeating: 0, count: 12) + sender.bytes))  // 160 bits < r
        // Poseidon.hash fails only for an input count circomlib has no parameters for; 3 is one.
        let h = (try? Poseidon.hash([a, Fr(task), Fr(nonce)])) ?? .zero
        return ScalarBytes(h.value.bigEndianBytes)!
    }

    /// SHA-256(0x17 ‖ list<public input>) with the binding input set to zero: the identity of
    /// the statement a contribution proves, whoever proves it. The binding input differs for
    /// every (sender, nonce), so a hash over it would let one result be replayed for every
    /// contribution slot of a task under fresh nonces.
    public static func inputsHash(_ inputs: [ScalarBytes], bindingInput: UInt32) -> Hash256 {
        var statement = inputs
        if Int(bindingInput) < statement.count { statement[Int(bindingInput)] = ScalarBytes(0) }
        var e = CanonicalEncoder()
        e.list(statement)
        return HashDomain.hash(HashDomain.publicInputs, e.bytes)
    }

    /// retention^epochs in parts per million: repeated squaring, each product rounded down
    /// (`x ⊗ y = floor(x · y / 10^6)`); 10^6 for zero epochs.
    public static func retentionFactor(ppm: UInt64, epochs: UInt64) -> UInt64 {
        let one: UInt64 = 1_000_000
        var result = one
        var base = min(ppm, one)
        var k = epochs
        while k > 0 {
            if k & 1 == 1 { result = result * base / one }
            k >>= 1
            if k > 0 { base = base * base / one }
            if result == 0 { break }
        }
        return result
    }

    /// Points left after `epochs` epochs of decay: floor(points · retention^epochs / 10^6).
    public static func decayed(_ points: UInt64, ppm: UInt64, epochs: UInt64) -> UInt64 {
        guard epochs > 0, points > 0 else { return points }
        let f = retentionFactor(ppm: ppm, epochs: epochs)
        let (hi, lo) = points.multipliedFullWidth(by: f)
        return UInt64(1_000_000).dividingFullWidth((high: hi, low: lo)).quotient
    }

    /// The reputation record brought up to `epoch` (decay applied lazily; never moves backwards).
    public func reputation(_ r: ReputationRecord, atEpoch epoch: UInt64) -> ReputationRecord {
        guard epoch > r.lastEpoch else { return r }
        return ReputationRecord(
            points: Self.decayed(r.points, ppm: params.reputationRetentionPpm, epochs: epoch - r.lastEpoch), lastEpoch: epoch)
    }

    /// floor(amount · bps / 10,000) without overflow (bps ≤ 10,000, so it fits).
    static func share(_ amount: UInt64, bps: UInt16) -> UInt64 {
        let (hi, lo) = amount.multipliedFullWidth(by: UInt64(min(bps, 10_000)))
        return UInt64(10_000).dividingFullWidth((high: hi, low: lo)).quotient
    }

    /// How one reward splits: floor(reward · data_share_bps / 10,000) to the dataset owner (when
    /// the task has a dataset), floor(reward · model_share_bps / 10,000) to the model owner (when
    /// it has a model), and the rest, rounding remainders included, to the contributor.
    /// Requires data_share_bps + model_share_bps ≤ 10,000 (a `create_task` rule).
    public static func rewardSplit(
        reward: UInt64, dataShareBps: UInt16, modelShareBps: UInt16, hasDataset: Bool, hasModel: Bool
    ) -> (data: UInt64, model: UInt64, contributor: UInt64) {
        let data = hasDataset ? share(reward, bps: dataShareBps) : 0
        let model = hasModel ? min(share(reward, bps: modelShareBps), reward - data) : 0  // never more than is left
        return (data, model, reward - data - model)
    }

    /// The escrow a task needs: reward × max contributions, nil on overflow.
    public static func escrow(_ spec: TaskSpec) -> UInt64? {
        let (v, o) = spec.reward.multipliedReportingOverflow(by: UInt64(spec.maxContributions))
        return o ? nil : v
    }

    /// Smallest fee a transaction with this body must pay.
    public func minimumFee(for body: TransactionBody) -> UInt64 {
        if case .contribute = body { return max(params.minFee, params.minContributionFee) }
        return params.minFee
    }

    // MARK: Transactions

    func checkName(_ name: String) throws(LedgerError) {
        guard UsefulWorkLimits.isValidName(name) else {
            throw LedgerError(
                .invalidName, "a name must be 1 to \(UsefulWorkLimits.maxNameBytes) bytes of UTF-8 without control characters")
        }
    }

    /// Validates a verifying key for admission (register_circuit, genesis): it decodes, it has a
    /// secret δ, and `bindingInput` names one of its public inputs.
    static func admitKey(_ key: Groth16VerifyingKey, bindingInput: UInt32) throws(LedgerError) {
        guard key.publicInputCount >= 1, key.publicInputCount <= UsefulWorkLimits.maxPublicInputs else {
            throw LedgerError(
                .invalidVerifyingKey,
                "a circuit needs 1 to \(UsefulWorkLimits.maxPublicInputs) public inputs (one is the binding input); this key has \(key.publicInputCount)"
            )
        }
        do { try key.requireSecretDelta() } catch { throw LedgerError(.forgeableKey, "\(error)") }
        guard Int(bindingInput) < key.publicInputCount else {
            throw LedgerError(
                .invalidBindingInput, "binding input \(bindingInput) is not below the key's \(key.publicInputCount) public inputs")
        }
    }

    func registerCircuit(
        sender: Address, verifyingKey bytes: [UInt8], bindingInput: UInt32, name: String, height: UInt64, state: inout StateOverlay
    ) throws(LedgerError) {
        try checkName(name)
        let key: Groth16VerifyingKey
        do { key = try Groth16VerifyingKey(canonicalBytes: bytes, maxPublicInputs: UsefulWorkLimits.maxPublicInputs) } catch {
            throw LedgerError(.invalidVerifyingKey, "verifying key: \(error)")
        }
        try Self.admitKey(key, bindingInput: bindingInput)
        let id = key.circuitID
        guard try circuit(id, in: state) == nil else { throw LedgerError(.circuitExists, "circuit \(id) is already registered") }
        put(
            CircuitRecord(verifyingKey: bytes, bindingInput: bindingInput, name: name, approved: false, registrant: sender, height: height),
            .circuit(id), &state)
    }

    func approveCircuit(sender: Address, circuit id: Hash256, height: UInt64, state: inout StateOverlay) throws(LedgerError) {
        guard let record = try circuit(id, in: state) else { throw LedgerError(.unknownCircuit, "circuit \(id) is not registered") }
        guard !record.approved else { throw LedgerError(.circuitAlreadyApproved, "circuit \(id) is already approved") }
        var operatesOne = false
        for v in try chainInfo(in: state).currentValidators.validators {
            if try validatorRecord(v.address, in: state)?.operator == sender {
                operatesOne = true
                break
            }
        }
        guard operatesOne else {
            throw LedgerError(.notValidatorOperator, "\(sender) operates no validator of the current set")
        }
        var approvals = try addressList(.circuitApprovals(id), state)
        guard !approvals.addresses.contains(sender) else {
            throw LedgerError(.duplicateApproval, "\(sender) has already approved circuit \(id)")
        }
        var pending = PendingApprovals(try pendingApprovals(in: state))
        if !pending.contains(id) {
            guard pending.entries.count < UsefulWorkLimits.maxPendingApprovals else {
                throw LedgerError(
                    .tooManyPendingApprovals,
                    "\(UsefulWorkLimits.maxPendingApprovals) circuits are already waiting for approval; try after the epoch ends")
            }
            pending.insert(id, epoch: epoch(of: height))
            put(pending, .pendingApprovals, &state)
        }
        approvals.insert(sender)
        put(approvals, .circuitApprovals(id), &state)
    }

    /// At the end of `epoch`: every pending circuit whose approving operators hold more than 2/3
    /// of `set`'s voting power (the set that signed the epoch's last block) becomes approved; one
    /// whose approval window (`UsefulWorkLimits.approvalWindowEpochs` epoch ends from its first
    /// approval) is over leaves the list with its approvals.
    func countApprovals(set: ValidatorSet, epoch: UInt64, state: inout StateOverlay) throws(LedgerError) {
        let pending = try pendingApprovals(in: state)
        guard !pending.isEmpty else { return }
        var operators: [(Address, UInt64)] = []
        for v in set.validators {
            let op = try validatorRecord(v.address, in: state)?.operator ?? v.address
            operators.append((op, v.votingPower))
        }
        var still = PendingApprovals()
        for entry in pending {
            let id = entry.circuit
            let approvers = try circuitApprovals(id, in: state)
            var power: UInt64 = 0  // below 2^60: a subset of the set's total
            for (op, p) in operators where approvers.contains(op) { power += p }
            if 3 * power > 2 * set.totalVotingPower, var record = try circuit(id, in: state) {
                record.approved = true
                put(record, .circuit(id), &state)
                state.set(.circuitApprovals(id), nil)
            } else if epoch >= entry.sinceEpoch + UsefulWorkLimits.approvalWindowEpochs - 1 {
                state.set(.circuitApprovals(id), nil)
            } else {
                still.entries.append(entry)  // in id order, as read
            }
        }
        state.set(.pendingApprovals, still.entries.isEmpty ? nil : still.canonicalBytes)
    }

    func registerCommitment(
        dataset: Bool, sender: Address, commitment: ScalarBytes, samples: UInt64, name: String, height: UInt64,
        state: inout StateOverlay
    ) throws(LedgerError) {
        try checkName(name)
        if dataset, samples == 0 { throw LedgerError(.invalidDataset, "a dataset has at least one sample") }
        var counters = try workCounters(in: state)
        let record = CommitmentRecord(owner: sender, commitment: commitment, samples: samples, name: name, height: height)
        if dataset {
            put(record, .dataset(counters.nextDataset), &state)
            counters.nextDataset += 1
        } else {
            put(record, .model(counters.nextModel), &state)
            counters.nextModel += 1
        }
        put(counters, .workCounters, &state)
    }

    func createTask(sender: Address, spec: TaskSpec, height: UInt64, state: inout StateOverlay) throws(LedgerError) {
        guard let record = try circuit(spec.circuit, in: state) else {
            throw LedgerError(.unknownCircuit, "circuit \(spec.circuit) is not registered")
        }
        let key = try verifyingKey(of: record, spec.circuit)
        if let d = spec.dataset, try dataset(d, in: state) == nil { throw LedgerError(.unknownDataset, "dataset \(d) does not exist") }
        if let m = spec.model, try model(m, in: state) == nil { throw LedgerError(.unknownModel, "model \(m) does not exist") }
        guard spec.reward > 0, spec.maxContributions > 0 else {
            throw LedgerError(.zeroAmount, "a task needs a positive reward and at least one contribution")
        }
        guard UInt32(spec.dataShareBps) + UInt32(spec.modelShareBps) <= 10_000 else {
            throw LedgerError(.invalidTask, "data_share_bps + model_share_bps must be at most 10000")
        }
        guard spec.dataShareBps == 0 || spec.dataset != nil else {
            throw LedgerError(.invalidTask, "a data share needs a dataset")
        }
        guard spec.modelShareBps == 0 || spec.model != nil else {
            throw LedgerError(.invalidTask, "a model share needs a model")
        }
        guard spec.deadline >= height else {
            throw LedgerError(.invalidTask, "deadline \(spec.deadline) is before the current height \(height)")
        }
        for (i, f) in spec.fixedInputs.enumerated() {
            guard i == 0 || spec.fixedInputs[i - 1].index < f.index else {
                throw LedgerError(.invalidTask, "fixed inputs must be in strictly ascending index order")
            }
            guard Int(f.index) < key.publicInputCount else {
                throw LedgerError(.invalidTask, "fixed input index \(f.index) is not below the circuit's \(key.publicInputCount) inputs")
            }
            guard f.index != record.bindingInput else {
                throw LedgerError(.invalidTask, "fixed input \(f.index) is the circuit's binding input")
            }
        }
        guard let escrow = Self.escrow(spec) else { throw LedgerError(.overflow, "reward × max_contributions overflows") }
        var sponsor = try account(sender, in: state)!
        guard sponsor.balance >= escrow else {
            throw LedgerError(.insufficientFunds, "balance \(sponsor.balance) is less than the escrow \(escrow)")
        }
        sponsor.balance -= escrow
        put(sponsor, .account(sender), &state)
        var counters = try workCounters(in: state)
        put(
            TaskRecord(sponsor: sender, spec: spec, pool: escrow, accepted: 0, closed: false, height: height), .task(counters.nextTask),
            &state)
        counters.nextTask += 1
        put(counters, .workCounters, &state)
    }

    func closeTask(sender: Address, task id: UInt64, height: UInt64, state: inout StateOverlay) throws(LedgerError) {
        guard var t = try task(id, in: state) else { throw LedgerError(.unknownTask, "task \(id) does not exist") }
        guard t.sponsor == sender else { throw LedgerError(.notTaskSponsor, "only the sponsor \(t.sponsor) may close task \(id)") }
        guard !t.closed else { throw LedgerError(.taskClosed, "task \(id) is already closed") }
        guard height > t.spec.deadline || t.accepted >= t.spec.maxContributions else {
            throw LedgerError(.taskStillOpen, "task \(id) is open until height \(t.spec.deadline) and not exhausted")
        }
        try credit(t.sponsor, t.pool, state: &state)
        t.pool = 0
        t.closed = true
        put(t, .task(id), &state)
    }

    /// Adds `amount` to an account's balance (creating it), refusing overflow.
    func credit(_ a: Address, _ amount: UInt64, state: inout StateOverlay) throws(LedgerError) {
        guard amount > 0 else { return }
        var acct = try account(a, in: state) ?? .empty
        let (b, o) = acct.balance.addingReportingOverflow(amount)
        guard !o else { throw LedgerError(.overflow, "balance of \(a) would overflow") }
        acct.balance = b
        put(acct, .account(a), &state)
    }

    func contribute(
        sender: Address, nonce: UInt64, task id: UInt64, proof proofBytes: [UInt8], inputs: [ScalarBytes], height: UInt64,
        state: inout StateOverlay, proofs: inout ProofChecks
    ) throws(LedgerError) {
        // Every check, cheapest first; the pairing last (or, in a block, deferred to one batch
        // for the whole block: `ProofChecks`).
        guard var t = try task(id, in: state) else { throw LedgerError(.unknownTask, "task \(id) does not exist") }
        guard !t.closed else { throw LedgerError(.taskClosed, "task \(id) is closed") }
        guard height <= t.spec.deadline else { throw LedgerError(.taskExpired, "task \(id) ended at height \(t.spec.deadline)") }
        guard t.accepted < t.spec.maxContributions else {
            throw LedgerError(.taskExhausted, "task \(id) has accepted all \(t.spec.maxContributions) contributions")
        }
        guard let circuitRecord = try circuit(t.spec.circuit, in: state) else {
            throw LedgerError(.corruptState, "task \(id) names missing circuit \(t.spec.circuit)")
        }
        // The input count from the stored key's header: preparing the key (pairing, tables) costs
        // far more than a verification and waits until every cheap check has passed, so
        // contributions that fail them cannot make the node prepare keys.
        guard let inputCount = Groth16VerifyingKey.publicInputCount(canonicalBytes: circuitRecord.verifyingKey) else {
            throw LedgerError(.corruptState, "stored verifying key of circuit \(t.spec.circuit) has no header")
        }
        guard inputs.count == inputCount else {
            throw LedgerError(.wrongInputCount, "the circuit has \(inputCount) public inputs, the contribution \(inputs.count)")
        }
        for f in t.spec.fixedInputs where inputs[Int(f.index)] != f.value {
            throw LedgerError(.fixedInputMismatch, "public input \(f.index) must be \(f.value) for task \(id)")
        }
        let binding = Self.bindingInput(sender: sender, task: id, nonce: nonce)
        guard inputs[Int(circuitRecord.bindingInput)] == binding else {
            throw LedgerError(
                .bindingMismatch,
                "public input \(circuitRecord.bindingInput) must be Poseidon(sender, task \(id), nonce \(nonce)) = \(binding)")
        }
        let inputsHash = Self.inputsHash(inputs, bindingInput: circuitRecord.bindingInput)
        guard try readRaw(.contributionInputs(task: id, inputsHash: inputsHash), state) == nil else {
            throw LedgerError(
                .duplicateContribution, "task \(id) already accepted these public inputs (the binding input aside)")
        }
        guard proofBytes.count == UsefulWorkLimits.proofBytes else {
            throw LedgerError(.invalidProof, "a proof is \(UsefulWorkLimits.proofBytes) bytes, got \(proofBytes.count)")
        }
        let proof: Groth16Proof
        do { proof = try Groth16Proof(canonicalBytes: proofBytes) } catch { throw LedgerError(.invalidProof, "proof: \(error)") }
        let fr = inputs.map { Fr(reducing: UInt256(bigEndian: $0.bytes)) }  // each < r (ScalarBytes)
        let prepared: PreparedVerifyingKey
        do {
            prepared = try proofs.keys.prepared(
                canonicalBytes: circuitRecord.verifyingKey, maxPublicInputs: UsefulWorkLimits.maxPublicInputs)
        } catch {
            throw LedgerError(.corruptState, "stored verifying key of circuit \(t.spec.circuit) does not decode: \(error)")
        }
        guard prepared.key.publicInputCount == inputCount else {
            throw LedgerError(.corruptState, "stored verifying key of circuit \(t.spec.circuit) has an inconsistent header")
        }
        try proofs.check(Groth16BatchItem(proof: proof, publicInputs: fr), key: prepared, circuit: t.spec.circuit)

        // Effects.
        let reward = t.spec.reward
        let dataOwner = try t.spec.dataset.map { d throws(LedgerError) in try dataset(d, in: state)?.owner }.flatMap { $0 }
        let modelOwner = try t.spec.model.map { m throws(LedgerError) in try model(m, in: state)?.owner }.flatMap { $0 }
        let (dataShare, modelShare, senderShare) = Self.rewardSplit(
            reward: reward, dataShareBps: t.spec.dataShareBps, modelShareBps: t.spec.modelShareBps, hasDataset: dataOwner != nil,
            hasModel: modelOwner != nil)
        guard t.pool >= reward else { throw LedgerError(.corruptState, "task \(id)'s pool \(t.pool) is below its reward") }
        t.pool -= reward
        let index = t.accepted
        t.accepted += 1
        put(t, .task(id), &state)
        if let dataOwner { try credit(dataOwner, dataShare, state: &state) }
        if let modelOwner { try credit(modelOwner, modelShare, state: &state) }
        try credit(sender, senderShare, state: &state)
        if circuitRecord.approved, t.spec.reputationCredit > 0 {
            try creditReputation(sender, t.spec.reputationCredit, epoch: epoch(of: height), state: &state)
        }
        put(
            ContributionRecord(task: id, index: index, contributor: sender, height: height, inputsHash: inputsHash),
            .contribution(task: id, index: index), &state)
        put(index, .contributionInputs(task: id, inputsHash: inputsHash), &state)
    }

    /// Credits reputation at `epoch`: decay first, then at most what both R_max and the
    /// per-epoch gain cap leave room for.
    func creditReputation(_ a: Address, _ amount: UInt64, epoch: UInt64, state: inout StateOverlay) throws(LedgerError) {
        var acct = try account(a, in: state) ?? .empty
        acct.reputation = reputation(acct.reputation, atEpoch: epoch)
        let prior = try reputationGain(a, in: state)
        let used = prior?.epoch == epoch ? prior!.gained : 0
        let capRoom = params.maxReputationGainPerEpoch > used ? params.maxReputationGainPerEpoch - used : 0
        let maxRoom = params.maxReputation > acct.reputation.points ? params.maxReputation - acct.reputation.points : 0
        let gain = min(amount, capRoom, maxRoom)
        acct.reputation.points += gain
        put(acct, .account(a), &state)
        if gain > 0 { put(ReputationGain(epoch: epoch, gained: used + gain), .reputationGain(a), &state) }
    }
}
