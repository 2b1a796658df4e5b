/// The switch's decisions as a value type, with no sockets and no clock (times come in as
/// milliseconds): which peers are connected and in which direction, which persistent peer to
/// dial next and when, whether an inbound socket or an authenticated peer is admitted, and who
/// is banned until when.
///
/// Rules (Docs/P2P.md, "Switch"):
/// - Caps: at most `maxInbound` inbound connections (counting sockets still in their handshake,
///   so a flood is refused before any crypto) and `maxOutbound` outbound ones (counting dials in
///   flight).
/// - One connection per node id. When two connections for one id meet (a simultaneous dial), the
///   one dialled by the node with the smaller id wins on both sides: with `self < peer` the
///   outbound one stays, otherwise the inbound one. Two in the same direction: the first stays.
/// - A connection authenticated as this node's own id is refused, and a persistent peer with
///   this node's id is never dialled.
/// - A banned id is refused until its ban expires. The ban table holds at most `maxBans` ids
///   (the oldest ban goes first), so a flood of fresh ids cannot grow it without bound.
/// - A fault that a third party on the path could have caused (a transport message that fails
///   its AEAD tag, a forged outer length prefix) is a strike, not a ban: the connection is cut,
///   and `strikesBeforeBan` strikes within `strikeWindowMs` ban the id (DESIGN.md: "disconnected
///   and, on repeat, banned").
public struct PeerSet: Sendable {
    public enum Direction: String, Hashable, Sendable { case inbound, outbound }

    public struct Limits: Hashable, Sendable {
        public var maxInbound: Int
        public var maxOutbound: Int
        public var banDurationMs: UInt64
        public var maxBans: Int
        public var strikesBeforeBan: Int
        public var strikeWindowMs: UInt64

        public init(
            maxInbound: Int = 40, maxOutbound: Int = 10, banDurationMs: UInt64 = 10 * 60_000, maxBans: Int = 10_000,
            strikesBeforeBan: Int = 3, strikeWindowMs: UInt64 = 10 * 60_000
        ) {
            self.maxInbound = maxInbound
            self.maxOutbound = maxOutbound
            self.banDurationMs = banDurationMs
            self.maxBans = max(1, maxBans)
            self.strikesBeforeBan = max(1, strikesBeforeBan)
            self.strikeWindowMs = strikeWindowMs
        }
    }

    public enum Refusal: Hashable, Sendable, CustomStringConvertible {
        case inboundFull(max: Int)
        case outboundFull(max: Int)
        case selfConnection
        case banned(untilMs: UInt64)
        case duplicate(keeping: Direction)

        public var description: String {
            switch self {
            case .inboundFull(let m): "inbound peers are at their cap (max_num_inbound_peers = \(m))"
            case .outboundFull(let m): "outbound peers are at their cap (max_num_outbound_peers = \(m))"
            case .selfConnection: "the peer is this node (self-dial)"
            case .banned: "the peer is banned"
            case .duplicate(let d): "already connected to this node id; keeping the \(d) connection"
            }
        }
    }

    public enum Admission: Hashable, Sendable {
        case accepted
        /// Accepted; the existing connection in the other direction loses the tie-break and
        /// must be closed.
        case replacing(Direction)
        case refused(Refusal)
    }

    struct PersistentPeer: Sendable {
        var address: PeerAddress
        var failures = 0
        var nextDialMs: UInt64 = 0
    }

