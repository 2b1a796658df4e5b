import Testing
import WaggleCore
@testable import WaggleLedger
import WaggleTesting
import WaggleZK

/// A block's contribution proofs are verified in one batch (`Ledger.executeBlock`), with the
/// verdict, and the error, of verifying each proof on its own in order.
@Suite struct BlockBatchVerificationTests {
    static let contributor = TestKeys.signer(50)
    static let second = TestKeys.signer(51)
    static let height: UInt64 = 2

    /// The genesis circuit (approved) and task 1 on it, open for 1,000 contributions.
    static func fixture() throws -> LedgerFixture {
        var f = try LedgerFixture { b in
            b.extraAccounts = [
                GenesisAccount(address: contributor.address, balance: 1_000_000),
                GenesisAccount(address: second.address, balance: 1_000_000),
            ]
            b.circuits = [GenesisCircuit(verifyingKey: BindingCircuit.key, bindingInput: 0, name: "square", approved: true)]
        }
        try f.apply(
            f.keys[0], .createTask(TaskSpec(circuit: BindingCircuit.id, reward: 10, maxContributions: 1_000, reputationCredit: 1, deadline: 10_000)))
        f.commit()
        return f
    }

    /// How executing a block ended: the index and code of the transaction that failed, or the
    /// state it wrote.
    enum Outcome: Equatable {
        case failed(index: Int, code: LedgerError.Code)
        case executed([StateChange])
    }

    /// The index named by an error from `executeBlock` ("transaction i (hash): …").
    static func index(of error: LedgerError) -> Int? {
        guard error.reason.hasPrefix("transaction "), let n = error.reason.dropFirst(12).split(separator: " ").first else { return nil }
        return Int(n)
    }

    static func batched(_ ledger: Ledger, _ state: StateOverlay, _ txs: [Transaction], height: UInt64 = height,
                        keys: PreparedVerifyingKeyCache = PreparedVerifyingKeyCache()) -> Outcome {
        var s = state
        do {
            _ = try ledger.executeBlock(height: height, lastCommit: nil, evidence: [], transactions: txs, state: &s, keys: keys)
            return .executed(s.changes)
        } catch {
            return .failed(index: index(of: error) ?? -1, code: error.code)
        }
    }

    /// The reference: the same block with every proof verified on its own, in order.
    static func single(_ ledger: Ledger, _ state: StateOverlay, _ txs: [Transaction], height: UInt64 = height) -> Outcome {
        var s = state
        do {
            try ledger.beginBlock(height: height, lastCommit: nil, state: &s)
            for (i, tx) in txs.enumerated() {
                do { try ledger.apply(tx, height: height, state: &s) } catch { return .failed(index: i, code: error.code) }
            }
            s.discardJournal()
            _ = try ledger.endBlock(height: height, state: &s)
            return .executed(s.changes)
        } catch {
            return .failed(index: -1, code: error.code)
        }
    }

    /// A contribution to `task` by `signer` at `nonce`, proven (x chosen freely; by default one
    /// per nonce, since a task pays each result once).
    static func contribution(_ f: LedgerFixture, _ signer: Signer, task: UInt64, nonce: UInt64, x: UInt64? = nil) -> Transaction {
        let x = x ?? 3 + nonce + (signer.address == second.address ? 1_000 : 0)
        let (proof, inputs) = BindingCircuit.prove(binding: BindingCircuit.binding(signer.address, task: task, nonce: nonce), x: x)
        return f.tx(signer, .contribute(task: task, proof: proof, publicInputs: inputs), nonce: nonce)
    }

    /// The same contribution carrying another contribution's proof: every check but the pairing
    /// passes.
    static func withProof(of donor: Transaction, _ tx: Transaction, _ f: LedgerFixture, _ signer: Signer) -> Transaction {
        guard case .contribute(let task, _, let inputs) = tx.body, case .contribute(_, let proof, _) = donor.body else { return tx }
        return f.tx(signer, .contribute(task: task, proof: proof, publicInputs: inputs), nonce: tx.nonce)
    }

