import WaggleP2P

/// The bounds of block sync's request window (`BlockSyncPool`).
public struct BlockSyncLimits: Sendable, Equatable {
    /// Heights requested or received but not yet committed, counted from the next height to
    /// commit: bounds the blocks held in memory (CometBFT: maxTotalRequesters = 600; ours
    /// is smaller because a block may be up to 16 MiB).
    public var window: Int
    /// Requests in flight to one peer (CometBFT: maxPendingRequestsPerPeer = 20).
    public var maxPendingPerPeer: Int
    /// A request not answered within this is asked of another peer (CometBFT: peerTimeout 15 s).
    public var requestTimeoutMs: UInt64
    /// A peer whose requests time out this many times in a row leaves the pool until it
    /// reconnects: it claims heights it does not serve.
    public var maxTimeouts: Int

    public init(window: Int = 64, maxPendingPerPeer: Int = 16, requestTimeoutMs: UInt64 = 15_000, maxTimeouts: Int = 2) {
        self.window = max(1, window)
        self.maxPendingPerPeer = max(1, maxPendingPerPeer)
        self.requestTimeoutMs = requestTimeoutMs
        self.maxTimeouts = max(1, maxTimeouts)
    }
}

/// Block sync's bookkeeping as a value type (times in, no clock, no I/O): which heights each peer
/// claims, which heights are requested from whom, what arrived, and what to commit next. The
/// design is CometBFT's blocksync pool (blocksync/pool.go): a window of requests ahead of the
/// next height to commit, a bound on pending requests per peer, a request timeout after which
/// the height is asked of another peer, and peers that time out repeatedly leave the pool.
///
/// `Item` is what a block response carries (the reactor stores the block and its commit; the
/// unit tests use plain values).
public struct BlockSyncPool<Item: Sendable>: Sendable {
    struct PeerRange: Sendable {
        var base: UInt64
        var height: UInt64
        var pending = 0
        var timeouts = 0
        /// When this peer last delivered a block (or joined): requests to one peer are answered
        /// one after another, so a request's clock starts at the later of its sending and the
        /// peer's last delivery (CometBFT measures the peer timeout from the last block received).
        var lastDeliveryMs: UInt64 = 0
    }

    struct Request: Sendable {
        let peer: NodeID
        let sentMs: UInt64
    }

    /// What arrived for one height, and from whom.
    public struct Delivery: Sendable {
        public let height: UInt64
        public let item: Item
        public let peer: NodeID
    }

    /// How a block response was taken.
    public enum Arrival: Sendable, Equatable {
        case accepted
        /// A height near the window that this peer is not (or no longer) asked for: an answer
        /// that arrived after its request timed out or its height was committed. Dropped.
        case late
        /// A height nobody could have asked for (beyond the window): a protocol violation.
        case unsolicited
    }

    public let limits: BlockSyncLimits
    /// The next height to commit (the local head plus one).
    public private(set) var nextHeight: UInt64
    var peers: [NodeID: PeerRange] = [:]
    /// Peers that left the pool after timeouts, and when: their status is ignored until they
    /// reconnect or `4 × requestTimeoutMs` has passed.
    var dropped: [NodeID: UInt64] = [:]
    var requests: [UInt64: Request] = [:]
    var received: [UInt64: Delivery] = [:]

    public init(nextHeight: UInt64, limits: BlockSyncLimits = BlockSyncLimits()) {
        self.nextHeight = nextHeight
        self.limits = limits
    }

    // MARK: Peers

    /// A peer's status: the heights it serves. Ignored for a while after the peer was dropped for
    /// timeouts (`nowMs` decides when it may come back).
    public mutating func setRange(_ peer: NodeID, base: UInt64, height: UInt64, nowMs: UInt64 = 0) {
        if let since = dropped[peer] {
            guard nowMs >= since &+ 4 &* limits.requestTimeoutMs else { return }
            dropped[peer] = nil
        }
        peers[peer, default: PeerRange(base: base, height: height, lastDeliveryMs: nowMs)].base = base
        peers[peer]?.height = height
    }

    /// The peer disconnected: its requests go back to be asked of others, what it delivered and
    /// was not committed yet is discarded (it could no longer be punished for it), and it may
    /// join again when it reconnects.
    public mutating func removePeer(_ peer: NodeID) {
        forget(peer)
        dropped[peer] = nil
    }

    private mutating func forget(_ peer: NodeID) {
        peers[peer] = nil
        requests = requests.filter { $0.value.peer != peer }
        received = received.filter { $0.value.peer != peer }
    }

    /// The highest height any peer in the pool claims (0 with none).
    public var maxPeerHeight: UInt64 { peers.values.map(\.height).max() ?? 0 }

    /// The peers in the pool, sorted.
    public var peerIDs: [NodeID] { peers.keys.sorted() }

