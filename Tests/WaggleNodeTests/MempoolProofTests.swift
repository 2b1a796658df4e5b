import Testing
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleTesting

/// The mempool verifies a contribution's proof once, at admission; its re-checks after a block run
/// every state-dependent rule again but not the pairing (`Chain.mempoolProofStatistics`).
@Suite struct MempoolProofTests {
    /// One block holds one transaction, so contributions wait in the pool across blocks.
    static func fixture() throws -> ChainFixture {
        try ChainFixture { b in
            b.consensusParams.maxBlockTransactions = 1
            b.circuits = [GenesisCircuit(verifyingKey: BindingCircuit.key, bindingInput: 0, name: "square", approved: true)]
        }
    }

    static func contribution(_ f: ChainFixture, _ signer: Signer, nonce: UInt64, task: UInt64 = 1, x: UInt64? = nil) -> Transaction {
        // One result per nonce by default: a task pays each result once.
        let (proof, inputs) = BindingCircuit.prove(
            binding: BindingCircuit.binding(signer.address, task: task, nonce: nonce), x: x ?? 3 + nonce)
        return Transaction.sign(
            chainID: f.chainID, signer: signer, nonce: nonce, fee: 1, body: .contribute(task: task, proof: proof, publicInputs: inputs))
    }

    @Test func reChecksAfterABlockDoNotVerifyPooledProofsAgainButStillApplyTheStateRules() async throws {
        let f = try Self.fixture()
        let sponsor = f.validator, c = TestKeys.signer(50)
        // Block 1 creates the task, open until height 3.
        _ = try await f.chain.submit(Transaction.sign(
            chainID: f.chainID, signer: sponsor, nonce: 0, fee: 1,
            body: .createTask(TaskSpec(circuit: BindingCircuit.id, reward: 10, maxContributions: 3, reputationCredit: 0, deadline: 3))))
        try await f.produce()

        // Three contributions, each verified once, at admission (for height 2).
        let a = Self.contribution(f, c, nonce: 0), b = Self.contribution(f, c, nonce: 1), late = Self.contribution(f, sponsor, nonce: 1, x: 50)
        for tx in [a, b, late] { _ = try await f.chain.submit(tx) }
        #expect(await f.chain.mempoolProofStatistics == .init(verified: 3, skippedAsVerified: 0))

        // Block 2 with `a`: `b` and `late` are re-checked against the new state without a pairing.
        try await f.produce()
        #expect(await f.chain.mempoolCount == 2)
        #expect(await f.chain.mempoolProofStatistics == .init(verified: 3, skippedAsVerified: 2))

        // Block 3 with `b`: at height 4 the task has expired, so the re-check drops `late` (a state
        // rule), still without verifying any proof again.
        try await f.produce()
        #expect(await f.chain.mempoolCount == 0)
        #expect(await f.chain.mempoolProofStatistics == .init(verified: 3, skippedAsVerified: 2))
        guard case .dropped(let why) = await f.chain.waitForInclusion(late.hash, timeoutMs: 1_000) else {
            Issue.record("the contribution to an expired task was not dropped")
            return
        }
        #expect(why.ledgerError?.code == .taskExpired)
        let ledger = f.genesis.ledger
        #expect(try await f.chain.read { store, _ in try ledger.task(1, in: StateOverlay(base: store))?.accepted } == 2)
    }

    @Test func admissionVerifiesTheProofAloneAndSaysWhichCheckFailed() async throws {
        let f = try Self.fixture()
        let c = TestKeys.signer(50)
        _ = try await f.chain.submit(Transaction.sign(
            chainID: f.chainID, signer: f.validator, nonce: 0, fee: 1,
            body: .createTask(TaskSpec(circuit: BindingCircuit.id, reward: 10, maxContributions: 2, reputationCredit: 0, deadline: 1_000))))
        try await f.produce()

        // The proof of nonce 1 with the public inputs of nonce 0: binding right, pairing wrong.
        let (_, inputs0) = BindingCircuit.prove(binding: BindingCircuit.binding(c.address, task: 1, nonce: 0), x: 3)
        let (proof1, inputs1) = BindingCircuit.prove(binding: BindingCircuit.binding(c.address, task: 1, nonce: 1), x: 3)
        let forged = Transaction.sign(
            chainID: f.chainID, signer: c, nonce: 0, fee: 1, body: .contribute(task: 1, proof: proof1, publicInputs: inputs0))
        do {
            _ = try await f.chain.submit(forged)
            Issue.record("accepted a proof made for other public inputs")
        } catch {
            #expect(error.ledgerError?.code == .proofRejected)
            #expect(error.rpcCode == 1039)
        }
        // The binding is checked before the pairing (no proof verified for it).
        let misbound = Transaction.sign(
            chainID: f.chainID, signer: c, nonce: 0, fee: 1, body: .contribute(task: 1, proof: proof1, publicInputs: inputs1))
        do {
            _ = try await f.chain.submit(misbound)
            Issue.record("accepted a proof bound to another nonce")
        } catch {
            #expect(error.ledgerError?.code == .bindingMismatch)
        }
        #expect(await f.chain.mempoolCount == 0)
        #expect(await f.chain.mempoolProofStatistics == .init(verified: 1, skippedAsVerified: 0))
    }
}
