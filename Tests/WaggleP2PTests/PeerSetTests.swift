import Testing
import WaggleP2P

@Suite struct PeerSetTests {
    static func id(_ n: UInt8) -> NodeID {
        guard let id = NodeID([UInt8](repeating: n, count: 20)) else { fatalError("20 bytes") }
        return id
    }
    static func peer(_ n: UInt8, port: Int = 26656) -> PeerAddress {
        PeerAddress(id: id(n), address: NetAddress(host: "10.0.0.\(n)", port: port))
    }

    @Test func backoffDoublesFromTheInitialDelayStaysUnderTheCapAndUsesTheJitter() {
        let b = DialBackoff(initialMs: 1_000, maxMs: 60_000)
        #expect(b.delayMs(attempt: 0, jitter: 0) == 500)
        #expect(b.delayMs(attempt: 0, jitter: 0.999_999) == 999)
        #expect(b.delayMs(attempt: 1, jitter: 0) == 1_000)
        #expect(b.delayMs(attempt: 3, jitter: 0.5) == 6_000)
        #expect(b.delayMs(attempt: 6, jitter: 1) == 60_000)
        for attempt in [7, 30, 63, 64, 1_000, Int.max] {
            #expect(b.delayMs(attempt: attempt, jitter: 1) == 60_000)
            #expect(b.delayMs(attempt: attempt, jitter: 0) == 30_000)
        }
        #expect(b.delayMs(attempt: -5, jitter: .nan) == 500)
        #expect(b.delayMs(attempt: 2, jitter: 7) == 4_000, "jitter is clamped to [0, 1]")
    }

    @Test func inboundCapCountsSocketsStillInTheirHandshake() {
        var s = PeerSet(selfID: Self.id(1), limits: .init(maxInbound: 2, maxOutbound: 1))
        #expect(s.acceptInbound() == nil)
        #expect(s.acceptInbound() == nil)
        #expect(s.acceptInbound() == .inboundFull(max: 2))
        #expect(s.admit(Self.id(2), direction: .inbound, nowMs: 0) == .accepted)
        #expect(s.acceptInbound() == .inboundFull(max: 2))
        s.inboundClosedBeforeAdmission()
        #expect(s.acceptInbound() == nil)
        #expect(s.admit(Self.id(3), direction: .inbound, nowMs: 0) == .accepted)
        #expect(s.inboundCount == 2 && s.pendingInbound == 0)
        #expect(s.acceptInbound() == .inboundFull(max: 2))
    }

    @Test func persistentPeersAreDialledWithinTheOutboundCapAndRedialledAfterBackoff() {
        var s = PeerSet(
            selfID: Self.id(1), limits: .init(maxInbound: 5, maxOutbound: 2), backoff: DialBackoff(initialMs: 1_000, maxMs: 8_000),
            persistentPeers: [Self.peer(2), Self.peer(3), Self.peer(4)])
        #expect(s.dialsDue(nowMs: 0).map(\.id) == [Self.id(2), Self.id(3)])
        #expect(s.dialsDue(nowMs: 0).isEmpty, "dials in flight count against the cap and are not repeated")
        s.dialFailed(Self.id(2), nowMs: 0, jitter: 0)
        s.dialFailed(Self.id(2), nowMs: 0, jitter: 0)  // idempotent: one failure counted
        #expect(s.dialsDue(nowMs: 100).map(\.id) == [Self.id(4)], "peer 2 waits 500 ms; peer 4 takes the free slot")
        #expect(s.admit(Self.id(3), direction: .outbound, nowMs: 100) == .accepted)
        s.dialFailed(Self.id(4), nowMs: 100, jitter: 0)
        #expect(s.dialsDue(nowMs: 499).isEmpty)
        #expect(s.dialsDue(nowMs: 500).map(\.id) == [Self.id(2)])
        s.dialFailed(Self.id(2), nowMs: 500, jitter: 0)  // second failure: 1000 ms
        #expect(s.dialsDue(nowMs: 1_499).map(\.id) == [Self.id(4)], "peer 2 now waits 1000 ms, until 1500")
        s.dialFailed(Self.id(4), nowMs: 1_499, jitter: 0)
        #expect(s.dialsDue(nowMs: 1_500).map(\.id) == [Self.id(2)])
        // After a connection, the failure count resets; a drop redials after the first step.
        #expect(s.admit(Self.id(2), direction: .outbound, nowMs: 2_000) == .accepted)
        s.removed(Self.id(2), direction: .outbound, nowMs: 3_000, jitter: 0)
        #expect(s.connected[Self.id(2)] == nil)
        #expect(!s.dialsDue(nowMs: 3_499).contains { $0.id == Self.id(2) })
    }

