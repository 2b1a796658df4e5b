import Foundation
import Logging
import Testing
import WaggleCore
import WaggleLedger
@testable import WaggleNode
import WaggleP2P
import WaggleSwitch
import WaggleTesting

/// A chain, a switch on 127.0.0.1 and a mempool reactor, running in tasks.
private final class GossipNode: Sendable {
    let dir: TempDir
    let chain: Chain
    let p2p: PeerSwitch
    let reactor: MempoolReactor?
    let tasks: [Task<Void, any Error>]
    let address: NetAddress

    var peerAddress: PeerAddress { PeerAddress(id: p2p.nodeID, address: address) }
    var peerIDs: Set<NodeID> { Set(p2p.connectedPeers.compactMap(\.id)) }

    private init(dir: TempDir, chain: Chain, p2p: PeerSwitch, reactor: MempoolReactor?, tasks: [Task<Void, any Error>], address: NetAddress)
    {
        self.dir = dir
        self.chain = chain
        self.p2p = p2p
        self.reactor = reactor
        self.tasks = tasks
        self.address = address
    }

    static func start(_ key: Int, genesis: GenesisDoc, persistent: [PeerAddress] = [], withReactor: Bool = true) async throws -> GossipNode
    {
        let dir = TempDir()
        let bytes = genesis.json.serialized(pretty: true)
        let chain = try Chain(
            genesis: genesis, genesisBytes: bytes, store: try ChainStore(path: dir.path + "/chain.db"), mempoolLimits: .init(),
            retainVersions: 0, logger: Logger(label: "test"))
        let p2p = PeerSwitch(
            configuration: .init(
                chainID: genesis.chainID, moniker: "gossip-\(key)", listenAddress: NetAddress(host: "127.0.0.1", port: 0),
                persistentPeers: persistent, backoff: DialBackoff(initialMs: 100, maxMs: 400), dialTick: .milliseconds(50)),
            nodeKey: TestKeys.signer(100 + key), jitter: { 0.5 })
        let reactor = withReactor ? MempoolReactor(chain: chain, p2p: p2p) : nil
        var tasks = [Task { try await p2p.run() }]
        if let reactor { tasks.append(Task { try await reactor.run() }) }
        let address = try await p2p.listeningAddress()
        return GossipNode(dir: dir, chain: chain, p2p: p2p, reactor: reactor, tasks: tasks, address: address)
    }

    func stop() async {
        for t in tasks { t.cancel() }
        for t in tasks { _ = try? await t.value }
    }
}

private func eventually(_ seconds: Double = 10, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}

@Suite(.serialized) struct MempoolGossipTests {
    static func genesis() -> (GenesisDoc, Signer) {
        var b = GenesisBuilder(validators: 1)
        b.extraAccounts = [GenesisAccount(address: TestKeys.signer(50).address, balance: 10_000)]
        return (b.build(), TestKeys.signer(50))
    }

    static func transfer(_ genesis: GenesisDoc, _ from: Signer, nonce: UInt64, chainID: String? = nil) -> Transaction {
        Transaction.sign(
            chainID: chainID ?? genesis.chainID, signer: from, nonce: nonce, fee: 1,
            body: .transfer(to: TestKeys.signer(81).address, amount: 5))
    }

    @Test func aTransactionAdmittedOnOneNodeReachesEveryNodeThroughARelayAndIsNotSentBack() async throws {
        let (genesis, sender) = Self.genesis()
        let a = try await GossipNode.start(1, genesis: genesis)
        let b = try await GossipNode.start(2, genesis: genesis, persistent: [a.peerAddress])
        let c = try await GossipNode.start(3, genesis: genesis, persistent: [b.peerAddress])
        #expect(await eventually { a.peerIDs.count == 1 && b.peerIDs.count == 2 && c.peerIDs.count == 1 })
        _ = try await a.chain.submit(Self.transfer(genesis, sender, nonce: 0))
        #expect(await eventually { (await b.chain.mempoolCount, await c.chain.mempoolCount) == (1, 1) })
        // And the other way, from the far end.
        _ = try await c.chain.submit(Self.transfer(genesis, sender, nonce: 1))
        #expect(await eventually { (await a.chain.mempoolCount, await b.chain.mempoolCount) == (2, 2) })
        try await Task.sleep(for: .milliseconds(300))
        // Each node received each transaction once: never back from the peer it came from.
        #expect(a.reactor?.receivedCount == 1)
        #expect(b.reactor?.receivedCount == 2)
        #expect(c.reactor?.receivedCount == 1)
        #expect(b.reactor?.sentCount == 2 && a.reactor?.sentCount == 1 && c.reactor?.sentCount == 1)
        for n in [c, b, a] { await n.stop() }
    }

