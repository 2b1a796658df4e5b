import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import WaggleCore
import WaggleP2P
import WaggleSwitch

/// Mempool gossip (the mempool channel). Every transaction the mempool admits, whether from RPC
/// or from a peer, goes to each connected peer not known to have it; a transaction from a peer
/// goes through `Chain.submit`, the same checks as one sent over RPC, and only an admitted one
/// travels on. Each peer's known set is bounded (`RecentHashes`). A message that does not
/// decode, or a transaction whose signature does not verify (an honest node checks before it
/// relays), disconnects and bans the peer.
///
/// A relayed contribution whose proof fails is treated the same way: the mempool verifies a
/// proof before it admits (and so before it relays) a contribution.
///
/// Runs as a Service: one task submits received transactions, another gossips admitted ones.
/// Received transactions wait in one bounded queue per peer (`inboundPerPeer`; more from that
/// peer are dropped, never buffered without bound), drained round robin, so one peer flooding
/// cannot crowd out the others. A transaction a peer already sent (or was sent) is dropped on
/// arrival, and one refused for a reason that no later state can change (signature, proof,
/// encoding) is remembered (`rejectedCapacity`) and not checked again.
public final class MempoolReactor: Reactor, Service {
    public let channels: [ChannelID] = [.mempool]
    public static let inboundPerPeer = 256
    public static let knownPerPeer = 10_000
    public static let rejectedCapacity = 10_000

    private let chain: Chain
    private let p2p: PeerSwitch
    private let logger: Logger
    private let inbox = NIOLockedValueBox(FairQueue<NodeID, (Peer, Transaction)>())
    /// Wakes the submitting task when the inbox gains something.
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let known = NIOLockedValueBox<[NodeID: RecentHashes]>([:])
    private let rejected = NIOLockedValueBox(RecentHashes(capacity: MempoolReactor.rejectedCapacity))
    private let counters = NIOLockedValueBox((received: 0, sent: 0, dropped: 0))

    public init(chain: Chain, p2p: PeerSwitch, logger: Logger = Logger(label: "mempool")) {
        self.chain = chain
        self.p2p = p2p
        self.logger = logger
        (wake, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        p2p.register(self)
    }

    /// Transactions received from peers, and sent to peers, since the start.
    public var receivedCount: Int { counters.withLockedValue { $0.received } }
    public var sentCount: Int { counters.withLockedValue { $0.sent } }
    /// Transactions from peers dropped unchecked: repeats, known rejections, a full peer queue.
    public var droppedCount: Int { counters.withLockedValue { $0.dropped } }

    public func peerAdded(_ peer: Peer) {
        let connected = Set(p2p.connectedPeers.compactMap(\.id))
        known.withLockedValue { k in
            k = k.filter { connected.contains($0.key) }
            if let id = peer.id, k[id] == nil { k[id] = RecentHashes(capacity: Self.knownPerPeer) }
        }
    }

    public func peerRemoved(_ peer: Peer) {
        guard let id = peer.id else { return }
        known.withLockedValue { $0[id] = nil }
        inbox.withLockedValue { $0.drop(id) }
    }

    public func receive(_ payload: [UInt8], on channel: ChannelID, from peer: Peer) {
        let message: MempoolMessage
        do { message = try MempoolMessage(canonicalBytes: payload) } catch {
            p2p.disconnect(peer, banningFor: "undecodable mempool message: \(error)")
            return
        }
        guard case .transaction(let tx) = message, let id = peer.id else { return }
        counters.withLockedValue { $0.received += 1 }
        let hash = tx.hash
        guard markKnown(hash, by: id), !rejected.withLockedValue({ $0.contains(hash) }),
            inbox.withLockedValue({ $0.push((peer, tx), for: id, limit: Self.inboundPerPeer) })
        else {
            counters.withLockedValue { $0.dropped += 1 }
            return
        }
        wakeContinuation.yield()
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.submitReceived() }
                group.addTask { await self.gossipAdmitted() }
            }
        }
        wakeContinuation.finish()
    }

    private func submitReceived() async {
        for await _ in wake {
            while let (peer, tx) = inbox.withLockedValue({ $0.pop() }) {
                if Task.isCancelled { return }
                do {
                    _ = try await chain.submit(tx)
                } catch {
                    if let why = Self.neverValid(error) {
                        rejected.withLockedValue { _ = $0.insert(tx.hash) }
                        p2p.disconnect(peer, banningFor: "relayed a transaction that \(why)")
                    } else {
                        // Already pooled or committed, a nonce gap, a full pool: ordinary on a network.
                        logger.debug(
                            "transaction from peer not admitted", metadata: ["peer": "\(peer)", "tx": "\(tx.hash)", "reason": "\(error)"])
                    }
                }
            }
        }
    }

    /// Why no state could ever admit the transaction, when that is so: an honest node checks
    /// these before it relays, so the peer that relayed it misbehaves.
    static func neverValid(_ error: MempoolError) -> String? {
        switch error.code {
        case .invalidSignature: return "has a signature that does not verify"
        // Not `tooLarge`: max_tx_bytes is each operator's choice, so an honest peer may relay a
        // transaction over this node's limit.
        case .malformed: return "does not decode"
        default: break
        }
        switch error.ledgerError?.code {
        case .invalidSignature?: return "has a signature that does not verify"
        case .invalidProof?, .proofRejected?: return "carries a proof that fails (\(error.reason))"
        default: return nil
        }
    }

    private func gossipAdmitted() async {
        for await tx in chain.admittedTransactions {
            if Task.isCancelled { return }
            gossip(tx)
        }
    }

    private func gossip(_ tx: Transaction) {
        let hash = tx.hash
        let payload = MempoolMessage.transaction(tx).canonicalBytes
        for peer in p2p.connectedPeers {
            guard let id = peer.id, markKnown(hash, by: id) else { continue }
            p2p.send(payload, on: .mempool, to: peer)
            counters.withLockedValue { $0.sent += 1 }
        }
    }

    /// Records that `id` has `hash`; false when it was known already.
    @discardableResult
    private func markKnown(_ hash: Hash256, by id: NodeID) -> Bool {
        known.withLockedValue { k in k[id, default: RecentHashes(capacity: Self.knownPerPeer)].insert(hash) }
    }
}

/// FIFO queues per key, served round robin: one item from each key in turn.
struct FairQueue<Key: Hashable & Sendable, Item: Sendable>: Sendable {
    private var queues: [Key: [Item]] = [:]
    private var order: [Key] = []
    private var next = 0

    var count: Int { queues.values.reduce(0) { $0 + $1.count } }

    /// Queues `item` for `key`; false when that key already holds `limit` items.
    mutating func push(_ item: Item, for key: Key, limit: Int) -> Bool {
        if queues[key] == nil {
            queues[key] = []
            order.append(key)
        }
        guard queues[key, default: []].count < limit else { return false }
        queues[key, default: []].append(item)
        return true
    }

    /// The next item, taking one from each key in turn.
    mutating func pop() -> Item? {
        while !order.isEmpty {
            if next >= order.count { next = 0 }
            let key = order[next]
            guard let first = queues[key]?.first else {
                queues[key] = nil
                order.remove(at: next)
                continue
            }
            queues[key]?.removeFirst()
            next += 1
            return first
        }
        return nil
    }

    /// Forgets everything queued for `key`.
    mutating func drop(_ key: Key) {
        guard queues.removeValue(forKey: key) != nil, let i = order.firstIndex(of: key) else { return }
        order.remove(at: i)
        if next > i { next -= 1 }
    }
}