    @Test func aBadProofAtEveryPositionOfABlockNamesThatTransactionAndTheBlockIsInvalid() throws {
        let f = try Self.fixture()
        let c = Self.contributor
        let n = 6
        let good = (0..<n).map { Self.contribution(f, c, task: 1, nonce: UInt64($0)) }
        guard case .executed(let changes) = Self.batched(f.ledger, f.state, good) else {
            Issue.record("a block of valid contributions was refused")
            return
        }
        #expect(Self.single(f.ledger, f.state, good) == .executed(changes))
        var after = f.base
        after.apply(changes)
        #expect(try f.ledger.task(1, in: StateOverlay(base: after))?.accepted == UInt32(n))

        for p in 0..<n {
            var block = good
            block[p] = Self.withProof(of: good[(p + 1) % n], good[p], f, c)
            var s = f.state
            do {
                _ = try f.ledger.executeBlock(height: Self.height, lastCommit: nil, evidence: [], transactions: block, state: &s)
                Issue.record("a block with a bad proof at \(p) was accepted")
            } catch {
                #expect(error.code == .proofRejected)
                #expect(error.reason.hasPrefix("transaction \(p) (\(block[p].hash)): the proof does not verify"), "\(error.reason)")
            }
            #expect(Self.single(f.ledger, f.state, block) == .failed(index: p, code: .proofRejected))
        }

        // Two bad proofs: the first, in transaction order, is named.
        var two = good
        two[4] = Self.withProof(of: good[0], good[4], f, c)
        two[1] = Self.withProof(of: good[0], good[1], f, c)
        #expect(Self.batched(f.ledger, f.state, two) == .failed(index: 1, code: .proofRejected))

        // A bad proof before another failing transaction is the error (single verification stops
        // there first); after it, the other failure is.
        var badThenNonce = good
        badThenNonce[1] = Self.withProof(of: good[0], good[1], f, c)
        badThenNonce.swapAt(4, 5)  // nonce 5 where 4 is due
        #expect(Self.batched(f.ledger, f.state, badThenNonce) == .failed(index: 1, code: .proofRejected))
        var nonceThenBad = good
        nonceThenBad.swapAt(1, 2)
        nonceThenBad[4] = Self.withProof(of: good[0], good[4], f, c)
        #expect(Self.batched(f.ledger, f.state, nonceThenBad) == .failed(index: 1, code: .badNonce))
    }

    /// A block of contributions to more distinct circuits than the pending list may hold keys for:
    /// it is settled in prefixes, and a bad proof in the first prefix, at the boundary, or in the
    /// last is still named with its own transaction and the single-verification verdict.
    @Test func aBlockSpanningMoreCircuitsThanThePendingBoundIsSettledInPrefixesWithTheSameVerdicts() throws {
        let circuits = 20
        var f = try LedgerFixture { b in
            b.extraAccounts = [GenesisAccount(address: Self.contributor.address, balance: 1_000_000)]
        }
        let keys = try (0..<circuits).map { k in
            try Groth16Setup.generate(
                BindingCircuit.system(binding: .one, x: Fr(3)), randomness: Groth16SetupRandomness(seed: Fr(UInt64(1_000 + k))))
        }
        for (k, pk) in keys.enumerated() {
            try f.apply(f.keys[0], .registerCircuit(verifyingKey: pk.verifyingKey.canonicalBytes, bindingInput: 0, name: "c\(k)"))
            try f.apply(
                f.keys[0],
                .createTask(TaskSpec(circuit: pk.verifyingKey.circuitID, reward: 5, maxContributions: 1, reputationCredit: 0, deadline: 100)))
        }
        f.commit()
        let c = Self.contributor
        func contribution(_ k: Int, proofOf donor: Int? = nil) throws -> Transaction {
            let nonce = UInt64(k)
            let b = BindingCircuit.fr(BindingCircuit.binding(c.address, task: UInt64(k + 1), nonce: nonce))
            let (_, inputs) = try Groth16Prover.prove(keys[k], BindingCircuit.system(binding: b, x: Fr(5)), r: Fr(3), s: Fr(4))
            let (proof, _) = try Groth16Prover.prove(keys[donor ?? k], BindingCircuit.system(binding: b, x: Fr(5)), r: Fr(3), s: Fr(4))
            return f.tx(c, .contribute(task: UInt64(k + 1), proof: proof.canonicalBytes, publicInputs: inputs.map(BindingCircuit.scalar)), nonce: nonce)
        }
        let good = try (0..<circuits).map { try contribution($0) }
        guard case .executed(let changes) = Self.batched(f.ledger, f.state, good, keys: PreparedVerifyingKeyCache(capacity: 2)) else {
            Issue.record("a block of valid contributions to \(circuits) circuits was refused")
            return
        }
        #expect(Self.single(f.ledger, f.state, good) == .executed(changes))
        for bad in [2, ProofChecks.maxPendingCircuits - 1, ProofChecks.maxPendingCircuits, circuits - 1] {
            var block = good
            block[bad] = try contribution(bad, proofOf: (bad + 1) % circuits)  // another key's proof
            #expect(Self.batched(f.ledger, f.state, block) == .failed(index: bad, code: .proofRejected), "bad proof at \(bad)")
            #expect(Self.single(f.ledger, f.state, block) == .failed(index: bad, code: .proofRejected))
        }
        // The pending list never holds the keys of more than the bound of circuits.
        var checks = ProofChecks(deferringWith: PreparedVerifyingKeyCache(capacity: 1))
        for (k, pk) in keys.enumerated() {
            let b = BindingCircuit.fr(BindingCircuit.binding(c.address, task: UInt64(k + 1), nonce: UInt64(k)))
            let (proof, inputs) = try Groth16Prover.prove(pk, BindingCircuit.system(binding: b, x: Fr(5)), r: Fr(3), s: Fr(4))
            try checks.check(
                Groth16BatchItem(proof: proof, publicInputs: inputs), key: PreparedVerifyingKey(pk.verifyingKey), circuit: pk.verifyingKey.circuitID)
            #expect(Set(checks.pending.map(\.circuit)).count <= ProofChecks.maxPendingCircuits)
        }
        #expect(checks.pending.count == circuits - ProofChecks.maxPendingCircuits)
    }

