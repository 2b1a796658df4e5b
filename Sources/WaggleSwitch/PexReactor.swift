import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import WaggleCore
import WaggleP2P

/// Peer exchange (the pex channel, 0x00), after CometBFT's PEX reactor: peers trade addresses,
/// and a node with free outbound slots dials addresses from its `AddressBook`, then its seeds,
/// until `max_num_outbound_peers` are connected (Docs/P2P.md, "Peer exchange").
///
/// - A new outbound peer is asked for addresses while the book holds fewer than
///   `AddressBook.needAddressThreshold`; every `ensurePeersPeriod` one connected peer not asked
///   for that long is asked again.
/// - A request is answered with up to `PexMessage.maxAddresses` addresses from the book. A peer
///   that asks again sooner than `minRequestInterval` after its previous request (CometBFT:
///   a third of the ensure-peers period; its first two requests are exempt) is disconnected
///   and banned.
/// - A reply that was not asked for, or that does not decode, bans the sender; its addresses go
///   into the book one by one (`AddressBook.add`: own id, invalid and, under `addr_book_strict`,
///   unroutable ones are dropped).
/// - The listen address of a peer that dialled us goes into the book (its own word), an address
///   we connected to is marked good, and a peer the switch bans is marked bad for the same time.
///
/// Runs as a Service: the ensure-peers loop, and saving the book (through `persist`, off the
/// event loops) when it changed.
public final class PexReactor: Reactor, Service {
    public struct Configuration: Sendable {
        public var seeds: [PeerAddress]
        /// CometBFT's `ensurePeersPeriod` (30 s): how often outbound slots are refilled and
        /// the book saved.
        public var ensurePeersPeriod: Duration
        /// CometBFT's `minReceiveRequestInterval`: a third of the period.
        public var minRequestInterval: Duration { ensurePeersPeriod / 3 }
        public var maxAddressesPerReply: Int

        public init(seeds: [PeerAddress] = [], ensurePeersPeriod: Duration = .seconds(30), maxAddressesPerReply: Int = PexMessage.maxAddresses) {
            self.seeds = seeds
            self.ensurePeersPeriod = ensurePeersPeriod
            self.maxAddressesPerReply = min(maxAddressesPerReply, PexMessage.maxAddresses)
        }
    }

    public let channels: [ChannelID] = [.pex]
    public let configuration: Configuration

    struct State {
        var book: AddressBook
        var dirty = false
        /// Monotonic ms of each peer's last request to us and how many it sent, and of our last
        /// request to it.
        var lastRequestFrom: [NodeID: (count: Int, atMs: UInt64)] = [:]
        var lastRequestTo: [NodeID: UInt64] = [:]
        /// Peers we asked and that have not answered yet: only these may send addrs.
        var awaiting: Set<NodeID> = []
        var seedAttempts: [NodeID: (failures: Int, nextMs: UInt64)] = [:]
        var rng = SystemRandomNumberGenerator()
    }

    private let p2p: PeerSwitch
    private let logger: Logger
    private let persist: @Sendable (AddressBook) -> Void
    private let wallClockMs: @Sendable () -> Int64
    private let state: NIOLockedValueBox<State>

    /// - Parameters:
    ///   - book: the address book as loaded (data/addrbook.json), or an empty one.
    ///   - persist: saves the book; called from the reactor's task when it changed, and at stop.
    ///     It should write atomically and may block (the node hands it to a serial queue).
    public init(
        p2p: PeerSwitch, book: AddressBook, configuration: Configuration = .init(), logger: Logger = Logger(label: "pex"),
        wallClockMs: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
        persist: @escaping @Sendable (AddressBook) -> Void = { _ in }
    ) {
        self.p2p = p2p
        self.configuration = configuration
        self.logger = logger
        self.persist = persist
        self.wallClockMs = wallClockMs
        state = NIOLockedValueBox(State(book: book))
        p2p.register(self)
    }

    /// The address book now.
    public var book: AddressBook { state.withLockedValue { $0.book } }

    // MARK: Reactor

    public func peerAdded(_ peer: Peer) {
        guard let id = peer.id else { return }
        let now = wallClockMs()
        let ask: Bool = state.withLockedValue { s in
            switch peer.direction {
            case .outbound:
                // The address we dialled worked.
                if let net = try? NetAddress(parsing: peer.remoteAddress), let a = PexAddress(PeerAddress(id: id, address: net)) {
                    s.book.markGood(a, nowMs: now)
                    s.dirty = true
                }
                s.seedAttempts[id] = nil
                return s.book.needsMoreAddresses
            case .inbound:
                if let a = Self.listenAddress(of: peer, id: id), s.book.add(a, source: nil, nowMs: now) != .known {
                    s.dirty = true
                }
                return false
            }
        }
        if ask { request(from: peer, id: id) }
    }

    public func peerRemoved(_ peer: Peer) {
        guard let id = peer.id else { return }
        let banned = p2p.isBanned(id)
        let until = wallClockMs() + Int64(clamping: p2p.configuration.limits.banDurationMs)
        state.withLockedValue { s in
            s.awaiting.remove(id)
            s.lastRequestFrom[id] = nil
            s.lastRequestTo[id] = nil
            if banned {
                s.book.markBad(id, untilMs: until)
                s.dirty = true
            }
        }
    }

    public func receive(_ payload: [UInt8], on channel: ChannelID, from peer: Peer) {
        guard let id = peer.id else { return }
        let message: PexMessage
        do { message = try PexMessage(canonicalBytes: payload) } catch {
            p2p.disconnect(peer, banningFor: "undecodable pex message: \(error)")
            return
        }
        switch message {
        case .request: answer(peer, id: id)
        case .addrs(let list): received(list, from: peer, id: id)
        }
    }

