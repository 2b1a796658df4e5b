import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import WaggleCore
import WaggleP2P
import WaggleSwitch

/// A committed block with the commit that finalised it: what a block response carries.
public struct BlockAndCommit: Sendable {
    public let block: Block
    public let commit: Commit
}

/// Block sync (the block-sync channel; CometBFT's blocksync reactor is the reference design).
///
/// Serving: answers status requests with the heights this node has, block requests with the
/// block and its commit (or a no-block response), and announces its new height to every peer
/// after each commit, so followers fetch a new block within a block interval.
///
/// Fetching: learns each peer's heights from status responses, and while a peer is ahead asks
/// several peers in parallel for the heights after its head through a `BlockSyncPool` (bounded
/// window, bounded pending requests per peer, a timeout after which another peer is asked). Each
/// block is committed in order through `Chain.commit`, which verifies it exactly as any block:
/// the commit's signatures by the validator set of that height, every header rule, re-execution
/// and the state root. A peer that sends an undecodable message, a block with a commit for
/// another block, a block nobody asked for, or a block or commit that fails verification is
/// disconnected and banned, and nothing it sent is committed.
///
/// Consensus hand-over: `isCatchingUp` and `catchingUpChanges()` say when the node is more than
/// one block behind its highest peer (CometBFT's IsCaughtUp); a consensus driver waits for
/// `false` before it takes part, and goes back to waiting when it turns `true`. Block sync itself
/// keeps running either way (committing a block consensus already committed is skipped).
public final class BlockSyncReactor: Reactor, Service {
    public struct Configuration: Sendable {
        public var limits: BlockSyncLimits
        /// How often timeouts are checked and the window refilled (also woken by every arrival).
        public var tick: Duration
        /// How often every peer is asked for its status (besides the announcements on commit).
        public var statusInterval: Duration
        /// How long a validator holds back production without block sync making progress
        /// (`holdsProduction`).
        public var progressGrace: Duration
        /// Block requests one peer may have waiting to be served. An honest peer has at most
        /// `limits.maxPendingPerPeer` in flight (and a few more after its timeouts); a peer past
        /// this is disconnected (each answer may be a block of megabytes held in memory).
        public var servePerPeer: Int

        public init(limits: BlockSyncLimits = BlockSyncLimits(), tick: Duration = .milliseconds(100),
                    statusInterval: Duration = .seconds(10), servePerPeer: Int = 32, progressGrace: Duration = .seconds(5)) {
            self.progressGrace = progressGrace
            self.limits = limits
            self.tick = tick
            self.statusInterval = statusInterval
            self.servePerPeer = max(1, servePerPeer)
        }
    }

    struct State {
        var pool: BlockSyncPool<BlockAndCommit>
        var peers: [NodeID: Peer] = [:]
        /// What this node serves: blocks `base` through `height`.
        var base: UInt64
        var height: UInt64
        var catchingUp = false
        /// When catching up last began, and when block sync last committed a block (monotonic ms).
        var catchingUpSinceMs: UInt64 = 0
        var lastSyncedMs: UInt64 = 0
        var watchers: [Int: AsyncStream<Bool>.Continuation] = [:]
        var nextWatcher = 0
        /// Block requests waiting to be served, one queue per peer, served round robin.
        var serving = FairQueue<NodeID, (Peer, UInt64)>()
    }

    public let channels: [ChannelID] = [.blockSync]
    public let configuration: Configuration
    private let chain: Chain
    private let p2p: PeerSwitch
    private let logger: Logger
    private let state: NIOLockedValueBox<State>
    private let committedHeights: AsyncStream<UInt64>
    private let wakes: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let serveWakes: AsyncStream<Void>
    private let serveContinuation: AsyncStream<Void>.Continuation
    private let counters = NIOLockedValueBox((synced: 0, served: 0))

