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
/// Runs as a Service: one task submits received transactions in arrival order (at most
/// `inboundCapacity` wait; more are dropped, never buffered without bound), another gossips
/// admitted ones.
public final class MempoolReactor: Reactor, Service {
    public let channels: [ChannelID] = [.mempool]
    public static let inboundCapacity = 1_024
    public static let knownPerPeer = 10_000

    private let chain: Chain
    private let p2p: PeerSwitch
    private let logger: Logger
    private let inbound: AsyncStream<(Peer, Transaction)>
    private let inboundContinuation: AsyncStream<(Peer, Transaction)>.Continuation
    private let known = NIOLockedValueBox<[NodeID: RecentHashes]>([:])
    private let counters = NIOLockedValueBox((received: 0, sent: 0))

    public init(chain: Chain, p2p: PeerSwitch, logger: Logger = Logger(label: "mempool")) {
        self.chain = chain
        self.p2p = p2p
        self.logger = logger
        (inbound, inboundContinuation) = AsyncStream.makeStream(
            of: (Peer, Transaction).self, bufferingPolicy: .bufferingOldest(Self.inboundCapacity))
        p2p.register(self)
    }

    /// Transactions received from peers, and sent to peers, since the start.
    public var receivedCount: Int { counters.withLockedValue { $0.received } }
    public var sentCount: Int { counters.withLockedValue { $0.sent } }

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
    }

    public func receive(_ payload: [UInt8], on channel: ChannelID, from peer: Peer) {
        let message: MempoolMessage
        do { message = try MempoolMessage(canonicalBytes: payload) } catch {
            p2p.disconnect(peer, banningFor: "undecodable mempool message: \(error)")
            return
        }
        guard case .transaction(let tx) = message, let id = peer.id else { return }
        counters.withLockedValue { $0.received += 1 }
        markKnown(tx.hash, by: id)
        inboundContinuation.yield((peer, tx))
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.submitReceived() }
                group.addTask { await self.gossipAdmitted() }
            }
        }
        inboundContinuation.finish()
    }

    private func submitReceived() async {
        for await (peer, tx) in inbound {
            if Task.isCancelled { return }
            do {
                _ = try await chain.submit(tx)
            } catch  where error.code == .invalidSignature {
                p2p.disconnect(peer, banningFor: "relayed a transaction whose signature does not verify")
            } catch {
                // Already pooled or committed, a nonce gap, a full pool: ordinary on a network.
                logger.debug("transaction from peer not admitted", metadata: ["peer": "\(peer)", "tx": "\(tx.hash)", "reason": "\(error)"])
            }
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