    private func answer(_ peer: Peer, id: NodeID) {
        let now = PeerSwitch.nowMs()
        let minInterval = Self.ms(configuration.minRequestInterval)
        let reply: [PexAddress]? = state.withLockedValue { s in
            // CometBFT exempts a peer's first two requests: a new outbound peer asks at once, and
            // its ensure-peers round may ask again within the interval.
            let last = s.lastRequestFrom[id] ?? (0, 0)
            if last.count >= 2 && now < last.atMs + minInterval { return nil }
            s.lastRequestFrom[id] = (last.count + 1, now)
            return s.book.selection(excluding: id, nowMs: wallClockMs(), limit: configuration.maxAddressesPerReply, using: &s.rng)
        }
        guard let reply else {
            p2p.disconnect(peer, banningFor: "sent pex requests too often (at most one per \(minInterval) ms)")
            return
        }
        p2p.send(PexMessage.addrs(reply).canonicalBytes, on: .pex, to: peer)
    }

    private func received(_ list: [PexAddress], from peer: Peer, id: NodeID) {
        let now = wallClockMs()
        let (solicited, added): (Bool, Int) = state.withLockedValue { s in
            guard s.awaiting.remove(id) != nil else { return (false, 0) }
            var added = 0
            for a in list where s.book.add(a, source: id, nowMs: now) == .added { added += 1 }
            if added > 0 { s.dirty = true }
            return (true, added)
        }
        guard solicited else {
            p2p.disconnect(peer, banningFor: "sent pex addresses it was not asked for")
            return
        }
        logger.debug("pex addresses received", metadata: ["peer": "\(peer)", "count": "\(list.count)", "new": "\(added)"])
    }

    private func request(from peer: Peer, id: NodeID) {
        state.withLockedValue { s in
            s.awaiting.insert(id)
            s.lastRequestTo[id] = PeerSwitch.nowMs()
        }
        p2p.send(PexMessage.request.canonicalBytes, on: .pex, to: peer)
    }

    /// A peer's own listen address from its node info; an unspecified host (0.0.0.0, ::) is
    /// replaced by the IP the connection came from.
    static func listenAddress(of peer: Peer, id: NodeID) -> PexAddress? {
        guard let text = peer.nodeInfo?.listenAddress, let net = try? NetAddress(parsing: text),
            var ip = IPAddress(parsing: net.host), (1...65535).contains(net.port)
        else { return nil }
        if ip.bytes.allSatisfy({ $0 == 0 }) {
            guard let remote = try? NetAddress(parsing: peer.remoteAddress), let r = IPAddress(parsing: remote.host) else { return nil }
            ip = r
        }
        return PexAddress(id: id, ip: ip, port: UInt16(net.port))
    }

    // MARK: Service

    public func run() async throws {
        let period = configuration.ensurePeersPeriod
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    self.ensurePeers()
                    self.saveIfChanged()
                    try await Task.sleep(for: period)
                }
            }
        } catch is CancellationError {}
        saveIfChanged()
    }

    /// One round: dial book addresses (then seeds) into the free outbound slots, and ask one
    /// peer for more addresses when the book is short.
    func ensurePeers() {
        let (free, busy) = p2p.outboundRoom
        let now = wallClockMs()
        let mono = PeerSwitch.nowMs()
        var dials: [PeerAddress] = []
        var seedDials: [PeerAddress] = []
        state.withLockedValue { s in
            guard free > 0 else { return }
            for a in s.book.candidates(nowMs: now, excluding: busy, limit: free) {
                s.book.markAttempt(a.id, nowMs: now)
                dials.append(a.peerAddress)
            }
            if !dials.isEmpty { s.dirty = true }
            // Seeds when the book has nothing to dial (CometBFT dials them when the book is
            // empty or its addresses fail), each with its own backoff.
            guard dials.isEmpty else { return }
            for seed in configuration.seeds where !busy.contains(seed.id) && seedDials.count < free {
                let record = s.seedAttempts[seed.id] ?? (0, 0)
                guard record.nextMs <= mono else { continue }
                s.seedAttempts[seed.id] = (record.failures + 1, mono + p2p.configuration.backoff.delayMs(attempt: record.failures, jitter: 0.5))
                seedDials.append(seed)
            }
        }
        for address in dials + seedDials {
            do { try p2p.dial(address) } catch {
                logger.debug("pex dial not started", metadata: ["peer": "\(address)", "reason": "\(error)"])
            }
        }
        // Ask a connected peer for more addresses, at most once per period per peer.
        let periodMs = Self.ms(configuration.ensurePeersPeriod)
        let peers = p2p.connectedPeers.sorted { ($0.id?.hex ?? "") < ($1.id?.hex ?? "") }
        let target: (Peer, NodeID)? = state.withLockedValue { s in
            guard s.book.needsMoreAddresses else { return nil }
            for p in peers {
                guard let id = p.id, !s.awaiting.contains(id) else { continue }
                if let last = s.lastRequestTo[id], mono < last + periodMs { continue }
                return (p, id)
            }
            return nil
        }
        if let target { request(from: target.0, id: target.1) }
    }

    private func saveIfChanged() {
        let book: AddressBook? = state.withLockedValue { s in
            guard s.dirty else { return nil }
            s.dirty = false
            return s.book
        }
        if let book { persist(book) }
    }

    static func ms(_ d: Duration) -> UInt64 {
        let (seconds, attoseconds) = d.components
        return UInt64(max(0, seconds)) * 1000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000_000
    }
}