    @Test func anUndecodableMempoolMessageBansThePeer() async throws {
        let (genesis, _) = Self.genesis()
        let a = try await GossipNode.start(1, genesis: genesis)
        let rogue = try await GossipNode.start(4, genesis: genesis, persistent: [a.peerAddress], withReactor: false)
        #expect(await eventually { a.peerIDs == [rogue.p2p.nodeID] && rogue.peerIDs == [a.p2p.nodeID] })
        #expect(rogue.p2p.send([0x07, 1, 2, 3], on: .mempool, to: a.p2p.nodeID))
        #expect(await eventually { a.p2p.isBanned(rogue.p2p.nodeID) && a.peerIDs.isEmpty })
        #expect(await a.chain.mempoolCount == 0)
        await rogue.stop()
        await a.stop()
    }

    @Test func aRelayedTransactionWithABadSignatureBansThePeerAndOneThatFailsAStateCheckDoesNot() async throws {
        let (genesis, sender) = Self.genesis()
        let a = try await GossipNode.start(1, genesis: genesis)
        let rogue = try await GossipNode.start(5, genesis: genesis, persistent: [a.peerAddress], withReactor: false)
        #expect(await eventually { a.peerIDs == [rogue.p2p.nodeID] && rogue.peerIDs == [a.p2p.nodeID] })
        // A nonce gap is a state question, not misbehaviour: dropped, the peer stays.
        let gap = MempoolMessage.transaction(Self.transfer(genesis, sender, nonce: 9)).canonicalBytes
        #expect(rogue.p2p.send(gap, on: .mempool, to: a.p2p.nodeID))
        try await Task.sleep(for: .milliseconds(300))
        #expect(a.reactor?.receivedCount == 1 && a.peerIDs.count == 1 && !a.p2p.isBanned(rogue.p2p.nodeID))
        #expect(await a.chain.mempoolCount == 0)
        let forged = MempoolMessage.transaction(Self.transfer(genesis, sender, nonce: 0, chainID: "another-chain")).canonicalBytes
        #expect(rogue.p2p.send(forged, on: .mempool, to: a.p2p.nodeID))
        #expect(await eventually { a.p2p.isBanned(rogue.p2p.nodeID) && a.peerIDs.isEmpty })
        #expect(await a.chain.mempoolCount == 0)
        await rogue.stop()
        await a.stop()
    }

    @Test func aPeerRepeatingOneTransactionHasItCheckedOnceAndAnotherPeersTransactionStillGetsIn() async throws {
        let (genesis, sender) = Self.genesis()
        let a = try await GossipNode.start(1, genesis: genesis)
        let rogue = try await GossipNode.start(6, genesis: genesis, persistent: [a.peerAddress], withReactor: false)
        let honest = try await GossipNode.start(7, genesis: genesis, persistent: [a.peerAddress])
        #expect(await eventually { a.peerIDs.count == 2 })
        // A nonce gap never gets in, so without the repeat check every copy would be re-checked.
        let gap = MempoolMessage.transaction(Self.transfer(genesis, sender, nonce: 9)).canonicalBytes
        for _ in 0..<500 { _ = rogue.p2p.send(gap, on: .mempool, to: a.p2p.nodeID) }
        _ = try await honest.chain.submit(Self.transfer(genesis, sender, nonce: 0))
        #expect(await eventually { await a.chain.mempoolCount == 1 })
        #expect(await eventually { a.reactor?.receivedCount == 501 })
        #expect(a.reactor?.droppedCount == 499, "each repeat of the same bytes from the same peer is dropped unchecked")
        #expect(a.peerIDs.count == 2 && !a.p2p.isBanned(rogue.p2p.nodeID))
        for n in [honest, rogue, a] { await n.stop() }
    }

    @Test func fairQueueServesEachPeerInTurnAndCapsEachPeersQueue() {
        var q = FairQueue<String, Int>()
        for i in 0..<10 { _ = q.push(i, for: "flood", limit: 4) }
        #expect(q.count == 4, "a peer's queue holds at most its limit")
        #expect(q.push(100, for: "b", limit: 4) && q.push(101, for: "b", limit: 4))
        var out: [Int] = []
        while let x = q.pop() { out.append(x) }
        #expect(out == [0, 100, 1, 101, 2, 3])
        _ = q.push(1, for: "x", limit: 4)
        _ = q.push(2, for: "y", limit: 4)
        q.drop("x")
        #expect(q.pop() == 2 && q.pop() == nil)
    }

    @Test func recentHashesForgetsTheOldestPastItsCapacity() {
        var r = RecentHashes(capacity: 3)
        let h = (0..<5).map { Hash256.sha256([UInt8($0)]) }
        for i in 0..<3 {
            let added = r.insert(h[i])
            #expect(added)
        }
        let again = r.insert(h[1])
        #expect(!again)
        let third = r.insert(h[3])
        #expect(third)
        #expect(!r.contains(h[0]) && r.contains(h[1]) && r.contains(h[3]) && r.count == 3)
        let fourth = r.insert(h[4])
        #expect(fourth)
        #expect(!r.contains(h[1]) && r.contains(h[2]) && r.count == 3)
        let forgotten = r.insert(h[0])
        #expect(forgotten, "a forgotten hash is new again")
    }
}
