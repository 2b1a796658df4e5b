import Foundation
import Logging
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleP2P
import WaggleSwitch
import WaggleTesting

/// A chain with a switch on 127.0.0.1 and the reactors a test asks for (mempool gossip, block
/// sync, or a test's own reactor), running in tasks.
final class SwitchNode: Sendable {
    let dir: TempDir
    let chain: Chain
    let p2p: PeerSwitch
    let mempool: MempoolReactor?
    let sync: BlockSyncReactor?
    let tasks: [Task<Void, any Error>]
    let address: NetAddress

    var peerAddress: PeerAddress { PeerAddress(id: p2p.nodeID, address: address) }
    var peerIDs: Set<NodeID> { Set(p2p.connectedPeers.compactMap(\.id)) }
    var height: UInt64 { get async { await chain.head.height } }

    private init(dir: TempDir, chain: Chain, p2p: PeerSwitch, mempool: MempoolReactor?, sync: BlockSyncReactor?,
                 tasks: [Task<Void, any Error>], address: NetAddress) {
        self.dir = dir
        self.chain = chain
        self.p2p = p2p
        self.mempool = mempool
        self.sync = sync
        self.tasks = tasks
        self.address = address
    }

    /// - Parameters:
    ///   - key: the node key is `TestKeys.signer(key)`.
    ///   - sync: runs a block-sync reactor with this configuration.
    ///   - other: a reactor of the test's own, registered on the switch.
    static func start(
        key: Int, genesis: GenesisDoc, persistent: [PeerAddress] = [], mempool withMempool: Bool = false,
        sync syncConfiguration: BlockSyncReactor.Configuration? = nil, other: ((PeerSwitch) -> any Reactor)? = nil
    ) async throws -> SwitchNode {
        let dir = TempDir()
        let chain = try Chain(
            genesis: genesis, genesisBytes: genesis.json.serialized(pretty: true), store: try ChainStore(path: dir.path + "/chain.db"),
            mempoolLimits: .init(), retainVersions: 0, logger: Logger(label: "test"))
        let p2p = PeerSwitch(
            configuration: .init(
                chainID: genesis.chainID, moniker: "node-\(key)", listenAddress: NetAddress(host: "127.0.0.1", port: 0),
                persistentPeers: persistent, backoff: DialBackoff(initialMs: 100, maxMs: 400), dialTick: .milliseconds(50)),
            nodeKey: TestKeys.signer(key), jitter: { 0.5 })
        // Reactors register before the switch runs.
        var tasks: [Task<Void, any Error>] = []
        let mempool = withMempool ? MempoolReactor(chain: chain, p2p: p2p) : nil
        if let mempool { tasks.append(Task { try await mempool.run() }) }
        var sync: BlockSyncReactor?
        if let syncConfiguration {
            let reactor = BlockSyncReactor(chain: chain, p2p: p2p, head: await chain.head, configuration: syncConfiguration)
            sync = reactor
            tasks.append(Task { try await reactor.run() })
        }
        if let other { p2p.register(other(p2p)) }
        tasks.append(Task { try await p2p.run() })
        let address = try await p2p.listeningAddress()
        return SwitchNode(dir: dir, chain: chain, p2p: p2p, mempool: mempool, sync: sync, tasks: tasks, address: address)
    }

    func stop() async {
        for t in tasks { t.cancel() }
        for t in tasks { _ = try? await t.value }
    }
}

/// Polls `condition` until it holds or `seconds` pass; its last answer.
func eventually(_ seconds: Double = 15, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
