import Foundation
import Logging
import Testing
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleP2P
import WaggleRPC
import WaggleSwitch
import WaggleTesting

extension SwitchNode {
    /// A node with a block-sync reactor; `key` picks its node key (200 + key).
    static func syncing(_ key: Int, genesis: GenesisDoc, persistent: [PeerAddress] = [], limits: BlockSyncLimits = BlockSyncLimits())
        async throws -> SwitchNode
    {
        try await start(key: 200 + key, genesis: genesis, persistent: persistent,
                        sync: .init(limits: limits, tick: .milliseconds(50), statusInterval: .seconds(1)))
    }

    /// A node whose block-sync channel is served by a test's reactor.
    static func rogue(_ key: Int, genesis: GenesisDoc, reactor: @escaping (PeerSwitch) -> any Reactor) async throws -> SwitchNode {
        try await start(key: 200 + key, genesis: genesis, other: reactor)
    }

    func blockIDs(upTo height: UInt64) async throws -> [Hash256] {
        try await chain.read { store, _ in try (1...max(height, 1)).compactMap { try store.block(at: $0)?.id } }
    }
}

/// A peer speaking the block-sync protocol dishonestly: it claims `claimedHeight` and answers
/// each block request with whatever `answer` returns (nil: silence).
private final class RogueServer: Reactor {
    let channels: [ChannelID] = [.blockSync]
    let p2p: PeerSwitch
    let claimedHeight: UInt64
    let answer: @Sendable (UInt64) -> [UInt8]?
    let requests = Locked(0)

    init(p2p: PeerSwitch, claimedHeight: UInt64, answer: @escaping @Sendable (UInt64) -> [UInt8]?) {
        self.p2p = p2p
        self.claimedHeight = claimedHeight
        self.answer = answer
    }

    func receive(_ payload: [UInt8], on channel: ChannelID, from peer: Peer) {
        switch try? BlockSyncMessage(canonicalBytes: payload) {
        case .statusRequest?:
            p2p.send(BlockSyncMessage.statusResponse(base: 1, height: claimedHeight).canonicalBytes, on: .blockSync, to: peer)
        case .blockRequest(let h)?:
            requests.withLockedValue { $0 += 1 }
            if let bytes = answer(h) { p2p.send(bytes, on: .blockSync, to: peer) }
        default: break
        }
    }
}

/// A value behind a lock, for the test's reactors and watchers.
private final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func withLockedValue<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

@Suite(.serialized) struct BlockSyncTests {
    /// A source chain of `blocks` blocks (a transfer in every third), produced through the
    /// producer's full path, and what it needs to produce more.
    struct Source {
        let genesis: GenesisDoc
        let validator: Signer
        let fixture: ChainFixture
    }

    static func source(blocks: Int) async throws -> Source {
        let fixture = try ChainFixture()
        let sender = TestKeys.signer(50)
        for i in 0..<blocks {
            if i % 3 == 0 {
                _ = try await fixture.chain.submit(
                    fixture.transfer(sender, to: TestKeys.signer(81).address, amount: 5, nonce: UInt64(i / 3)))
            }
            try await fixture.produce()
        }
        return Source(genesis: fixture.genesis, validator: fixture.validator, fixture: fixture)
    }

