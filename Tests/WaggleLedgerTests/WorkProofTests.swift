import Foundation
import Testing
import WaggleCore
import WaggleTesting
import WaggleZK

@testable import WaggleLedger

/// Contributions carrying real Groth16 proofs (WaggleZK's setup and prover), reward
/// conservation over random sequences, and reputation decay and caps against a reference model.
@Suite struct WorkProofTests {
    let contributor = TestKeys.signer(50)
    let dataOwner = TestKeys.signer(51)
    let modelOwner = TestKeys.signer(52)

    @Test func aProvenContributionPaysAllThreePartiesAndCreditsReputation() throws {
        var f = try LedgerFixture { b in
            b.extraAccounts += [
                GenesisAccount(address: TestKeys.signer(51).address, balance: 1_000),
                GenesisAccount(address: TestKeys.signer(52).address, balance: 1_000),
            ]
        }
        let sponsor = f.keys[0]
        let supply = try f.info().totalSupply
        // Register the circuit from WaggleZK's key; the sole operator approves it; it counts at the epoch end.
        try f.apply(sponsor, .registerCircuit(verifyingKey: BindingCircuit.keyBytes, bindingInput: 0, name: "square"), height: 2)
        try f.apply(sponsor, .approveCircuit(circuit: BindingCircuit.id), height: 3)
        _ = try f.ledger.endBlock(height: 10, state: &f.state)
        #expect(try f.ledger.circuit(BindingCircuit.id, in: f.state)?.approved == true)
        try f.apply(dataOwner, .registerDataset(commitment: ScalarBytes(7), samples: 10, name: "d"), height: 11)
        try f.apply(modelOwner, .commitModel(commitment: ScalarBytes(8), name: "m"), height: 11)
        let spec = TaskSpec(
            circuit: BindingCircuit.id, dataset: 1, model: 1, fixedInputs: [], reward: 1_001,
            dataShareBps: 2_000, modelShareBps: 1_000, maxContributions: 2, reputationCredit: 40, deadline: 30)
        try f.apply(sponsor, .createTask(spec), height: 11)

        let n0 = f.nonce(contributor)
        let (proof0, inputs0) = BindingCircuit.prove(binding: BindingCircuit.binding(contributor.address, task: 1, nonce: n0), x: 3)
        // A proof made for the next nonce, another sender or another task is refused (binding).
        let (proofNext, inputsNext) = BindingCircuit.prove(
            binding: BindingCircuit.binding(contributor.address, task: 1, nonce: n0 + 1), x: 3)
        #expect(
            f.expectRejected(.bindingMismatch, contributor, .contribute(task: 1, proof: proofNext, publicInputs: inputsNext), height: 12)
                == nil)
        let (proofOther, inputsOther) = BindingCircuit.prove(binding: BindingCircuit.binding(dataOwner.address, task: 1, nonce: n0), x: 3)
        #expect(
            f.expectRejected(.bindingMismatch, contributor, .contribute(task: 1, proof: proofOther, publicInputs: inputsOther), height: 12)
                == nil)
        let (proofTask, inputsTask) = BindingCircuit.prove(binding: BindingCircuit.binding(contributor.address, task: 2, nonce: n0), x: 3)
        #expect(
            f.expectRejected(.bindingMismatch, contributor, .contribute(task: 1, proof: proofTask, publicInputs: inputsTask), height: 12)
                == nil)
        // A proof for other inputs, with this contribution's binding: the pairing refuses it.
        #expect(
            f.expectRejected(.proofRejected, contributor, .contribute(task: 1, proof: proofNext, publicInputs: inputs0), height: 12) == nil)

        let before = try [contributor, dataOwner, modelOwner].map { try f.balance($0.address) }
        try f.apply(contributor, .contribute(task: 1, proof: proof0, publicInputs: inputs0), height: 12)
        let after = try [contributor, dataOwner, modelOwner].map { try f.balance($0.address) }
        #expect(after[1] - before[1] == 200)  // floor(1001 · 2000 / 10000)
        #expect(after[2] - before[2] == 100)  // floor(1001 · 1000 / 10000)
        #expect(after[0] + 1 - before[0] == 701)  // the rest, less the fee of 1
        let t = try #require(try f.ledger.task(1, in: f.state))
        #expect(t.pool == 1_001 && t.accepted == 1)
        #expect(
            try f.ledger.contribution(task: 1, index: 0, in: f.state)
                == ContributionRecord(
                    task: 1, index: 0, contributor: contributor.address, height: 12,
                    inputsHash: Ledger.inputsHash(inputs0, bindingInput: 0)))
        let rep = try #require(try f.ledger.account(contributor.address, in: f.state)?.reputation)
        #expect(rep == ReputationRecord(points: 40, lastEpoch: 1))
        #expect(try f.ledger.reputationGain(contributor.address, in: f.state) == ReputationGain(epoch: 1, gained: 40))
        #expect(try f.supplyWithPools() == supply)

        // The same result again under the next nonce (a fresh binding, a valid proof) is a
        // replay: one result is paid once, whoever submits it.
        #expect(
            f.expectRejected(.duplicateContribution, contributor, .contribute(task: 1, proof: proofNext, publicInputs: inputsNext), height: 13)
                == nil)
        let (proofDup, inputsDup) = BindingCircuit.prove(binding: BindingCircuit.binding(dataOwner.address, task: 1, nonce: f.nonce(dataOwner)), x: 3)
        #expect(
            f.expectRejected(.duplicateContribution, dataOwner, .contribute(task: 1, proof: proofDup, publicInputs: inputsDup), height: 13)
                == nil, "from another sender too")
        // The second (and last) contribution proves another result, then the task is exhausted and may close early.
        let (proof1, inputs1) = BindingCircuit.prove(binding: BindingCircuit.binding(contributor.address, task: 1, nonce: n0 + 1), x: 4)
        try f.apply(contributor, .contribute(task: 1, proof: proof1, publicInputs: inputs1), height: 13)
        #expect(try f.ledger.task(1, in: f.state)?.accepted == 2)
        #expect(try f.ledger.account(contributor.address, in: f.state)?.reputation.points == 80)
        let (p2, i2) = BindingCircuit.prove(binding: BindingCircuit.binding(contributor.address, task: 1, nonce: n0 + 2), x: 5)
        #expect(f.expectRejected(.taskExhausted, contributor, .contribute(task: 1, proof: p2, publicInputs: i2), height: 14) == nil)
        try f.apply(sponsor, .closeTask(task: 1), height: 14)
        #expect(try f.ledger.task(1, in: f.state)?.pool == 0)
        #expect(try f.supplyWithPools() == supply)
    }

    @Test func contributionsConserveSupplyOverARandomSequence() throws {
        var f = try LedgerFixture(validators: 2) { b in
            b.extraAccounts += [
                GenesisAccount(address: TestKeys.signer(51).address, balance: 50_000),
                GenesisAccount(address: TestKeys.signer(52).address, balance: 50_000),
            ]
            b.circuits = [GenesisCircuit(verifyingKey: BindingCircuit.key, bindingInput: 0, name: "square", approved: false)]
        }
        let supply = try f.info().totalSupply
        let actors = [f.keys[0], f.keys[1], contributor, dataOwner, modelOwner]
        try f.apply(dataOwner, .registerDataset(commitment: ScalarBytes(1), samples: 3, name: "d"))
        try f.apply(modelOwner, .commitModel(commitment: ScalarBytes(2), name: "m"))
        var rng = SplitMix64(seed: 2026)
        var accepted = 0
        for step in 0..<40 {
            let height = UInt64(2 + step)
            let who = actors[Int(rng.next() % UInt64(actors.count))]
            let tasks = try f.ledger.workCounters(in: f.state).nextTask - 1
            let body: TransactionBody
            switch rng.next() % 5 {
            case 0, 1:
                let d = UInt16(rng.next() % 6_000), m = UInt16(rng.next() % 4_001)
                body = .createTask(
                    TaskSpec(
                        circuit: BindingCircuit.id, dataset: d > 0 ? 1 : nil, model: m > 0 ? 1 : nil,
                        fixedInputs: [FixedInput(index: 1, value: ScalarBytes(9))], reward: 1 + rng.next() % 3_000, dataShareBps: d,
                        modelShareBps: m, maxContributions: UInt32(1 + rng.next() % 3), reputationCredit: rng.next() % 50,
                        deadline: height + rng.next() % 8))
            case 2 where tasks > 0:
                body = .closeTask(task: 1 + rng.next() % tasks)
            case 3 where tasks > 0 && accepted < 6:
                let task = 1 + rng.next() % tasks
                let (p, i) = BindingCircuit.prove(binding: BindingCircuit.binding(who.address, task: task, nonce: f.nonce(who)), x: 3)
                body = .contribute(task: task, proof: p, publicInputs: i)
            default:
                body = .transfer(to: actors[Int(rng.next() % UInt64(actors.count))].address, amount: 1 + rng.next() % 2_000)
            }
            let before = f.state.changes
            do {
                try f.apply(who, body, height: height)
                if case .contribute = body { accepted += 1 }
            } catch {
                #expect(f.state.changes == before, "step \(step): a rejected \(body.tag) changed state")
            }
            #expect(try f.supplyWithPools() == supply, "step \(step): supply not conserved")
            #expect(
                try f.ledger.account(who.address, in: f.state)?.reputation.points ?? 0 == 0, "an unapproved circuit earns no reputation")
        }
        #expect(accepted >= 1, "the sequence exercised at least one accepted contribution")
    }

    // MARK: Reputation

    /// Reference: retention^k in ppm, binary exponentiation over k's bits from the lowest, each
    /// product floored (Docs/PROTOCOL.md).
    static func referenceFactor(_ ppm: UInt64, _ k: UInt64) -> UInt64 {
        var bits: [Bool] = []
        var kk = k
        while kk > 0 {
            bits.append(kk & 1 == 1)
            kk >>= 1
        }
        var result: UInt64 = 1_000_000, base = ppm
        for (i, bit) in bits.enumerated() {
            if bit { result = result * base / 1_000_000 }
            if i + 1 < bits.count { base = base * base / 1_000_000 }
        }
        return result
    }

    @Test func retentionFactorMatchesTheReferenceAndTheRealPower() {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<500 {
            let ppm = rng.next() % 1_000_001, k = rng.next() % 400
            let f = Ledger.retentionFactor(ppm: ppm, epochs: k)
            #expect(f == Self.referenceFactor(ppm, k))
            // Each floored product loses less than 1 ppm; at most 2·64 products.
            let exact = 1_000_000 * pow(Double(ppm) / 1_000_000, Double(k))
            #expect(Double(f) <= exact + 1e-6 && exact - Double(f) <= 128, "ppm \(ppm) k \(k)")
        }
        #expect(Ledger.retentionFactor(ppm: 1_000_000, epochs: .max) == 1_000_000)
        #expect(Ledger.retentionFactor(ppm: 0, epochs: 1) == 0)
        #expect(Ledger.retentionFactor(ppm: 123, epochs: 0) == 1_000_000)
        #expect(Ledger.decayed(.max, ppm: 500_000, epochs: 1) == UInt64.max / 2)
        #expect(Ledger.decayed(1_000, ppm: 500_000, epochs: 2) == 250)
    }

    @Test func reputationDecayAndCapsMatchAReferenceModelOverManyEpochs() throws {
        var f = try LedgerFixture { b in
            b.ledgerParams.maxReputation = 1_000
            b.ledgerParams.maxReputationGainPerEpoch = 120
            b.ledgerParams.reputationRetentionPpm = 950_000
        }
        let a = contributor.address
        // Reference model.
        var points: UInt64 = 0, last: UInt64 = 0, gainEpoch: UInt64 = .max, used: UInt64 = 0
        var rng = SplitMix64(seed: 5)
        var epoch: UInt64 = 0
        for _ in 0..<600 {
            epoch += rng.next() % 4 == 0 ? rng.next() % 6 : 0
            let amount = rng.next() % 150
            try f.ledger.creditReputation(a, amount, epoch: epoch, state: &f.state)
            if epoch > last {
                points = points * Self.referenceFactor(950_000, epoch - last) / 1_000_000
                last = epoch
            }
            if gainEpoch != epoch {
                gainEpoch = epoch
                used = 0
            }
            let add = min(amount, 120 - used, 1_000 - points)
            points += add
            used += add
            let rep = try #require(try f.ledger.account(a, in: f.state)?.reputation)
            #expect(rep == ReputationRecord(points: points, lastEpoch: last), "epoch \(epoch)")
            #expect(rep.points <= 1_000)
        }
        #expect(epoch > 100, "the sequence spans many epochs")
    }

    @Test func votingPowerAtTheEpochBoundaryUsesDecayedReputation() throws {
        var f = try LedgerFixture()  // epoch length 10, R_max 1,000,000, M = 2, retention 990,000 ppm
        let op = f.keys[0].address
        var acct = try #require(try f.ledger.account(op, in: f.state))
        acct.reputation = ReputationRecord(points: 500_000, lastEpoch: 0)
        f.state.set(.account(op), acct.canonicalBytes)
        let next = try f.ledger.endBlock(height: 10, state: &f.state)  // the next set signs in epoch 1
        // floor(500,000 · 0.99) = 495,000; VP = floor(1,000,000 · (1,000,000 + 495,000) / 1,000,000).
        #expect(next.validator(op)?.votingPower == 1_495_000)
    }
}
