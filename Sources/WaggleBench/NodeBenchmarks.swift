import Dispatch
import Foundation
import Logging
import WaggleCore
import WaggleCrypto
import WaggleLedger
import WaggleNode
import WaggleStore
import WaggleTesting

/// Issue 2's figures: raw libsodium verification on all cores (the reference), the block pipeline
/// (verify in parallel, execute, tree update, atomic commit), tree updates, commit latency.
struct NodeBenchmarks {
    let quick: Bool
    let cores = ProcessInfo.processInfo.activeProcessorCount

    func run() async throws -> [BenchmarkRow] {
        var rows: [BenchmarkRow] = []
        let verifyRate = rawVerifyRate()
        rows.append(BenchmarkRow(group: "node", name: "raw Ed25519 verify (libsodium, \(cores) cores)", value: verifyRate, unit: "verify/s"))
        let (pipeline, latencies) = try await pipelineRate()
        rows.append(BenchmarkRow(group: "node", name: "transfers through verify+execute+commit", value: pipeline, unit: "tx/s",
                                 reference: "raw verify", ratio: pipeline / verifyRate))
        for (size, ms) in latencies {
            rows.append(BenchmarkRow(group: "node", name: "commit latency, \(size) tx block", value: ms, unit: "ms"))
        }
        rows.append(BenchmarkRow(group: "node", name: "state tree updates (RocksDB, 1000/version)", value: try treeUpdateRate(), unit: "updates/s"))
        return rows
    }

    /// Pre-signed transfers from `senders` funded accounts, nonce-ordered per sender.
    func transfers(_ genesis: GenesisDoc, senders: [Signer], count: Int) -> [Transaction] {
        var nonces = [UInt64](repeating: 0, count: senders.count)
        return (0..<count).map { i in
            let s = i % senders.count
            defer { nonces[s] += 1 }
            return Transaction.sign(chainID: genesis.chainID, signer: senders[s], nonce: nonces[s], fee: 1,
                                    body: .transfer(to: senders[(s + 1) % senders.count].address, amount: 1))
        }
    }

    func rawVerifyRate() -> Double {
        let n = quick ? 4_000 : 40_000
        let signer = TestKeys.signer(1)
        let msgs = (0..<n).map { i -> [UInt8] in Array("waggle-bench-\(i)".utf8) }
        let sigs = msgs.map { signer.sign($0).bytes }
        let pk = signer.publicKey.bytes
        let seconds = measure {
            DispatchQueue.concurrentPerform(iterations: cores) { w in
                var i = w
                while i < n {
                    precondition(Ed25519.verify(signature: sigs[i], message: msgs[i], publicKey: pk))
                    i += cores
                }
            }
        }
        return Double(n) / seconds
    }

    func makeGenesis(senders: [Signer]) -> GenesisDoc {
        var b = GenesisBuilder(validators: 1)
        b.consensusParams.maxBlockTransactions = 10_000
        b.consensusParams.maxBlockBytes = 16 << 20
        b.extraAccounts = senders.map { GenesisAccount(address: $0.address, balance: 1_000_000_000) }
        return b.build()
    }

    func openChain(_ dir: String, _ genesis: GenesisDoc) throws -> Chain {
        try Chain(genesis: genesis, genesisBytes: genesis.json.serialized(), store: try ChainStore(path: dir + "/db"),
                  mempoolLimits: .init(maxTransactions: 100_000, maxBytes: 1 << 30), retainVersions: 0, logger: Logger(label: "bench"))
    }

    /// Builds blocks on one chain, then times a fresh node validating and committing them (the
    /// path of a block received from the network: every signature verified, every tx executed).
    func pipelineRate() async throws -> (Double, [(Int, Double)]) {
        let senders = (0..<500).map { TestKeys.signer(1000 + $0) }
        let genesis = makeGenesis(senders: senders)
        let sizes = quick ? [0, 100, 1000] : [0, 100, 1000, 5000]
        let perSize = quick ? 1 : 2
        let base = NSTemporaryDirectory() + "waggle-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let builder = try openChain(base + "/a", genesis)
        let validator = TestKeys.signer(0)
        let pv = try PrivValidator(signer: validator, chainID: genesis.chainID, persistence: try FileSignStatePersistence(path: base + "/pv.json"))
        let all = transfers(genesis, senders: senders, count: sizes.reduce(0, +) * perSize)
        var cursor = 0
        var recorded: [(Block, Commit, Int)] = []
        for size in sizes {
            for _ in 0..<perSize {
                for tx in all[cursor..<cursor + size] { _ = try await builder.submit(tx) }
                cursor += size
                let head = await builder.head
                let last: Commit? = head.height == 0 ? nil : try await builder.read { s, _ in try s.commit(at: head.height) }
                let block = try await builder.buildBlock(proposer: validator.address, timeMs: genesis.genesisTimeMs + Int64(head.height + 1) * 1000, lastCommit: last)
                let vote = try pv.signVote(type: .precommit, height: block.height, round: 0, blockID: block.id)
                let commit = Commit(height: block.height, round: 0, blockID: block.id, precommits: [vote], validators: head.validators)
                try await builder.commit(block, commit: commit)
                recorded.append((block, commit, size))
            }
        }
        builder.store.close()

        let replica = try openChain(base + "/b", genesis)
        var txTotal = 0
        var txSeconds = 0.0
        var latency: [Int: [Double]] = [:]
        for (block, commit, size) in recorded {
            let s = try await measureAsync { try await replica.commit(block, commit: commit) }
            latency[size, default: []].append(s * 1000)
            if size > 0 {
                txTotal += size
                txSeconds += s
            }
        }
        replica.store.close()
        return (Double(txTotal) / txSeconds, sizes.map { ($0, latency[$0]!.min()!) })
    }

    func treeUpdateRate() throws -> Double {
        let base = NSTemporaryDirectory() + "waggle-bench-tree-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let store = try ChainStore(path: base)
        defer { store.close() }
        let versions = quick ? 5 : 20
        var n: UInt64 = 0
        var rng = UInt64(42)
        let seconds = try measure(repeats: 1) {
            for v in 0..<UInt64(versions) {
                var changes: [StateChange] = []
                for _ in 0..<1000 {
                    rng = rng &* 6364136223846793005 &+ 1442695040888963407
                    changes.append(StateChange(key: StateKey(bytes: Array("k\(rng % 50_000)".utf8)), value: Array("v\(v)".utf8)))
                    n += 1
                }
                let (_, batch) = try store.treeUpdate(changes, baseVersion: v == 0 ? nil : v - 1, version: v)
                try store.writeTree(batch)
            }
        }
        return Double(n) / seconds
    }
}
