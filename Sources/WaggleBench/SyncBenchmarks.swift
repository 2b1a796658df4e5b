import Foundation
import Logging
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleP2P
import WaggleSwitch
import WaggleTesting

/// Issue 7's block-sync figure: a fresh node catching up over an encrypted loopback connection
/// from a node that has the chain (two switches and block-sync reactors in this process), beside
/// the single-node commit pipeline (verify, execute, commit) of the same blocks in the same run.
struct SyncBenchmarks {
    let quick: Bool

    func run() async throws -> [BenchmarkRow] {
        let node = NodeBenchmarks(quick: quick)
        let senders = (0..<200).map { TestKeys.signer(3000 + $0) }
        let genesis = node.makeGenesis(senders: senders)
        let blocks = quick ? 20 : 60
        let perBlock = quick ? 200 : 500
        let base = NSTemporaryDirectory() + "waggle-bench-sync-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: base) }

        // The chain: `blocks` blocks of `perBlock` transfers, committed on the serving node.
        let source = try node.openChain(base + "/source", genesis)
        defer { source.store.close() }
        let validator = TestKeys.signer(0)
        let pv = try PrivValidator(signer: validator, chainID: genesis.chainID, persistence: try FileSignStatePersistence(path: base + "/pv.json"))
        let txs = node.transfers(genesis, senders: senders, count: blocks * perBlock)
        var recorded: [(Block, Commit)] = []
        for b in 0..<blocks {
            for tx in txs[b * perBlock..<(b + 1) * perBlock] { _ = try await source.submit(tx) }
            let head = await source.head
            let last: Commit? = head.height == 0 ? nil : try await source.read { s, _ in try s.commit(at: head.height) }
            let block = try await source.buildBlock(
                proposer: validator.address, timeMs: genesis.genesisTimeMs + Int64(head.height + 1) * 1000, lastCommit: last)
            let vote = try pv.signVote(type: .precommit, height: block.height, round: 0, blockID: block.id)
            let commit = Commit(height: block.height, round: 0, blockID: block.id, precommits: [vote], validators: head.validators)
            try await source.commit(block, commit: commit)
            recorded.append((block, commit))
        }

        // Reference: a fresh node committing the same blocks, decoded from their bytes as if
        // received, handed to it in process. Measured before and after the sync (the faster
        // counts), so that neither side gains from the order of the two.
        let received = try recorded.map { (try Block(canonicalBytes: $0.0.canonicalBytes), $0.1) }
        func commitPipelineSeconds(_ name: String) async throws -> Double {
            let replica = try node.openChain(base + "/" + name, genesis)
            defer { replica.store.close() }
            return try await measureAsync {
                for (block, commit) in received { try await replica.commit(block, commit: commit) }
            }
        }
        var commitSeconds = try await commitPipelineSeconds("replica-before")

        // Block sync: a fresh node fetching them from the source over P2P.
        let follower = try node.openChain(base + "/follower", genesis)
        defer { follower.store.close() }
        let logger = Logger(label: "bench-sync")
        func makeSwitch(_ key: Int, peers: [PeerAddress]) -> PeerSwitch {
            PeerSwitch(
                configuration: .init(
                    chainID: genesis.chainID, moniker: "bench-\(key)", listenAddress: NetAddress(host: "127.0.0.1", port: 0),
                    persistentPeers: peers, dialTick: .milliseconds(10), sendRate: 1_000_000_000, recvRate: 1_000_000_000),
                nodeKey: TestKeys.signer(4000 + key), logger: logger)
        }
        let serverSwitch = makeSwitch(1, peers: [])
        let server = BlockSyncReactor(chain: source, p2p: serverSwitch, head: await source.head, logger: logger)
        let serverTasks = [Task { try await serverSwitch.run() }, Task { try await server.run() }]
        let address = PeerAddress(id: serverSwitch.nodeID, address: try await serverSwitch.listeningAddress())
        let followerSwitch = makeSwitch(2, peers: [address])
        let reactor = BlockSyncReactor(chain: follower, p2p: followerSwitch, head: await follower.head, logger: logger)
        let heights = follower.committedHeights()
        let target = UInt64(blocks)
        let syncSeconds = await measureAsync {
            let tasks = [Task { try await followerSwitch.run() }, Task { try await reactor.run() }]
            for await h in heights where h >= target { break }
            for t in tasks { t.cancel() }
            for t in tasks { _ = try? await t.value }
        }
        for t in serverTasks { t.cancel() }
        for t in serverTasks { _ = try? await t.value }
        commitSeconds = min(commitSeconds, try await commitPipelineSeconds("replica-after"))
        guard await follower.head.blockID == recorded.last?.0.id else {
            struct SyncFailed: Error {}
            throw SyncFailed()
        }

        let txTotal = Double(blocks * perBlock)
        let label = "\(blocks) blocks × \(perBlock) transfers"
        return [
            BenchmarkRow(group: "sync", name: "single-node commit pipeline, \(label)", value: Double(blocks) / commitSeconds, unit: "blocks/s"),
            BenchmarkRow(group: "sync", name: "block sync over loopback P2P, \(label)", value: Double(blocks) / syncSeconds, unit: "blocks/s",
                         reference: "commit pipeline", ratio: commitSeconds / syncSeconds),
            BenchmarkRow(group: "sync", name: "block sync over loopback P2P, transfers", value: txTotal / syncSeconds, unit: "tx/s",
                         reference: "commit pipeline \(formatNumber(txTotal / commitSeconds)) tx/s", ratio: commitSeconds / syncSeconds),
        ]
    }
}
