import Foundation
import Logging
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleTesting
import WaggleZK

/// Issue 10's figures: validating a received block of 1, 16, 64 and 256 contributions (every
/// signature, every ledger rule, the block's proofs in one batch, the state tree), per
/// contribution, beside one single Groth16 verification of the same circuit measured in the same
/// run; and the mempool's admission rate of contributions (each proof verified on its own).
struct WorkBenchmarks {
    let quick: Bool

    func makeGenesis(contributor: Signer) -> GenesisDoc {
        var b = GenesisBuilder(validators: 1)
        b.consensusParams.maxBlockTransactions = 10_000
        b.consensusParams.maxBlockBytes = 16 << 20
        b.extraAccounts = [GenesisAccount(address: contributor.address, balance: 1_000_000_000)]
        b.circuits = [GenesisCircuit(verifyingKey: BindingCircuit.key, bindingInput: 0, name: "square", approved: true)]
        return b.build()
    }

    func openChain(_ dir: String, _ genesis: GenesisDoc) throws -> Chain { try NodeBenchmarks(quick: quick).openChain(dir, genesis) }

    /// Seconds of one single verification (best of three rounds of `runs`).
    func singleVerification(_ tx: Transaction) -> Double {
        guard case .contribute(_, let bytes, let inputs) = tx.body, let proof = try? Groth16Proof(canonicalBytes: bytes) else { return .nan }
        let key = PreparedVerifyingKey(BindingCircuit.key)
        let fr = inputs.map(BindingCircuit.fr)
        let runs = quick ? 20 : 100
        return measure {
            for _ in 0..<runs { precondition((try? key.verify(proof, publicInputs: fr)) == true) }
        } / Double(runs)
    }

    func run() async throws -> [BenchmarkRow] {
        let contributor = TestKeys.signer(900)
        let validator = TestKeys.signer(0)
        let genesis = makeGenesis(contributor: contributor)
        let sizes = quick ? [1, 16, 64] : [1, 16, 64, 256]
        let base = NSTemporaryDirectory() + "waggle-bench-work-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let builder = try openChain(base + "/a", genesis)
        let pv = try PrivValidator(signer: validator, chainID: genesis.chainID, persistence: try FileSignStatePersistence(path: base + "/pv.json"))

        // Contributions to task 1, one per nonce of one contributor, each a different result (a
        // task pays each result once; tiny proofs: a few ms each).
        let total = sizes.reduce(0, +)
        let fee = genesis.ledger.minimumFee(for: .contribute(task: 1, proof: [], publicInputs: []))
        let chainID = genesis.chainID
        let contributions = (0..<UInt64(total)).map { nonce in
            let (proof, inputs) = BindingCircuit.prove(binding: BindingCircuit.binding(contributor.address, task: 1, nonce: nonce), x: 3 + nonce)
            return Transaction.sign(
                chainID: chainID, signer: contributor, nonce: nonce, fee: fee, body: .contribute(task: 1, proof: proof, publicInputs: inputs))
        }

        func produce(_ txs: [Transaction]) async throws -> (Block, Commit) {
            for tx in txs { _ = try await builder.submit(tx) }
            let head = await builder.head
            let last: Commit? = head.height == 0 ? nil : try await builder.read { s, _ in try s.commit(at: head.height) }
            let block = try await builder.buildBlock(
                proposer: validator.address, timeMs: genesis.genesisTimeMs + Int64(head.height + 1) * 1000, lastCommit: last)
            let vote = try pv.signVote(type: .precommit, height: block.height, round: 0, blockID: block.id)
            let commit = Commit(height: block.height, round: 0, blockID: block.id, precommits: [vote], validators: head.validators)
            try await builder.commit(block, commit: commit)
            return (block, commit)
        }

        let createTask = Transaction.sign(
            chainID: chainID, signer: validator, nonce: 0, fee: 1,
            body: .createTask(TaskSpec(circuit: BindingCircuit.id, reward: 1, maxContributions: UInt32(total), reputationCredit: 1,
                                       deadline: 1_000_000)))
        var recorded = [try await produce([createTask])]
        // Admission: every contribution through `Chain.submit` (signature, ledger rules, the proof alone).
        var admitted = 0
        var admissionSeconds = 0.0
        var cursor = 0
        for size in sizes {
            let slice = Array(contributions[cursor..<cursor + size])
            cursor += size
            let start = ContinuousClock.now
            for tx in slice { _ = try await builder.submit(tx) }
            let d = ContinuousClock.now - start
            admissionSeconds += Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            admitted += size
            recorded.append(try await produce([]))
        }
        builder.store.close()

        // Another node validates the blocks as received from the network, with the circuit's key
        // already prepared (a running node's steady state). A node validates a block once (it
        // keeps the result), so each timing uses a fresh `Chain` over the replica's store; best of
        // three, like the single verification.
        let replica = try openChain(base + "/b", genesis)
        var perContribution: [Int: Double] = [:]
        for (block, commit) in recorded {
            let n = block.transactions.filter { tx in
                if case .contribute = tx.body { return true }
                return false
            }.count
            if n > 0 {
                var best = Double.infinity
                for _ in 0..<3 {
                    let node = try Chain(
                        genesis: genesis, genesisBytes: genesis.json.serialized(), store: replica.store, mempoolLimits: .init(),
                        retainVersions: 0, logger: Logger(label: "bench"))
                    _ = try node.preparedKeys.prepared(canonicalBytes: BindingCircuit.keyBytes, maxPublicInputs: UsefulWorkLimits.maxPublicInputs)
                    best = min(best, try await measureAsync { _ = try await node.validate(block) })
                }
                perContribution[n] = best / Double(n)
            }
            try await replica.commit(block, commit: commit)
        }
        replica.store.close()

        let single = singleVerification(contributions[0])
        var rows = [BenchmarkRow(group: "work", name: "single Groth16 verification (2 public inputs)", value: single * 1e6, unit: "us")]
        for size in sizes {
            guard let v = perContribution[size] else { continue }
            rows.append(BenchmarkRow(
                group: "work", name: "block validation per contribution, \(size) contributions", value: v * 1e6, unit: "us",
                reference: size == 64 ? "single verification; target <= 0.35" : "single verification", ratio: v / single))
        }
        let rate = Double(admitted) / admissionSeconds
        rows.append(BenchmarkRow(
            group: "work", name: "mempool contribution admission (proof verified alone)", value: rate, unit: "tx/s",
            reference: "single verifications/s", ratio: rate * single))
        return rows
    }
}
