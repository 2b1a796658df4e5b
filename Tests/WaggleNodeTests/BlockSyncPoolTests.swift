import Testing
import WaggleCore
import WaggleNode
import WaggleP2P
import WaggleTesting

/// `BlockSyncPool`: the request window, per-peer bounds, timeouts, re-requests and ordering.
struct BlockSyncPoolTests {
    let a = NodeID(publicKey: TestKeys.signer(1).publicKey)
    let b = NodeID(publicKey: TestKeys.signer(2).publicKey)
    let c = NodeID(publicKey: TestKeys.signer(3).publicKey)

    func pool(next: UInt64 = 1, window: Int = 8, perPeer: Int = 3, timeoutMs: UInt64 = 1_000, maxTimeouts: Int = 2) -> BlockSyncPool<Int> {
        BlockSyncPool(nextHeight: next, limits: BlockSyncLimits(
            window: window, maxPendingPerPeer: perPeer, requestTimeoutMs: timeoutMs, maxTimeouts: maxTimeouts))
    }

    @Test func requestsSpreadOverPeersWithinThePerPeerBoundAndTheWindow() {
        var p = pool()
        p.setRange(a, base: 1, height: 100)
        p.setRange(b, base: 1, height: 100)
        let first = p.schedule(nowMs: 0)
        // Two peers of 3 each: 6 requests, heights 1...6, alternating by fewest pending.
        #expect(first.map(\.height) == Array(1...6))
        #expect(p.pending(a) == 3 && p.pending(b) == 3)
        #expect(p.schedule(nowMs: 1).isEmpty, "both peers are at their bound")
        // A third peer takes what the window has left (heights 7 and 8), no more.
        p.setRange(c, base: 1, height: 100)
        let more = p.schedule(nowMs: 2)
        #expect(more.map(\.height) == [7, 8] && more.allSatisfy { $0.peer == c })
        #expect(p.pendingCount == 8)
        // Deliveries free their slot but the window only moves when the next height commits.
        let owner1 = first.first { $0.height == 1 }!.peer
        #expect(p.deliver(10, height: 1, from: owner1) == .accepted)
        #expect(p.schedule(nowMs: 3).isEmpty, "height 9 is outside the window until height 1 commits")
        #expect(p.next?.item == 10 && p.next?.height == 1)
        p.committed(1)
        #expect(p.nextHeight == 2 && p.next == nil)
        #expect(p.schedule(nowMs: 4).map(\.height) == [9])
    }

    @Test func onlyPeersThatServeAHeightAreAskedForIt() {
        var p = pool(window: 10, perPeer: 10)
        p.setRange(a, base: 1, height: 3)
        p.setRange(b, base: 5, height: 6)
        let r = p.schedule(nowMs: 0)
        #expect(r.filter { $0.peer == a }.map(\.height) == [1, 2, 3])
        #expect(r.filter { $0.peer == b }.map(\.height) == [5, 6])
        #expect(p.maxPeerHeight == 6 && !p.isCaughtUp)
    }

    @Test func aBlockFromAPeerNotAskedForItIsLateInsideTheWindowAndUnsolicitedBeyondIt() {
        var p = pool()
        p.setRange(a, base: 1, height: 100)
        p.setRange(b, base: 1, height: 100)
        let r = p.schedule(nowMs: 0)
        let h = r.first { $0.peer == a }!.height
        #expect(p.deliver(1, height: h, from: b) == .late, "b was not asked for \(h)")
        #expect(p.deliver(1, height: 9, from: a) == .unsolicited, "beyond the window nobody could have asked")
        #expect(p.deliver(1, height: 5_000, from: c) == .unsolicited)
        #expect(p.deliver(1, height: h, from: a) == .accepted)
        #expect(p.deliver(1, height: h, from: a) == .late, "a second answer to one request is not taken")
        #expect(p.receivedCount == 1)
    }

    @Test func aTimedOutRequestIsAskedOfAnotherPeerAndARepeatOffenderLeavesThePool() {
        var p = pool(window: 2, perPeer: 1, timeoutMs: 1_000, maxTimeouts: 2)
        p.setRange(a, base: 1, height: 50)
        let r1 = p.schedule(nowMs: 0)
        #expect(r1.map(\.height) == [1] && r1[0].peer == a)
        #expect(p.expire(nowMs: 999).isEmpty && p.pendingCount == 1, "not yet")
        #expect(p.expire(nowMs: 1_000).isEmpty, "one timeout: a stays")
        p.setRange(b, base: 1, height: 50)
        let r2 = p.schedule(nowMs: 1_000)
        #expect(Set(r2.map(\.height)) == [1, 2])
        let fromA = r2.filter { $0.peer == a }
        #expect(fromA.count == 1)
        #expect(p.expire(nowMs: 2_000) == [a], "a second timeout in a row drops a")
        #expect(p.peerIDs == [b])
        // Its status is ignored until it reconnects; then it may serve again.
        p.setRange(a, base: 1, height: 80)
        #expect(p.peerIDs == [b] && p.maxPeerHeight == 50)
        p.removePeer(a)
        p.setRange(a, base: 1, height: 80)
        #expect(Set(p.peerIDs) == [a, b] && p.maxPeerHeight == 80)
    }