    public let selfID: NodeID
    public var limits: Limits
    public let backoff: DialBackoff
    public private(set) var connected: [NodeID: Direction] = [:]
    public private(set) var pendingInbound = 0
    public private(set) var dialing: Set<NodeID> = []
    private var persistent: [NodeID: PersistentPeer] = [:]
    private var persistentOrder: [NodeID] = []
    private var bans: [NodeID: UInt64] = [:]
    /// Bans in the order they were given (an id banned again appears twice; the entry whose
    /// expiry no longer matches `bans` is stale). With one ban duration this is expiry order, so
    /// expired and evicted bans leave from the front in amortised O(1).
    private var banOrder: [(id: NodeID, untilMs: UInt64)] = []
    private var banOrderStart = 0
    /// Strikes per id: how many, and when the window opened. Bounded like the bans.
    private var strikes: [NodeID: (count: Int, sinceMs: UInt64)] = [:]
    /// Persistent peers that carry this node's own id, left out.
    public let selfEntries: [PeerAddress]

    public init(selfID: NodeID, limits: Limits, backoff: DialBackoff = DialBackoff(), persistentPeers: [PeerAddress] = []) {
        self.selfID = selfID
        self.limits = limits
        self.backoff = backoff
        var own: [PeerAddress] = []
        for p in persistentPeers {
            if p.id == selfID {
                own.append(p)
            } else if persistent[p.id] == nil {
                persistent[p.id] = PersistentPeer(address: p)
                persistentOrder.append(p.id)
            }
        }
        selfEntries = own
    }

    public var inboundCount: Int { connected.values.filter { $0 == .inbound }.count }
    public var outboundCount: Int { connected.values.filter { $0 == .outbound }.count }
    public var persistentPeers: [PeerAddress] { persistentOrder.compactMap { persistent[$0]?.address } }

    /// A socket was accepted: admit it to the handshake, or refuse it at once. An admitted one
    /// must end with `admit(_:direction: .inbound, …)` or `inboundClosedBeforeAdmission()`.
    public mutating func acceptInbound() -> Refusal? {
        guard inboundCount + pendingInbound < limits.maxInbound else { return .inboundFull(max: limits.maxInbound) }
        pendingInbound += 1
        return nil
    }

    public mutating func inboundClosedBeforeAdmission() { pendingInbound = max(0, pendingInbound - 1) }

    /// The persistent peers to dial now: not connected, not being dialled, not banned, past their
    /// backoff, within the outbound cap (in configuration order). Each is marked as being dialled.
    public mutating func dialsDue(nowMs: UInt64) -> [PeerAddress] {
        var due: [PeerAddress] = []
        for id in persistentOrder {
            guard outboundCount + dialing.count < limits.maxOutbound else { break }
            guard let p = persistent[id], connected[id] == nil, !dialing.contains(id), !isBanned(id, nowMs: nowMs),
                p.nextDialMs <= nowMs
            else { continue }
            dialing.insert(id)
            due.append(p.address)
        }
        return due
    }

    /// Starts an ad-hoc dial (not from the persistent list); nil when it may go ahead.
    public mutating func beginDial(_ id: NodeID, nowMs: UInt64) -> Refusal? {
        if id == selfID { return .selfConnection }
        if let until = banExpiry(id, nowMs: nowMs) { return .banned(untilMs: until) }
        if let d = connected[id] { return .duplicate(keeping: d) }
        if dialing.contains(id) { return .duplicate(keeping: .outbound) }
        guard outboundCount + dialing.count < limits.maxOutbound else { return .outboundFull(max: limits.maxOutbound) }
        dialing.insert(id)
        return nil
    }

    /// A dial did not end in an admitted connection (no TCP connection, a failed handshake, the
    /// wrong id): the next attempt waits out the backoff. Idempotent per dial.
    public mutating func dialFailed(_ id: NodeID, nowMs: UInt64, jitter: Double) {
        guard dialing.remove(id) != nil else { return }
        guard var p = persistent[id] else { return }
        p.nextDialMs = nowMs + backoff.delayMs(attempt: p.failures, jitter: jitter)
        p.failures += 1
        persistent[id] = p
    }