    /// Whether the local chain is within one block of the highest peer: CometBFT's rule
    /// (blocksync/pool.go IsCaughtUp: our height ≥ max peer height − 1). With no peer, there is
    /// nothing to catch up with.
    public var isCaughtUp: Bool { nextHeight >= maxPeerHeight }

    /// Pending requests to one peer.
    public func pending(_ peer: NodeID) -> Int { peers[peer]?.pending ?? 0 }

    public var pendingCount: Int { requests.count }
    public var receivedCount: Int { received.count }

    // MARK: Requests

    /// The requests to send now: every height of the window not yet requested or received, each
    /// to the peer in the pool that serves it with the fewest pending requests (ties by id, so the
    /// choice is deterministic), within the per-peer bound.
    public mutating func schedule(nowMs: UInt64) -> [(height: UInt64, peer: NodeID)] {
        var out: [(height: UInt64, peer: NodeID)] = []
        let top = maxPeerHeight
        guard top >= nextHeight else { return out }
        let last = min(top, nextHeight &+ UInt64(limits.window) &- 1)
        var h = nextHeight
        while h <= last {
            defer { h += 1 }
            if requests[h] != nil || received[h] != nil { continue }
            var best: NodeID?
            var bestPending = Int.max
            for (id, r) in peers where r.base <= h && h <= r.height && r.pending < limits.maxPendingPerPeer {
                if r.pending < bestPending || (r.pending == bestPending && id < best!) {
                    best = id
                    bestPending = r.pending
                }
            }
            guard let peer = best else { continue }
            requests[h] = Request(peer: peer, sentMs: nowMs)
            peers[peer]?.pending += 1
            out.append((h, peer))
        }
        return out
    }

    /// A block response for `height` from `peer` (the caller has checked that the block is the
    /// one of that height and that the commit is for it).
    public mutating func deliver(_ item: Item, height: UInt64, from peer: NodeID, nowMs: UInt64 = 0) -> Arrival {
        guard let r = requests[height], r.peer == peer else {
            return height < nextHeight &+ UInt64(limits.window) ? .late : .unsolicited
        }
        requests[height] = nil
        peers[peer]?.pending -= 1
        peers[peer]?.timeouts = 0
        if var r = peers[peer] {
            r.lastDeliveryMs = max(r.lastDeliveryMs, nowMs)
            peers[peer] = r
        }
        received[height] = Delivery(height: height, item: item, peer: peer)
        return .accepted
    }

    /// The peer says it has no block at `height`: it no longer counts as serving it (its claimed
    /// height drops below it) and the height is asked of another peer. An answer to nothing we
    /// asked is ignored.
    public mutating func noBlock(_ height: UInt64, from peer: NodeID) {
        guard let r = requests[height], r.peer == peer else { return }
        requests[height] = nil
        peers[peer]?.pending -= 1
        if let claimed = peers[peer]?.height, claimed >= height { peers[peer]?.height = height > 0 ? height - 1 : 0 }
    }

    /// Requests older than the timeout go back to be asked again; returns the peers that reached
    /// `maxTimeouts` and left the pool.
    public mutating func expire(nowMs: UInt64) -> [NodeID] {
        var out: [NodeID] = []
        for (h, r) in requests.sorted(by: { $0.key < $1.key }) {
            guard requests[h] != nil else { continue }  // dropped with its peer already
            let started = max(r.sentMs, peers[r.peer]?.lastDeliveryMs ?? 0)
            guard nowMs >= started &+ limits.requestTimeoutMs else { continue }
            requests[h] = nil
            peers[r.peer]?.pending -= 1
            peers[r.peer]?.timeouts += 1
            if let t = peers[r.peer]?.timeouts, t >= limits.maxTimeouts {
                forget(r.peer)
                dropped[r.peer] = nowMs
                out.append(r.peer)
            }
        }
        return out
    }

    // MARK: Committing

    /// The delivery for the next height, when it has arrived.
    public var next: Delivery? { received[nextHeight] }

    /// The local head reached `height` (by block sync or otherwise): everything at or below it is
    /// no longer needed.
    public mutating func committed(_ height: UInt64) {
        guard height >= nextHeight else { return }
        nextHeight = height + 1
        for (h, r) in requests where h < nextHeight {
            requests[h] = nil
            peers[r.peer]?.pending -= 1
        }
        received = received.filter { $0.key >= nextHeight }
    }

    /// The delivery at `height` from `peer` failed verification: that peer leaves the pool with
    /// everything it delivered (the caller bans it). Nothing happens if the height now holds
    /// another peer's delivery (the failing one was discarded meanwhile).
    public mutating func rejected(_ height: UInt64, from peer: NodeID) {
        guard received[height]?.peer == peer else { return }
        forget(peer)
    }
}
