import Testing
import WaggleCore
import WaggleTesting
import WaggleZK

@testable import WaggleLedger

/// Ledger rules of useful work that need no pairing: circuits, approvals, datasets, models,
/// tasks, and the contribution checks that run before the proof.
@Suite struct WorkLedgerTests {
    static let sponsorIndex = 0
    let contributor = TestKeys.signer(50)  // balance 10,000
    let dataOwner = TestKeys.signer(51)
    let modelOwner = TestKeys.signer(52)

    /// One validator (keys[0], the sponsor), the binding circuit in genesis (approved or not).
    func fixture(validators: Int = 1, approved: Bool = true, configure: (inout GenesisBuilder) -> Void = { _ in }) throws -> LedgerFixture {
        try LedgerFixture(validators: validators) { b in
            b.extraAccounts += [
                GenesisAccount(address: TestKeys.signer(51).address, balance: 1_000),
                GenesisAccount(address: TestKeys.signer(52).address, balance: 1_000),
            ]
            b.circuits = [GenesisCircuit(verifyingKey: BindingCircuit.key, bindingInput: 0, name: "square", approved: approved)]
            configure(&b)
        }
    }

    func spec(
        dataset: UInt64? = nil, model: UInt64? = nil, fixed: [FixedInput] = [FixedInput(index: 1, value: ScalarBytes(9))],
        reward: UInt64 = 1_000, dataBps: UInt16 = 0, modelBps: UInt16 = 0, max: UInt32 = 3, credit: UInt64 = 40, deadline: UInt64 = 20
    ) -> TaskSpec {
        TaskSpec(
            circuit: BindingCircuit.id, dataset: dataset, model: model, fixedInputs: fixed, reward: reward, dataShareBps: dataBps,
            modelShareBps: modelBps, maxContributions: max, reputationCredit: credit, deadline: deadline)
    }

    // MARK: Circuits

    @Test func genesisCircuitIsStoredUnderItsIDWithItsApproval() throws {
        let f = try fixture(approved: true)
        let c = try #require(try f.ledger.circuit(BindingCircuit.id, in: f.state))
        #expect(c.approved && c.registrant == nil && c.bindingInput == 0 && c.name == "square" && c.height == 0)
        #expect(c.verifyingKey == BindingCircuit.keyBytes)
    }