    @Test func aRejectionNamesOnlyThePeerWhoseDeliveryFailedNotTheOneHoldingTheHeightNow() {
        var p = pool(window: 1, perPeer: 1)
        p.setRange(a, base: 1, height: 10)
        let first = p.schedule(nowMs: 0)
        #expect(first.map(\.peer) == [a])
        #expect(p.deliver(1, height: 1, from: a) == .accepted)
        // a disconnects while its block is being verified; b is asked and delivers height 1.
        p.removePeer(a)
        p.setRange(b, base: 1, height: 10)
        #expect(p.schedule(nowMs: 1).map(\.peer) == [b])
        #expect(p.deliver(1, height: 1, from: b) == .accepted)
        // a's block fails: b, which holds height 1 now, is untouched.
        p.rejected(1, from: a)
        #expect(p.peerIDs == [b] && p.next?.peer == b)
    }

    @Test func aPipelinedPeerAnsweringInTurnIsNotTimedOutAndADroppedPeerMayReturnLater() {
        var p = pool(window: 16, perPeer: 16, timeoutMs: 1_000, maxTimeouts: 2)
        p.setRange(a, base: 1, height: 100, nowMs: 0)
        let asked = p.schedule(nowMs: 0)
        #expect(asked.count == 16)
        // One answer every 900 ms: the 16th arrives at 14.4 s, far past the first request's
        // timeout, but never more than the timeout after the previous answer.
        for (i, r) in asked.enumerated() {
            let now = UInt64(i + 1) * 900
            #expect(p.expire(nowMs: now).isEmpty, "at \(now) ms")
            #expect(p.deliver(Int(r.height), height: r.height, from: a, nowMs: now) == .accepted)
        }
        #expect(p.peerIDs == [a] && p.receivedCount == 16)
        // A silent peer is still dropped, and may come back after four timeouts.
        var q = pool(window: 2, perPeer: 1, timeoutMs: 1_000, maxTimeouts: 2)
        q.setRange(b, base: 1, height: 200, nowMs: 20_000)
        _ = q.schedule(nowMs: 20_000)
        #expect(q.expire(nowMs: 21_000).isEmpty)
        _ = q.schedule(nowMs: 21_000)
        #expect(q.expire(nowMs: 22_000) == [b])
        q.setRange(b, base: 1, height: 200, nowMs: 25_999)
        #expect(q.peerIDs.isEmpty)
        q.setRange(b, base: 1, height: 200, nowMs: 26_000)
        #expect(q.peerIDs == [b])
    }

    @Test func anAnswerResetsThePeersTimeoutCount() {
        var p = pool(window: 4, perPeer: 1, timeoutMs: 10, maxTimeouts: 2)
        p.setRange(a, base: 1, height: 50)
        _ = p.schedule(nowMs: 0)
        #expect(p.expire(nowMs: 10).isEmpty)
        let r = p.schedule(nowMs: 10)
        #expect(p.deliver(1, height: r[0].height, from: a) == .accepted)
        _ = p.schedule(nowMs: 20)
        #expect(p.expire(nowMs: 30).isEmpty, "the timeout count started over after an answer")
        #expect(p.peerIDs == [a])
    }

    @Test func noBlockMovesTheHeightToAnotherPeerAndLowersTheClaim() {
        var p = pool(window: 1, perPeer: 1)
        p.setRange(a, base: 1, height: 10)
        p.setRange(b, base: 1, height: 10)
        let r = p.schedule(nowMs: 0)
        let asked = r[0].peer, other = asked == a ? b : a
        p.noBlock(1, from: other)
        #expect(p.pendingCount == 1, "an answer to nothing asked is ignored")
        p.noBlock(1, from: asked)
        #expect(p.pendingCount == 0)
        let again = p.schedule(nowMs: 1)
        #expect(again.map(\.peer) == [other] && again.map(\.height) == [1])
    }

    @Test func aRejectedDeliveryRemovesItsPeerAndEverythingItSent() {
        var p = pool(window: 6, perPeer: 3)
        p.setRange(a, base: 1, height: 100)
        p.setRange(b, base: 1, height: 100)
        let r = p.schedule(nowMs: 0)
        for x in r { #expect(p.deliver(Int(x.height), height: x.height, from: x.peer) == .accepted) }
        let culprit = p.next!.peer
        let honest = culprit == a ? b : a
        p.rejected(1, from: culprit)
        #expect(p.peerIDs == [honest])
        #expect(p.next == nil)
        #expect(p.receivedCount == 3, "only the honest peer's three deliveries remain")
        // The heights it held are asked of the other peer as soon as there is room.
        #expect(p.schedule(nowMs: 1).allSatisfy { $0.peer == honest })
    }

    @Test func commitsByAnotherPathMoveTheWindowAndCaughtUpFollowsThePeersHeight() {
        var p = pool(next: 11)
        #expect(p.isCaughtUp, "no peer: nothing to catch up with")
        p.setRange(a, base: 1, height: 11)
        #expect(p.isCaughtUp, "one block behind counts as caught up (CometBFT's rule)")
        p.setRange(a, base: 1, height: 20)
        #expect(!p.isCaughtUp)
        _ = p.schedule(nowMs: 0)
        p.committed(19)
        #expect(p.nextHeight == 20 && p.pendingCount == 0 && p.pending(a) == 0)
        #expect(p.isCaughtUp)
        p.committed(5)
        #expect(p.nextHeight == 20, "an older height never moves the pool back")
        p.removePeer(a)
        #expect(p.maxPeerHeight == 0)
    }
}