    @Test func simultaneousDialsKeepTheConnectionDialledByTheSmallerIDOnBothSides() {
        let small = Self.id(1), large = Self.id(9)
        // Every arrival order, on both nodes: both keep small → large.
        for outboundFirst in [true, false] {
            var a = PeerSet(selfID: small, limits: .init())
            var b = PeerSet(selfID: large, limits: .init())
            _ = a.acceptInbound()
            _ = b.acceptInbound()
            let aFirst: PeerSet.Direction = outboundFirst ? .outbound : .inbound
            let bFirst: PeerSet.Direction = outboundFirst ? .outbound : .inbound
            #expect(a.admit(large, direction: aFirst, nowMs: 0) == .accepted)
            #expect(b.admit(small, direction: bFirst, nowMs: 0) == .accepted)
            let aSecond: PeerSet.Direction = aFirst == .outbound ? .inbound : .outbound
            let bSecond: PeerSet.Direction = bFirst == .outbound ? .inbound : .outbound
            let aAnswer = a.admit(large, direction: aSecond, nowMs: 0)
            let bAnswer = b.admit(small, direction: bSecond, nowMs: 0)
            #expect(a.connected[large] == .outbound, "the smaller id keeps its outbound dial")
            #expect(b.connected[small] == .inbound, "the larger id keeps the inbound from the smaller")
            #expect(aAnswer == (aSecond == .outbound ? .replacing(.inbound) : .refused(.duplicate(keeping: .outbound))))
            #expect(bAnswer == (bSecond == .inbound ? .replacing(.outbound) : .refused(.duplicate(keeping: .inbound))))
            // The loser's close does not remove the winner.
            a.removed(large, direction: .inbound, nowMs: 0, jitter: 0)
            b.removed(small, direction: .outbound, nowMs: 0, jitter: 0)
            #expect(a.connected[large] == .outbound && b.connected[small] == .inbound)
        }
    }

    @Test func aSecondConnectionInTheSameDirectionIsRefused() {
        var s = PeerSet(selfID: Self.id(1), limits: .init())
        _ = s.acceptInbound()
        _ = s.acceptInbound()
        #expect(s.admit(Self.id(2), direction: .inbound, nowMs: 0) == .accepted)
        #expect(s.admit(Self.id(2), direction: .inbound, nowMs: 0) == .refused(.duplicate(keeping: .inbound)))
        #expect(s.pendingInbound == 0)
    }

    @Test func selfIsNeverDialledNorAdmitted() {
        var s = PeerSet(selfID: Self.id(1), limits: .init(), persistentPeers: [Self.peer(1), Self.peer(2)])
        #expect(s.selfEntries == [Self.peer(1)])
        #expect(s.dialsDue(nowMs: 0).map(\.id) == [Self.id(2)])
        #expect(s.beginDial(Self.id(1), nowMs: 0) == .selfConnection)
        _ = s.acceptInbound()
        #expect(s.admit(Self.id(1), direction: .inbound, nowMs: 0) == .refused(.selfConnection))
    }

    @Test func bansRefuseUntilTheyExpireAndStopDials() {
        var s = PeerSet(
            selfID: Self.id(1), limits: .init(maxInbound: 5, maxOutbound: 5, banDurationMs: 1_000), persistentPeers: [Self.peer(2)])
        s.ban(Self.id(2), nowMs: 10)
        #expect(s.isBanned(Self.id(2), nowMs: 1_009) && !s.isBanned(Self.id(2), nowMs: 1_010))
        #expect(s.dialsDue(nowMs: 500).isEmpty)
        _ = s.acceptInbound()
        #expect(s.admit(Self.id(2), direction: .inbound, nowMs: 500) == .refused(.banned(untilMs: 1_010)))
        #expect(s.beginDial(Self.id(2), nowMs: 500) == .banned(untilMs: 1_010))
        #expect(s.dialsDue(nowMs: 1_010).map(\.id) == [Self.id(2)])
    }

    static func fresh(_ n: Int) -> NodeID {
        var bytes = [UInt8](repeating: 0xEE, count: 20)
        for k in 0..<8 { bytes[k] = UInt8(truncatingIfNeeded: n >> (8 * k)) }
        guard let id = NodeID(bytes) else { fatalError("20 bytes") }
        return id
    }

    @Test func theBanTableStaysWithinItsCapUnderAFloodOfFreshIdsAndDropsTheOldestFirst() {
        var s = PeerSet(selfID: Self.id(1), limits: .init(banDurationMs: 600_000, maxBans: 100))
        for n in 0..<5_000 { s.ban(Self.fresh(n), nowMs: UInt64(n)) }
        #expect(s.banCount <= 101)
        #expect(s.isBanned(Self.fresh(4_999), nowMs: 5_000), "the newest ban holds")
        #expect(!s.isBanned(Self.fresh(0), nowMs: 5_000), "the oldest was evicted")
        // Re-banning an id keeps it (its older entry is stale, not an eviction of the new ban).
        s.ban(Self.fresh(4_950), nowMs: 6_000)
        for n in 10_000..<10_099 { s.ban(Self.fresh(n), nowMs: 6_001) }
        #expect(s.isBanned(Self.fresh(4_950), nowMs: 6_002))
        // Expired bans leave on the next ban even below the cap.
        s.ban(Self.fresh(20_000), nowMs: 700_000)
        #expect(s.banCount == 1)
    }

    @Test func faultsThePathCouldCauseBanOnlyOnTheThirdStrikeWithinTheWindow() {
        var s = PeerSet(selfID: Self.id(1), limits: .init(banDurationMs: 1_000, strikesBeforeBan: 3, strikeWindowMs: 10_000))
        func strikes(_ id: NodeID, at times: [UInt64]) -> [Bool] { times.map { s.strike(id, nowMs: $0) } }
        #expect(strikes(Self.id(2), at: [0, 100]) == [false, false])
        #expect(!s.isBanned(Self.id(2), nowMs: 200))
        #expect(strikes(Self.id(2), at: [200]) == [true])
        #expect(s.isBanned(Self.id(2), nowMs: 300))
        // Strikes spread over more than the window never add up to a ban: the window reopens at
        // 12,000 with one strike.
        #expect(strikes(Self.id(3), at: [0, 6_000, 12_000, 13_000, 14_000]) == [false, false, false, false, true])
    }
}