    @Test func registerCircuitStoresAnUnapprovedCircuitOwnedByTheSender() throws {
        var f = try LedgerFixture()
        let s = f.keys[0]
        try f.apply(s, .registerCircuit(verifyingKey: BindingCircuit.keyBytes, bindingInput: 1, name: "sq"), height: 4)
        let c = try #require(try f.ledger.circuit(BindingCircuit.id, in: f.state))
        #expect(!c.approved && c.registrant == s.address && c.bindingInput == 1 && c.height == 4)
        #expect(
            f.expectRejected(.circuitExists, s, .registerCircuit(verifyingKey: BindingCircuit.keyBytes, bindingInput: 0, name: "again"))
                == nil)
    }

    @Test func registerCircuitRefusesForgeableMalformedAndMisboundKeys() throws {
        var f = try LedgerFixture()
        let s = f.keys[0]
        let forgeable = BindingCircuit.forgeableKey.canonicalBytes
        #expect(f.expectRejected(.forgeableKey, s, .registerCircuit(verifyingKey: forgeable, bindingInput: 0, name: "f")) == nil)
        var flipped = BindingCircuit.keyBytes
        flipped[1 + 63] ^= 1  // alpha's y: off the curve
        #expect(f.expectRejected(.invalidVerifyingKey, s, .registerCircuit(verifyingKey: flipped, bindingInput: 0, name: "k")) == nil)
        #expect(
            f.expectRejected(
                .invalidVerifyingKey, s, .registerCircuit(verifyingKey: BindingCircuit.keyBytes + [0], bindingInput: 0, name: "k"))
                == nil)
        #expect(f.expectRejected(.invalidVerifyingKey, s, .registerCircuit(verifyingKey: [2], bindingInput: 0, name: "k")) == nil)
        #expect(
            f.expectRejected(.invalidBindingInput, s, .registerCircuit(verifyingKey: BindingCircuit.keyBytes, bindingInput: 2, name: "k"))
                == nil)
        #expect(
            f.expectRejected(.invalidName, s, .registerCircuit(verifyingKey: BindingCircuit.keyBytes, bindingInput: 0, name: "")) == nil)
    }

    @Test func approvalNeedsOperatorsHoldingMoreThanTwoThirdsCountedAtTheEpochEnd() throws {
        var f = try fixture(validators: 3, approved: false)  // equal power; epoch length 10
        let id = BindingCircuit.id
        #expect(f.expectRejected(.notValidatorOperator, contributor, .approveCircuit(circuit: id)) == nil)
        #expect(f.expectRejected(.unknownCircuit, f.keys[0], .approveCircuit(circuit: Hash256.sha256([1]))) == nil)
        try f.apply(f.keys[0], .approveCircuit(circuit: id))
        #expect(f.expectRejected(.duplicateApproval, f.keys[0], .approveCircuit(circuit: id)) == nil)
        try f.apply(f.keys[1], .approveCircuit(circuit: id))
        #expect(try f.ledger.circuitApprovals(id, in: f.state).count == 2)
        _ = try f.ledger.endBlock(height: 10, state: &f.state)
        #expect(try f.ledger.circuit(id, in: f.state)?.approved == false, "2 of 3 equal powers is not more than 2/3")
        try f.apply(f.keys[2], .approveCircuit(circuit: id), height: 11)
        _ = try f.ledger.endBlock(height: 11, state: &f.state)
        #expect(try f.ledger.circuit(id, in: f.state)?.approved == false, "counted only at an epoch's end")
        _ = try f.ledger.endBlock(height: 20, state: &f.state)
        #expect(try f.ledger.circuit(id, in: f.state)?.approved == true)
        #expect(try f.ledger.pendingApprovals(in: f.state).isEmpty)
        #expect(try f.ledger.circuitApprovals(id, in: f.state).isEmpty)
        #expect(f.expectRejected(.circuitAlreadyApproved, f.keys[0], .approveCircuit(circuit: id), height: 21) == nil)
    }

    @Test func aPendingCircuitLeavesTheListWithItsApprovalsAfterFourEpochEndsShortOfAQuorum() throws {
        var f = try fixture(validators: 3, approved: false)  // epoch length 10
        let id = BindingCircuit.id
        try f.apply(f.keys[0], .approveCircuit(circuit: id), height: 5)
        #expect(try f.ledger.pendingApprovals(in: f.state) == [PendingApproval(circuit: id, sinceEpoch: 0)])
        for end: UInt64 in [10, 20, 30] {
            _ = try f.ledger.endBlock(height: end, state: &f.state)
            #expect(try f.ledger.pendingApprovals(in: f.state).count == 1, "still waiting after the end at \(end)")
        }
        _ = try f.ledger.endBlock(height: 40, state: &f.state)
        #expect(try f.ledger.pendingApprovals(in: f.state).isEmpty)
        #expect(try f.ledger.circuitApprovals(id, in: f.state).isEmpty)
        #expect(try f.ledger.circuit(id, in: f.state)?.approved == false)
        // Its operators may start again.
        try f.apply(f.keys[0], .approveCircuit(circuit: id), height: 41)
        #expect(try f.ledger.pendingApprovals(in: f.state) == [PendingApproval(circuit: id, sinceEpoch: 4)])
    }

    @Test func aFullPendingListRefusesANewCircuitButNotMoreApprovalsOfAPendingOne() throws {
        var f = try fixture(validators: 3, approved: false)
        let id = BindingCircuit.id
        var others = PendingApprovals()
        var n: UInt32 = 0
        while others.entries.count < UsefulWorkLimits.maxPendingApprovals {
            let other = Hash256.sha256(n.canonicalBytes)
            if other != id { others.insert(other, epoch: 0) }
            n += 1
        }
        f.state.set(.pendingApprovals, others.canonicalBytes)
        #expect(f.expectRejected(.tooManyPendingApprovals, f.keys[0], .approveCircuit(circuit: id)) == nil)
        // With the circuit among the 1,024, another operator's approval is taken.
        var withIt = others
        withIt.entries.removeLast()
        withIt.insert(id, epoch: 0)
        f.state.set(.pendingApprovals, withIt.canonicalBytes)
        try f.apply(f.keys[1], .approveCircuit(circuit: id))
        #expect(try f.ledger.circuitApprovals(id, in: f.state).count == 1)
        #expect(try f.ledger.pendingApprovals(in: f.state).count == UsefulWorkLimits.maxPendingApprovals)
        // The undo log of an applied transaction is dropped at once: a block of many writes to
        // one key holds one copy, not one per transaction.
        var g = try fixture(validators: 3, approved: false)
        for k in g.keys.prefix(2) {
            _ = try g.ledger.applyDeferringFee(g.tx(k, .approveCircuit(circuit: id), nonce: 0), height: 1, state: &g.state)
            #expect(g.state.checkpoint == 0)
        }
        #expect(try g.ledger.circuitApprovals(id, in: g.state).count == 2)
    }

    // MARK: Datasets and models

    @Test func datasetsAndModelsGetSequentialIdsOwnersAndHeights() throws {
        var f = try fixture()
        try f.apply(dataOwner, .registerDataset(commitment: ScalarBytes(7), samples: 100, name: "d1"), height: 3)
        try f.apply(dataOwner, .registerDataset(commitment: ScalarBytes(8), samples: 5, name: "d2"), height: 4)
        try f.apply(modelOwner, .commitModel(commitment: ScalarBytes(9), name: "m1"), height: 5)
        #expect(
            try f.ledger.dataset(1, in: f.state)
                == CommitmentRecord(owner: dataOwner.address, commitment: ScalarBytes(7), samples: 100, name: "d1", height: 3))
        #expect(try f.ledger.dataset(2, in: f.state)?.height == 4)
        #expect(
            try f.ledger.model(1, in: f.state)
                == CommitmentRecord(owner: modelOwner.address, commitment: ScalarBytes(9), samples: 0, name: "m1", height: 5))
        #expect(try f.ledger.workCounters(in: f.state) == WorkCounters(nextDataset: 3, nextModel: 2, nextTask: 1))
        #expect(f.expectRejected(.invalidDataset, dataOwner, .registerDataset(commitment: ScalarBytes(7), samples: 0, name: "d")) == nil)
        #expect(f.expectRejected(.invalidName, modelOwner, .commitModel(commitment: ScalarBytes(7), name: "bad\nname")) == nil)
    }

    // MARK: Tasks

    @Test func createTaskEscrowsRewardTimesMaxContributions() throws {
        var f = try fixture()
        let sponsor = f.keys[0]
        let before = try f.balance(sponsor.address)
        let supply = try f.info().totalSupply
        try f.apply(sponsor, .createTask(spec(reward: 1_000, max: 3)), fee: 2, height: 2)
        #expect(try f.balance(sponsor.address) == before - 3_000 - 2)
        let t = try #require(try f.ledger.task(1, in: f.state))
        #expect(t.pool == 3_000 && t.accepted == 0 && !t.closed && t.sponsor == sponsor.address && t.height == 2)
        #expect(try f.supplyWithPools() == supply)
        try f.apply(sponsor, .createTask(spec()), height: 2)
        #expect(try f.ledger.task(2, in: f.state) != nil, "sequential ids")
    }

    @Test func createTaskRejectsEveryBadSpecWithoutChangingState() throws {
        var f = try fixture()
        let s = f.keys[0]
        try f.apply(dataOwner, .registerDataset(commitment: ScalarBytes(7), samples: 10, name: "d"))
        var unknown = spec()
        unknown.circuit = Hash256.sha256([3])
        #expect(f.expectRejected(.unknownCircuit, s, .createTask(unknown)) == nil)
        #expect(f.expectRejected(.unknownDataset, s, .createTask(spec(dataset: 9))) == nil)
        #expect(f.expectRejected(.unknownModel, s, .createTask(spec(model: 1))) == nil)
        #expect(f.expectRejected(.zeroAmount, s, .createTask(spec(reward: 0))) == nil)
        #expect(f.expectRejected(.zeroAmount, s, .createTask(spec(max: 0))) == nil)
        #expect(f.expectRejected(.invalidTask, s, .createTask(spec(dataset: 1, dataBps: 10_001))) == nil)
        #expect(f.expectRejected(.invalidTask, s, .createTask(spec(dataBps: 100))) == nil, "a data share needs a dataset")
        #expect(f.expectRejected(.invalidTask, s, .createTask(spec(modelBps: 100))) == nil, "a model share needs a model")
        #expect(f.expectRejected(.invalidTask, s, .createTask(spec(deadline: 4)), height: 5) == nil)
        #expect(f.expectRejected(.invalidTask, s, .createTask(spec(fixed: [FixedInput(index: 2, value: ScalarBytes(1))]))) == nil)
        #expect(
            f.expectRejected(.invalidTask, s, .createTask(spec(fixed: [FixedInput(index: 0, value: ScalarBytes(1))]))) == nil,
            "the binding input cannot be fixed")
        #expect(f.expectRejected(.overflow, s, .createTask(spec(reward: .max / 2, max: 3))) == nil)
        #expect(f.expectRejected(.insufficientFunds, contributor, .createTask(spec(reward: 5_000, max: 2))) == nil)
    }

    @Test func closeTaskRefundsThePoolToTheSponsorOnlyAfterTheDeadline() throws {
        var f = try fixture()
        let s = f.keys[0]
        try f.apply(s, .createTask(spec(reward: 100, max: 5, deadline: 20)), height: 2)
        #expect(f.expectRejected(.taskStillOpen, s, .closeTask(task: 1), height: 20) == nil)
        #expect(f.expectRejected(.notTaskSponsor, contributor, .closeTask(task: 1), height: 21) == nil)
        #expect(f.expectRejected(.unknownTask, s, .closeTask(task: 2), height: 21) == nil)
        let before = try f.balance(s.address)
        try f.apply(s, .closeTask(task: 1), height: 21)
        #expect(try f.balance(s.address) == before + 500 - 1)
        let t = try #require(try f.ledger.task(1, in: f.state))
        #expect(t.closed && t.pool == 0)
        #expect(f.expectRejected(.taskClosed, s, .closeTask(task: 1), height: 22) == nil)
    }

    // MARK: Contributions: checks before the pairing

    @Test func contributionChecksRunInOrderBeforeAnyPairing() throws {
        var f = try fixture { $0.ledgerParams.minContributionFee = 5 }
        let s = f.keys[0]
        try f.apply(s, .createTask(spec(deadline: 20)), height: 2)
        let c = contributor
        let good = BindingCircuit.binding(c.address, task: 1, nonce: 0)
        let junk = [UInt8](repeating: 0xFF, count: 256)
        func contribute(_ inputs: [ScalarBytes], proof: [UInt8] = junk, task: UInt64 = 1) -> TransactionBody {
            .contribute(task: task, proof: proof, publicInputs: inputs)
        }
        #expect(f.expectRejected(.feeTooLow, c, contribute([good, ScalarBytes(9)]), fee: 4) == nil)
        #expect(f.expectRejected(.unknownTask, c, contribute([good, ScalarBytes(9)], task: 7), fee: 5) == nil)
        #expect(f.expectRejected(.taskExpired, c, contribute([good, ScalarBytes(9)]), fee: 5, height: 21) == nil)
        #expect(f.expectRejected(.wrongInputCount, c, contribute([good]), fee: 5) == nil)
        #expect(f.expectRejected(.wrongInputCount, c, contribute([good, ScalarBytes(9), ScalarBytes(1)]), fee: 5) == nil)
        #expect(f.expectRejected(.fixedInputMismatch, c, contribute([good, ScalarBytes(10)]), fee: 5) == nil)
        let otherNonce = BindingCircuit.binding(c.address, task: 1, nonce: 1)
        let otherSender = BindingCircuit.binding(dataOwner.address, task: 1, nonce: 0)
        let otherTask = BindingCircuit.binding(c.address, task: 2, nonce: 0)
        for wrong in [otherNonce, otherSender, otherTask] {
            #expect(f.expectRejected(.bindingMismatch, c, contribute([wrong, ScalarBytes(9)]), fee: 5) == nil)
        }
        // Coordinates ≥ p are refused before any curve arithmetic.
        #expect(f.expectRejected(.invalidProof, c, contribute([good, ScalarBytes(9)]), fee: 5) == nil)
        // A point off its curve.
        var offCurve = BindingCircuit.prove(binding: good, x: 3).proof
        offCurve[63] ^= 1
        #expect(f.expectRejected(.invalidProof, c, contribute([good, ScalarBytes(9)], proof: offCurve), fee: 5) == nil)
        // A public-input set the task already accepted.
        let hash = Ledger.inputsHash([good, ScalarBytes(9)], bindingInput: 0)
        f.state.set(.contributionInputs(task: 1, inputsHash: hash), UInt32(0).canonicalBytes)
        #expect(f.expectRejected(.duplicateContribution, c, contribute([good, ScalarBytes(9)]), fee: 5) == nil)
    }

    @Test func closedAndExhaustedTasksRefuseContributions() throws {
        var f = try fixture()
        let s = f.keys[0]
        try f.apply(s, .createTask(spec(max: 1, deadline: 5)), height: 2)
        try f.apply(s, .closeTask(task: 1), height: 6)
        let b = BindingCircuit.binding(contributor.address, task: 1, nonce: 0)
        #expect(
            f.expectRejected(
                .taskClosed, contributor,
                .contribute(task: 1, proof: [UInt8](repeating: 0, count: 256), publicInputs: [b, ScalarBytes(9)]),
                height: 5) == nil)
        // Exhausted: accepted == max (set directly; the proof-carrying path is in WorkProofTests).
        try f.apply(s, .createTask(spec(max: 1, deadline: 50)), height: 7)
        var t = try #require(try f.ledger.task(2, in: f.state))
        t.accepted = 1
        f.state.set(.task(2), t.canonicalBytes)
        let b2 = BindingCircuit.binding(contributor.address, task: 2, nonce: 0)
        #expect(
            f.expectRejected(
                .taskExhausted, contributor,
                .contribute(task: 2, proof: [UInt8](repeating: 0, count: 256), publicInputs: [b2, ScalarBytes(9)]), height: 8) == nil)
    }

    // MARK: Pure rules

    @Test func bindingInputIsCircomlibPoseidonOfSenderTaskAndNonce() throws {
        // circomlib poseidon([1, 2, 3]) (circomlibjs test vector).
        let one = try #require(Address([UInt8](repeating: 0, count: 19) + [1]))
        let expected = "6542985608222806190361240322586112750744169038454362455181422643027100751666"
        #expect(BindingCircuit.fr(Ledger.bindingInput(sender: one, task: 2, nonce: 3)).value.decimalString == expected)
        // Against WaggleZK's Poseidon for arbitrary senders (the address read as a big-endian integer).
        var rng = SplitMix64(seed: 7)
        for _ in 0..<8 {
            let a = Address(rng.bytes(20))!
            let task = rng.next(), nonce = rng.next()
            let reference = try Poseidon.hash([
                Fr(reducing: UInt256(bigEndian: [UInt8](repeating: 0, count: 12) + a.bytes)), Fr(task), Fr(nonce),
            ])
            #expect(Ledger.bindingInput(sender: a, task: task, nonce: nonce) == BindingCircuit.scalar(reference))
        }
    }

    @Test func rewardSplitGivesFlooredSharesAndRemaindersToTheContributor() {
        #expect(
            Ledger.rewardSplit(reward: 1_001, dataShareBps: 2_500, modelShareBps: 1_000, hasDataset: true, hasModel: true) == (
                250, 100, 651
            ))
        #expect(Ledger.rewardSplit(reward: 7, dataShareBps: 5_000, modelShareBps: 5_000, hasDataset: true, hasModel: true) == (3, 3, 1))
        #expect(Ledger.rewardSplit(reward: .max, dataShareBps: 10_000, modelShareBps: 0, hasDataset: true, hasModel: false) == (.max, 0, 0))
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            let reward = rng.next() >> (rng.next() % 64)
            let d = UInt16(rng.next() % 10_001)
            let m = UInt16(rng.next() % UInt64(10_001 - UInt64(d)))
            let hasD = rng.next() % 2 == 0, hasM = rng.next() % 2 == 0
            let (a, b, c) = Ledger.rewardSplit(reward: reward, dataShareBps: d, modelShareBps: m, hasDataset: hasD, hasModel: hasM)
            // Reference: reward = q·10,000 + r, so floor(reward·bps/10,000) = q·bps + floor(r·bps/10,000).
            func ref(_ bps: UInt16) -> UInt64 { reward / 10_000 * UInt64(bps) + reward % 10_000 * UInt64(bps) / 10_000 }
            #expect(a == (hasD ? ref(d) : 0))
            #expect(b == (hasM ? ref(m) : 0))
            #expect(a + b + c == reward)
        }
    }
}
