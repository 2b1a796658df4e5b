import Foundation
import Logging
import Testing
import WaggleCore
import WaggleLedger
@testable import WaggleNode
import WaggleP2P
import WaggleSwitch
import WaggleTesting

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
        let a = try await SwitchNode.start(key: 101, genesis: genesis, mempool: true)
        let b = try await SwitchNode.start(key: 102, genesis: genesis, persistent: [a.peerAddress], mempool: true)
        let c = try await SwitchNode.start(key: 103, genesis: genesis, persistent: [b.peerAddress], mempool: true)
        #expect(await eventually { a.peerIDs.count == 1 && b.peerIDs.count == 2 && c.peerIDs.count == 1 })
        _ = try await a.chain.submit(Self.transfer(genesis, sender, nonce: 0))
        #expect(await eventually { (await b.chain.mempoolCount, await c.chain.mempoolCount) == (1, 1) })
        // And the other way, from the far end.
        _ = try await c.chain.submit(Self.transfer(genesis, sender, nonce: 1))
        #expect(await eventually { (await a.chain.mempoolCount, await b.chain.mempoolCount) == (2, 2) })
        try await Task.sleep(for: .milliseconds(300))
        // Each node received each transaction once: never back from the peer it came from.
        #expect(a.mempool?.receivedCount == 1)
        #expect(b.mempool?.receivedCount == 2)
        #expect(c.mempool?.receivedCount == 1)
        #expect(b.mempool?.sentCount == 2 && a.mempool?.sentCount == 1 && c.mempool?.sentCount == 1)
        for n in [c, b, a] { await n.stop() }
    }

    @Test func anUndecodableMempoolMessageBansThePeer() async throws {
        let (genesis, _) = Self.genesis()
        let a = try await SwitchNode.start(key: 101, genesis: genesis, mempool: true)
        let rogue = try await SwitchNode.start(key: 104, genesis: genesis, persistent: [a.peerAddress], mempool: false)
        #expect(await eventually { a.peerIDs == [rogue.p2p.nodeID] && rogue.peerIDs == [a.p2p.nodeID] })
        #expect(rogue.p2p.send([0x07, 1, 2, 3], on: .mempool, to: a.p2p.nodeID))
        #expect(await eventually { a.p2p.isBanned(rogue.p2p.nodeID) && a.peerIDs.isEmpty })
        #expect(await a.chain.mempoolCount == 0)
        await rogue.stop()
        await a.stop()
    }

    @Test func aRelayedTransactionWithABadSignatureBansThePeerAndOneThatFailsAStateCheckDoesNot() async throws {
        let (genesis, sender) = Self.genesis()
        let a = try await SwitchNode.start(key: 101, genesis: genesis, mempool: true)
        let rogue = try await SwitchNode.start(key: 105, genesis: genesis, persistent: [a.peerAddress], mempool: false)
        #expect(await eventually { a.peerIDs == [rogue.p2p.nodeID] && rogue.peerIDs == [a.p2p.nodeID] })
        // A nonce gap is a state question, not misbehaviour: dropped, the peer stays.
        let gap = MempoolMessage.transaction(Self.transfer(genesis, sender, nonce: 9)).canonicalBytes
        #expect(rogue.p2p.send(gap, on: .mempool, to: a.p2p.nodeID))
        try await Task.sleep(for: .milliseconds(300))
        #expect(a.mempool?.receivedCount == 1 && a.peerIDs.count == 1 && !a.p2p.isBanned(rogue.p2p.nodeID))
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
        let a = try await SwitchNode.start(key: 101, genesis: genesis, mempool: true)
        let rogue = try await SwitchNode.start(key: 106, genesis: genesis, persistent: [a.peerAddress], mempool: false)
        let honest = try await SwitchNode.start(key: 107, genesis: genesis, persistent: [a.peerAddress], mempool: true)
        #expect(await eventually { a.peerIDs.count == 2 })
        // A nonce gap never gets in, so without the repeat check every copy would be re-checked.
        let gap = MempoolMessage.transaction(Self.transfer(genesis, sender, nonce: 9)).canonicalBytes
        for _ in 0..<500 { _ = rogue.p2p.send(gap, on: .mempool, to: a.p2p.nodeID) }
        _ = try await honest.chain.submit(Self.transfer(genesis, sender, nonce: 0))
        #expect(await eventually { await a.chain.mempoolCount == 1 })
        #expect(await eventually { a.mempool?.receivedCount == 501 })
        #expect(a.mempool?.droppedCount == 499, "each repeat of the same bytes from the same peer is dropped unchecked")
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