    @Test func contributionsFailingACheapCheckNeverPrepareAKey() throws {
        let f = try Self.fixture()
        let c = Self.contributor
        let cache = PreparedVerifyingKeyCache()
        var proofs = ProofChecks(keys: cache)
        let good = Self.contribution(f, c, task: 1, nonce: 0)
        guard case .contribute(let task, let proof, let inputs) = good.body else { return }
        let wrongBinding = f.tx(c, .contribute(task: task, proof: proof, publicInputs: [ScalarBytes(5), inputs[1]]), nonce: 0)
        let wrongCount = f.tx(c, .contribute(task: task, proof: proof, publicInputs: [inputs[0]]), nonce: 0)
        for (tx, code) in [(wrongBinding, LedgerError.Code.bindingMismatch), (wrongCount, .wrongInputCount)] {
            var s = f.state
            do {
                _ = try f.ledger.applyDeferringFee(tx, height: Self.height, state: &s, proofs: &proofs)
                Issue.record("accepted: expected \(code)")
            } catch {
                #expect(error.code == code)
            }
        }
        #expect(cache.statistics.misses == 0 && cache.statistics.hits == 0, "no key was prepared for a cheap failure")
        var s = f.state
        _ = try f.ledger.applyDeferringFee(good, height: Self.height, state: &s, proofs: &proofs)
        #expect(cache.statistics.misses == 1)
    }