    /// Serves `fixture`'s chain over a switch (its own chain, so the fixture keeps producing).
    private static func serving(_ source: Source) async throws -> (SwitchNode, Task<Void, Never>) {
        let node = try await SwitchNode.syncing(1, genesis: source.genesis)
        // Copy the source's blocks into the serving node through the same commit path.
        let fixture = source.fixture
        let copier = Task {
            var next: UInt64 = 1
            while !Task.isCancelled {
                let head = await fixture.chain.head.height
                while next <= head {
                    let h = next
                    guard let (block, commit) = try? await fixture.chain.read({ s, _ in (try s.block(at: h)!, try s.commit(at: h)!) })
                    else { break }
                    do { try await node.chain.commit(block, commit: commit) } catch { break }
                    next += 1
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        return (node, copier)
    }

    @Test func aNodeSyncsFromTwoPeersInParallelThenFollowsNewBlocks() async throws {
        let source = try await Self.source(blocks: 60)
        let (a, copier) = try await Self.serving(source)
        #expect(await eventually { await a.height == 60 })
        let b = try await SwitchNode.syncing(2, genesis: source.genesis, persistent: [a.peerAddress])
        #expect(await eventually { await b.height == 60 }, "b syncs from a")
        #expect(b.sync?.isCatchingUp == false)

        // c syncs from a and b at once, with a small window, and reports catching up meanwhile.
        let c = try await SwitchNode.syncing(3, genesis: source.genesis, limits: BlockSyncLimits(window: 8, maxPendingPerPeer: 2))
        let seen = Locked<[Bool]>([])
        let changes = c.sync!.catchingUpChanges()
        let watcher = Task { for await v in changes { seen.withLockedValue { $0.append(v) } } }
        try c.p2p.dial(a.peerAddress)
        try c.p2p.dial(b.peerAddress)
        #expect(await eventually { await c.height == 60 }, "c syncs from both")
        #expect(a.sync!.servedCount > 0 && b.sync!.servedCount > 0, "both peers served blocks")
        #expect(c.sync!.syncedCount == 60)
        #expect(await eventually { seen.withLockedValue { $0.contains(true) && $0.last == false } }, "\(seen.withLockedValue { $0 })")

        // Following: each new block reaches both within moments of its commit.
        for _ in 0..<3 { try await source.fixture.produce() }
        #expect(await eventually {
            let (hb, hc) = (await b.height, await c.height)
            return hb == 63 && hc == 63
        })
        let ids = try await source.fixture.chain.read { s, _ in try (1...63).map { try s.block(at: $0)!.id } }
        #expect(try await b.blockIDs(upTo: 63) == ids)
        #expect(try await c.blockIDs(upTo: 63) == ids)
        #expect(await c.chain.head.stateRoot == (await source.fixture.chain.head.stateRoot))
        watcher.cancel()
        copier.cancel()
        for n in [c, b, a] { await n.stop() }
    }

    enum Forgery: CaseIterable, Sendable {
        case droppedTransaction, commitByAStranger, commitForAnotherBlock, unsolicitedBlock, garbage
    }

    @Test(arguments: Forgery.allCases)
    func aPeerServingAForgedBlockIsBannedAndNothingIsCommitted(_ forgery: Forgery) async throws {
        let source = try await Self.source(blocks: 4)
        let chainID = source.genesis.chainID
        let blocks = try await source.fixture.chain.read { s, _ in try (1...4).map { (try s.block(at: $0)!, try s.commit(at: $0)!) } }
        let rogue = try await SwitchNode.rogue(5, genesis: source.genesis, reactor: { p2p in
            RogueServer(p2p: p2p, claimedHeight: 4) { h in
                guard h >= 1, h <= 4 else { return nil }
                let (block, commit) = blocks[Int(h) - 1]
                switch forgery {
                case .droppedTransaction:
                    // Block 1 carries a transfer: without it the transactions root is wrong,
                    // though the header (and so the commit) is the genuine one.
                    let forged = Block(header: block.header, transactions: [], evidence: block.evidence, lastCommit: block.lastCommit)
                    return BlockSyncMessage.blockResponse(block: h == 1 ? forged : block, commit: commit).canonicalBytes
                case .commitByAStranger:
                    let stranger = TestKeys.signer(99)
                    let bytes = Vote.signBytes(chainID: chainID, type: .precommit, height: h, round: 0, blockID: block.id)
                    let signed = Commit(height: h, round: 0, blockID: block.id, signatures: [.commit(stranger.sign(bytes))])
                    return BlockSyncMessage.blockResponse(block: block, commit: signed).canonicalBytes
                case .commitForAnotherBlock:
                    let other = blocks[Int(h) % 4].1
                    return BlockSyncMessage.blockResponse(block: block, commit: other).canonicalBytes
                case .unsolicitedBlock:
                    return nil
                case .garbage:
                    return [0x04, 0xde, 0xad]
                }
            }
        })
        let victim = try await SwitchNode.syncing(6, genesis: source.genesis, persistent: [rogue.peerAddress])
        if forgery == .unsolicitedBlock {
            #expect(await eventually { victim.peerIDs == [rogue.p2p.nodeID] })
            // Block 4 pushed far past the window before anyone asked (window 64 from height 1: 1000 is beyond it).
            let (block, commit) = blocks[3]
            var far = block
            far.header.height = 1_000
            #expect(rogue.p2p.send(BlockSyncMessage.blockResponse(block: far, commit: Commit(height: 1_000, round: 0, blockID: far.id, signatures: commit.signatures)).canonicalBytes, on: .blockSync, to: victim.p2p.nodeID))
        }
        #expect(await eventually { victim.p2p.isBanned(rogue.p2p.nodeID) && victim.peerIDs.isEmpty }, "\(forgery)")
        #expect(await victim.height == 0, "nothing is committed from a rogue peer")
        #expect(victim.sync?.syncedCount == 0)

        // The node keeps working: an honest peer brings it the chain.
        let (honest, copier) = try await Self.serving(source)
        #expect(await eventually { await honest.height == 4 })
        try victim.p2p.dial(honest.peerAddress)
        #expect(await eventually { await victim.height == 4 })
        let ids = try await source.fixture.chain.read { s, _ in try (1...4).map { try s.block(at: $0)!.id } }
        #expect(try await victim.blockIDs(upTo: 4) == ids)
        copier.cancel()
        for n in [victim, rogue, honest] { await n.stop() }
    }

    @Test func aPeerClaimingHeightsItNeverServesLeavesThePoolAfterTimeoutsWhileAnHonestOneServes() async throws {
        let source = try await Self.source(blocks: 6)
        let silent = try await SwitchNode.rogue(7, genesis: source.genesis, reactor: { p2p in
            RogueServer(p2p: p2p, claimedHeight: 500) { _ in nil }
        })
        let (honest, copier) = try await Self.serving(source)
        #expect(await eventually { await honest.height == 6 })
        let victim = try await SwitchNode.syncing(
            8, genesis: source.genesis, persistent: [silent.peerAddress, honest.peerAddress],
            limits: BlockSyncLimits(window: 16, maxPendingPerPeer: 4, requestTimeoutMs: 300, maxTimeouts: 2))
        #expect(await eventually { await victim.height == 6 }, "the honest peer's blocks arrive despite the silent one")
        #expect(await eventually { victim.sync?.maxPeerHeight == 6 }, "the silent peer's claim of 500 no longer counts")
        #expect(victim.sync?.isCatchingUp == false)
        #expect(!victim.p2p.isBanned(silent.p2p.nodeID), "slow or lying about its height, but nothing provably invalid: no ban")
        #expect(victim.peerIDs.contains(silent.p2p.nodeID))
        copier.cancel()
        for n in [victim, silent, honest] { await n.stop() }
    }

    @Test func aPeerAskingForMoreBlocksAtOnceThanAnyNodeDoesIsCutWithoutABan() async throws {
        let source = try await Self.source(blocks: 3)
        let (server, copier) = try await Self.serving(source)
        #expect(await eventually { await server.height == 3 })
        let greedy = try await SwitchNode.rogue(11, genesis: source.genesis, reactor: { p2p in
            RogueServer(p2p: p2p, claimedHeight: 0) { _ in nil }
        })
        try greedy.p2p.dial(server.peerAddress)
        #expect(await eventually { server.peerIDs.contains(greedy.p2p.nodeID) })
        // Each request buys a block held in memory until sent: 500 at once must not all queue.
        let request = BlockSyncMessage.blockRequest(height: 1).canonicalBytes
        for _ in 0..<500 { _ = greedy.p2p.send(request, on: .blockSync, to: server.p2p.nodeID) }
        #expect(await eventually { !server.peerIDs.contains(greedy.p2p.nodeID) }, "cut")
        #expect(!server.p2p.isBanned(greedy.p2p.nodeID), "no ban: asking is not provably malicious")
        #expect((server.sync?.servedCount ?? 0) < 500)
        copier.cancel()
        for n in [greedy, server] { await n.stop() }
    }

    @Test func aPeerClaimingAHeightItNeverServesHoldsProductionBackOnlyForTheGrace() async throws {
        let source = try await Self.source(blocks: 1)
        let liar = try await SwitchNode.rogue(12, genesis: source.genesis, reactor: { p2p in
            RogueServer(p2p: p2p, claimedHeight: 500) { _ in nil }
        })
        let node = try await SwitchNode.start(
            key: 213, genesis: source.genesis, persistent: [liar.peerAddress],
            sync: .init(tick: .milliseconds(50), statusInterval: .seconds(1), progressGrace: .milliseconds(600)))
        #expect(await eventually { node.sync?.isCatchingUp == true })
        #expect(node.sync?.holdsProduction == true, "just began catching up: a restarted validator waits")
        // Nothing arrives: the unauthenticated claim stops holding production back after the grace,
        // although the node still counts as behind until the liar's requests time out.
        #expect(await eventually { node.sync?.holdsProduction == false })
        #expect(node.sync?.isCatchingUp == true)
        for n in [node, liar] { await n.stop() }
    }

    @Test func statusSaysCatchingUpWhileAPeerIsAheadAndNotOnceItIsGone() async throws {
        let source = try await Self.source(blocks: 1)
        let ahead = try await SwitchNode.rogue(9, genesis: source.genesis, reactor: { p2p in
            RogueServer(p2p: p2p, claimedHeight: 500) { _ in nil }
        })
        let node = try await SwitchNode.syncing(10, genesis: source.genesis, persistent: [ahead.peerAddress])
        let methods = NodeRPCMethods(chain: node.chain, moniker: "n", validatorKey: nil, broadcastTxCommitTimeoutMs: 1_000,
                                     p2p: node.p2p, blockSync: node.sync)
        let dispatcher = JSONRPCDispatcher(methods: methods.table)
        func catchingUp() async -> JSONValue? {
            let request: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": "status", "params": .object([:])]
            guard let reply = await dispatcher.handle(body: request.serialized()) else { return nil }
            return (try? JSONValue.parse(reply))?["result"]?["sync_info"]?["catching_up"]
        }
        #expect(await eventually { await catchingUp() == true }, "a peer at 500 while this node is at 0")
        await ahead.stop()
        #expect(await eventually { await catchingUp() == false }, "the only peer ahead is gone")
        #expect(await node.height == 0)
        await node.stop()
    }
}