    /// An authenticated connection asks to join. An inbound one leaves the pending count whatever
    /// the answer; an outbound one leaves the dialling set when accepted (the caller reports a
    /// refused one with `dialFailed`).
    public mutating func admit(_ id: NodeID, direction: Direction, nowMs: UInt64) -> Admission {
        // An outbound connection stays in `dialing` until accepted: a refused one ends with
        // `dialFailed`, which schedules the next attempt.
        if direction == .inbound { pendingInbound = max(0, pendingInbound - 1) }
        if id == selfID { return .refused(.selfConnection) }
        if let until = banExpiry(id, nowMs: nowMs) { return .refused(.banned(untilMs: until)) }
        if let existing = connected[id] {
            let winner: Direction = selfID < id ? .outbound : .inbound
            guard existing != direction, winner == direction else { return .refused(.duplicate(keeping: existing)) }
            connected[id] = direction
            dialing.remove(id)
            return .replacing(existing)
        }
        switch direction {
        case .inbound where inboundCount >= limits.maxInbound: return .refused(.inboundFull(max: limits.maxInbound))
        case .outbound where outboundCount >= limits.maxOutbound: return .refused(.outboundFull(max: limits.maxOutbound))
        default: break
        }
        connected[id] = direction
        dialing.remove(id)
        if var p = persistent[id] {
            p.failures = 0
            persistent[id] = p
        }
        return .accepted
    }

    /// An admitted connection closed. Ignored unless it is the one on record (a connection that
    /// lost a tie-break closes after its replacement was admitted). A persistent peer is
    /// redialled after the first backoff step.
    public mutating func removed(_ id: NodeID, direction: Direction, nowMs: UInt64, jitter: Double) {
        guard connected[id] == direction else { return }
        connected[id] = nil
        if var p = persistent[id] {
            p.nextDialMs = nowMs + backoff.delayMs(attempt: p.failures, jitter: jitter)
            p.failures += 1
            persistent[id] = p
        }
    }

    public mutating func ban(_ id: NodeID, nowMs: UInt64) {
        let until = nowMs + limits.banDurationMs
        bans[id] = until
        strikes[id] = nil
        banOrder.append((id, until))
        // Expired bans go; past the cap the oldest goes too.
        while banOrderStart < banOrder.count {
            let (oldest, oldestUntil) = banOrder[banOrderStart]
            let current = bans[oldest]
            if current != oldestUntil {  // stale: re-banned later, or already gone
                banOrderStart += 1
            } else if oldestUntil <= nowMs || bans.count > limits.maxBans {
                bans[oldest] = nil
                banOrderStart += 1
            } else {
                break
            }
        }
        if banOrderStart > 1024, banOrderStart * 2 > banOrder.count {
            banOrder.removeFirst(banOrderStart)
            banOrderStart = 0
        }
    }

    /// The number of ids banned now (expired ones may linger until the next ban).
    public var banCount: Int { bans.count }

    /// Records a fault that a third party on the path could have caused. Returns true when it is
    /// the id's `strikesBeforeBan`-th strike within `strikeWindowMs`: the id is then banned.
    public mutating func strike(_ id: NodeID, nowMs: UInt64) -> Bool {
        var entry = strikes[id] ?? (0, nowMs)
        if nowMs >= entry.sinceMs + limits.strikeWindowMs { entry = (0, nowMs) }
        entry.count += 1
        if entry.count >= limits.strikesBeforeBan {
            ban(id, nowMs: nowMs)
            return true
        }
        if strikes[id] == nil, strikes.count >= limits.maxBans {
            strikes = strikes.filter { nowMs < $0.value.sinceMs + limits.strikeWindowMs }
            if strikes.count >= limits.maxBans { return false }  // a flood of fresh ids: forget this one
        }
        strikes[id] = entry
        return false
    }

    public func isBanned(_ id: NodeID, nowMs: UInt64) -> Bool { banExpiry(id, nowMs: nowMs) != nil }

    public func banExpiry(_ id: NodeID, nowMs: UInt64) -> UInt64? {
        guard let until = bans[id], until > nowMs else { return nil }
        return until
    }
}