    /// Random blocks mixing contributions (valid, with a foreign proof, with a wrong binding, to
    /// tasks and circuits created earlier in the same block), task creation, closing, circuit
    /// registration and transfers: executing each with one batch gives the verdict, the failing
    /// transaction and code, and on success the state, of verifying each proof on its own in order.
    @Test func batchedBlocksAgreeWithSingleVerificationInOrderOverRandomBlocks() throws {
        var f = try Self.fixture()
        // A second circuit (another setup of the same constraints), registered in a block below.
        let pk2 = try Groth16Setup.generate(
            BindingCircuit.system(binding: .one, x: Fr(3)), randomness: Groth16SetupRandomness(seed: Fr(777)))
        let id2 = pk2.verifyingKey.circuitID
        func prove2(_ signer: Signer, task: UInt64, nonce: UInt64) throws -> ([UInt8], [ScalarBytes]) {
            let b = BindingCircuit.fr(BindingCircuit.binding(signer.address, task: task, nonce: nonce))
            let (p, x) = try Groth16Prover.prove(pk2, BindingCircuit.system(binding: b, x: Fr(5)), r: Fr(3), s: Fr(4))
            return (p.canonicalBytes, x.map(BindingCircuit.scalar))
        }
        // One small cache shared by every block: eviction between the two circuits changes no verdict.
        let cache = PreparedVerifyingKeyCache(capacity: 1)
        var rng = SplitMix64(seed: 10_2026)
        let signers = [Self.contributor, Self.second]
        var failures = 0, successes = 0, batchedProofs = 0
        for round in 0..<14 {
            let height = Self.height + UInt64(round)
            var nonces = [UInt64](repeating: 0, count: 2)
            for (i, s) in signers.enumerated() { nonces[i] = try f.ledger.account(s.address, in: f.state)?.nonce ?? 0 }
            var nextTask = try f.ledger.workCounters(in: f.state).nextTask
            var registered2 = try f.ledger.circuit(id2, in: f.state) != nil
            var tasks2: [UInt64] = []
            for t in 1..<nextTask {
                if try f.ledger.task(t, in: f.state)?.spec.circuit == id2 { tasks2.append(t) }
            }
            var txs: [Transaction] = []
            var lastContribution: Transaction?
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let w = Int(rng.next() % 2)
                let signer = signers[w], nonce = nonces[w]
                let body: TransactionBody
                switch rng.next() % 10 {
                case 0:
                    if !registered2 {
                        body = .registerCircuit(verifyingKey: pk2.verifyingKey.canonicalBytes, bindingInput: 0, name: "square2")
                        registered2 = true
                    } else {
                        body = .createTask(TaskSpec(circuit: id2, reward: 3, maxContributions: 2, reputationCredit: 0, deadline: height + 3))
                        tasks2.append(nextTask)
                        nextTask += 1
                    }
                case 1:
                    body = .createTask(TaskSpec(circuit: BindingCircuit.id, reward: 2, maxContributions: 3, reputationCredit: 1, deadline: height + 2))
                    nextTask += 1
                case 2:
                    body = .closeTask(task: 1 + rng.next() % max(1, nextTask - 1))
                case 3:
                    body = .transfer(to: signers[1 - w].address, amount: 1 + rng.next() % 100)
                case 4 where !tasks2.isEmpty:
                    let task = tasks2[Int(rng.next() % UInt64(tasks2.count))]
                    let (p, i) = try prove2(signer, task: task, nonce: nonce)
                    body = .contribute(task: task, proof: p, publicInputs: i)
                default:
                    let task = rng.next() % 3 == 0 ? 1 + rng.next() % max(1, nextTask - 1) : 1
                    let bindingNonce = rng.next() % 12 == 0 ? nonce + 1 : nonce  // sometimes a wrong binding
                    let (p, i) = BindingCircuit.prove(
                        binding: BindingCircuit.binding(signer.address, task: task, nonce: bindingNonce), x: 3 + rng.next() % 4)
                    if rng.next() % 5 == 0, let donor = lastContribution, case .contribute(_, let foreign, _) = donor.body {
                        body = .contribute(task: task, proof: foreign, publicInputs: i)  // a proof of other inputs
                    } else {
                        body = .contribute(task: task, proof: p, publicInputs: i)
                    }
                }
                let fee = f.ledger.minimumFee(for: body)
                let tx = Transaction.sign(chainID: f.ledger.chainID, signer: signer, nonce: nonce, fee: fee, body: body)
                if case .contribute = body {
                    lastContribution = tx
                    batchedProofs += 1
                }
                txs.append(tx)
                nonces[w] += 1
            }
            let reference = Self.single(f.ledger, f.state, txs, height: height)
            let got = Self.batched(f.ledger, f.state, txs, height: height, keys: cache)
            #expect(got == reference, "round \(round): \(txs.map(\.body.tag))")
            #expect(cache.count <= 1)
            if case .executed(let changes) = got {
                successes += 1
                f.base.apply(changes)
                f.state = StateOverlay(base: f.base)
            } else {
                failures += 1
            }
        }
        // The sequence exercised both outcomes and the batch.
        #expect(successes > 0 && failures > 0 && batchedProofs > 10, "\(successes) ok, \(failures) failed, \(batchedProofs) proofs")
    }
}