    /// - Parameter head: the chain's head now (`await chain.head`); registers with `p2p`.
    public init(chain: Chain, p2p: PeerSwitch, head: ChainHead, configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "blocksync")) {
        self.chain = chain
        self.p2p = p2p
        self.configuration = configuration
        self.logger = logger
        state = NIOLockedValueBox(
            State(pool: BlockSyncPool(nextHeight: head.height + 1, limits: configuration.limits),
                  base: chain.genesis.initialHeight, height: head.height))
        committedHeights = chain.committedHeights()
        (wakes, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (serveWakes, serveContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        p2p.register(self)
    }

    // MARK: Observing

    /// Whether this node is more than one block behind the highest height a peer announced.
    public var isCatchingUp: Bool { state.withLockedValue { $0.catchingUp } }

    /// Whether a validator that could produce alone should hold back: it is behind its peers
    /// **and** block sync is making progress (it began catching up, or committed a synced block,
    /// within `progressGrace`). A peer's announced height is unauthenticated: a peer that claims
    /// a height it never serves must not stop a sole validator for longer than the grace (it is
    /// then dropped after its timeouts), while a validator restarted behind a live network keeps
    /// waiting as long as real blocks arrive.
    public var holdsProduction: Bool {
        let now = Self.nowMs()
        let grace = UInt64(configuration.progressGrace.components.seconds) * 1_000
            + UInt64(configuration.progressGrace.components.attoseconds / 1_000_000_000_000_000)
        return state.withLockedValue { s in
            s.catchingUp && now < max(s.catchingUpSinceMs, s.lastSyncedMs) &+ grace
        }
    }

    /// The highest height a peer in the pool announced (0 before any).
    public var maxPeerHeight: UInt64 { state.withLockedValue { $0.pool.maxPeerHeight } }

    /// Blocks committed by block sync, and block requests answered with a block, since the start.
    public var syncedCount: Int { counters.withLockedValue { $0.synced } }
    public var servedCount: Int { counters.withLockedValue { $0.served } }

    /// `isCatchingUp` now, then each change: the signal a consensus driver follows to hand over to
    /// block sync and back. Each call is a new subscriber; a slow one sees only the newest value.
    public func catchingUpChanges() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLockedValue { s in
            s.nextWatcher += 1
            s.watchers[s.nextWatcher] = continuation
            continuation.yield(s.catchingUp)
            return s.nextWatcher
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLockedValue { _ = $0.watchers.removeValue(forKey: id) } }
        return stream
    }

    private func updateCatchingUp() {
        let changed: (Bool, [AsyncStream<Bool>.Continuation])? = state.withLockedValue { s in
            let now = !s.pool.isCaughtUp
            guard now != s.catchingUp else { return nil }
            s.catchingUp = now
            if now { s.catchingUpSinceMs = Self.nowMs() }
            return (now, Array(s.watchers.values))
        }
        guard let changed else { return }
        let (value, watchers) = changed
        let (height, top) = state.withLockedValue { ($0.height, $0.pool.maxPeerHeight) }
        logger.info(value ? "catching up with peers by block sync" : "caught up with peers",
                    metadata: ["height": "\(height)", "peer_height": "\(top)"])
        for w in watchers { w.yield(value) }
    }

    // MARK: Reactor

    public func peerAdded(_ peer: Peer) {
        guard let id = peer.id else { return }
        let (base, height) = state.withLockedValue { s in
            // A new connection for an id we know (a simultaneous dial's winner): the old one's
            // requests will never be answered, so they go back to the pool now.
            if let old = s.peers[id], old !== peer {
                s.pool.removePeer(id)
                s.serving.drop(id)
            }
            s.peers[id] = peer
            return (s.base, s.height)
        }
        p2p.send(BlockSyncMessage.statusRequest.canonicalBytes, on: .blockSync, to: peer)
        p2p.send(BlockSyncMessage.statusResponse(base: base, height: height).canonicalBytes, on: .blockSync, to: peer)
    }

    public func peerRemoved(_ peer: Peer) {
        guard let id = peer.id else { return }
        state.withLockedValue { s in
            guard s.peers[id] === peer else { return }
            s.peers[id] = nil
            s.pool.removePeer(id)
            s.serving.drop(id)
        }
        updateCatchingUp()
        wakeContinuation.yield()
    }

    public func receive(_ payload: [UInt8], on channel: ChannelID, from peer: Peer) {
        guard let id = peer.id else { return }
        let message: BlockSyncMessage
        do { message = try BlockSyncMessage(canonicalBytes: payload) } catch {
            p2p.disconnect(peer, banningFor: "undecodable block sync message: \(error)")
            return
        }
        switch message {
        case .statusRequest:
            let (base, height) = state.withLockedValue { ($0.base, $0.height) }
            p2p.send(BlockSyncMessage.statusResponse(base: base, height: height).canonicalBytes, on: .blockSync, to: peer)
        case .statusResponse(let base, let height):
            state.withLockedValue { $0.pool.setRange(id, base: base, height: height, nowMs: Self.nowMs()) }
            updateCatchingUp()
            requestBlocks()
        case .blockRequest(let height):
            let limit = configuration.servePerPeer
            guard state.withLockedValue({ $0.serving.push((peer, height), for: id, limit: limit) }) else {
                p2p.disconnect(peer, reason: "block sync: asked for more than \(limit) blocks at once")
                return
            }
            serveContinuation.yield()
        case .blockResponse(let block, let commit):
            guard commit.height == block.height, commit.blockID == block.id else {
                p2p.disconnect(peer, banningFor: "block sync: the commit sent with block \(block.height) is not for that block")
                return
            }
            let arrival = state.withLockedValue {
                $0.pool.deliver(BlockAndCommit(block: block, commit: commit), height: block.height, from: id, nowMs: Self.nowMs())
            }
            switch arrival {
            case .accepted: wakeContinuation.yield()
            case .late: logger.debug("late block response dropped", metadata: ["peer": "\(peer)", "height": "\(block.height)"])
            case .unsolicited: p2p.disconnect(peer, banningFor: "block sync: sent block \(block.height), which nobody asked for")
            }
        case .noBlockResponse(let height):
            state.withLockedValue { $0.pool.noBlock(height, from: id) }
            requestBlocks()
        }
    }

    /// Sends the requests the pool schedules now.
    private func requestBlocks() {
        let (requests, peers) = state.withLockedValue { s in (s.pool.schedule(nowMs: Self.nowMs()), s.peers) }
        for r in requests {
            guard let peer = peers[r.peer] else { continue }
            p2p.send(BlockSyncMessage.blockRequest(height: r.height).canonicalBytes, on: .blockSync, to: peer)
        }
    }

    // MARK: Service

    public func run() async throws {
        let head = await chain.head
        noteCommitted(head.height)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followCommits() }
                group.addTask { await self.serve() }
                group.addTask { await self.syncLoop() }
                group.addTask { await self.ticks() }
            }
        }
        serveContinuation.finish()
        wakeContinuation.finish()
        let watchers = state.withLockedValue { s in
            s.peers = [:]
            defer { s.watchers = [:] }
            return Array(s.watchers.values)
        }
        for w in watchers { w.finish() }
    }

    private func noteCommitted(_ height: UInt64) {
        state.withLockedValue { s in
            s.height = max(s.height, height)
            s.pool.committed(height)
        }
    }

    /// Each local commit (produced or synced): the pool moves on and every peer hears the new height.
    private func followCommits() async {
        for await height in committedHeights {
            if Task.isCancelled { return }
            noteCommitted(height)
            let (base, top) = state.withLockedValue { ($0.base, $0.height) }
            p2p.broadcast(BlockSyncMessage.statusResponse(base: base, height: top).canonicalBytes, on: .blockSync)
            updateCatchingUp()
            wakeContinuation.yield()
        }
    }

    private func ticks() async {
        var sinceStatus: Duration = .zero
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.tick) } catch { return }
            sinceStatus += configuration.tick
            if sinceStatus >= configuration.statusInterval {
                sinceStatus = .zero
                p2p.broadcast(BlockSyncMessage.statusRequest.canonicalBytes, on: .blockSync)
            }
            wakeContinuation.yield()
        }
    }

    /// Answers block requests one at a time, a peer at a time in turn, from the committed store
    /// (never above the head).
    private func serve() async {
        for await _ in serveWakes {
            while let (peer, height) = state.withLockedValue({ $0.serving.pop() }) {
                if Task.isCancelled { return }
                await serve(height, to: peer)
            }
        }
    }

    private func serve(_ height: UInt64, to peer: Peer) async {
        let (base, top) = state.withLockedValue { ($0.base, $0.height) }
        var reply = BlockSyncMessage.noBlockResponse(height: height)
        if height >= base, height <= top {
            do {
                let (block, commit) = try await chain.readCommitted { store in (try store.block(at: height), try store.commit(at: height)) }
                if let block, let commit {
                    reply = .blockResponse(block: block, commit: commit)
                    counters.withLockedValue { $0.served += 1 }
                }
            } catch {
                logger.error("cannot read a block to serve", metadata: ["height": "\(height)", "error": "\(error)"])
            }
        }
        p2p.send(reply.canonicalBytes, on: .blockSync, to: peer)
    }

    private func syncLoop() async {
        for await _ in wakes {
            if Task.isCancelled { return }
            let dropped = state.withLockedValue { $0.pool.expire(nowMs: Self.nowMs()) }
            for id in dropped {
                logger.info("peer left block sync: its block requests timed out repeatedly (it claims heights it does not serve)",
                            metadata: ["peer": "\(id)"])
            }
            requestBlocks()
            await commitReady()
            updateCatchingUp()
        }
    }

    /// Commits the arrived blocks that continue the head, in order.
    private func commitReady() async {
        while !Task.isCancelled, let d = state.withLockedValue({ $0.pool.next }) {
            let head = await chain.head
            if head.height >= d.height {
                // Committed meanwhile by another path (the producer, consensus).
                noteCommitted(head.height)
                continue
            }
            do {
                try await chain.commit(d.item.block, commit: d.item.commit)
                counters.withLockedValue { $0.synced += 1 }
                state.withLockedValue { $0.lastSyncedMs = Self.nowMs() }
                noteCommitted(d.height)
                requestBlocks()
            } catch where Self.isPeerFault(error) {
                // The head may have moved between the check above and the commit (the producer,
                // consensus): then the block no longer continues the head, through nobody's fault.
                let now = await chain.head
                if now.height >= d.height {
                    noteCommitted(now.height)
                    continue
                }
                let peer: Peer? = state.withLockedValue { s in
                    s.pool.rejected(d.height, from: d.peer)
                    return s.peers[d.peer]
                }
                let reason = "block sync: served an invalid block at height \(d.height): \(error)"
                if let peer {
                    p2p.disconnect(peer, banningFor: reason)
                } else {
                    logger.warning("a synced block failed verification; its peer has disconnected",
                                   metadata: ["peer": "\(d.peer)", "reason": "\(reason)"])
                }
                requestBlocks()
            } catch {
                // The node's own failure (storage): not the peer's. Retried at the next tick.
                logger.error("block sync cannot commit a block", metadata: ["height": "\(d.height)", "error": "\(error)"])
                return
            }
        }
    }

    /// Whether a failure of `Chain.commit` proves the block or commit invalid (rather than a
    /// failure of this node's storage).
    static func isPeerFault(_ error: any Error) -> Bool {
        error is BlockValidationError || error is Commit.Failure
    }

    static func nowMs() -> UInt64 { NIODeadline.now().uptimeNanoseconds / 1_000_000 }
}
