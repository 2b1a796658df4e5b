import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import WaggleCore
import WaggleCrypto
import WaggleP2P
import WaggleP2PNIO

/// The switch (CometBFT's name): listens for peers, dials the persistent ones with backoff,
/// admits connections through one `PeerSet` (caps, one connection per id, self-dial, bans), and
/// routes channel messages between peers and reactors. A swift-service-lifecycle `Service`: it
/// runs until graceful shutdown or cancellation, then closes every connection.
public final class PeerSwitch: Service, Sendable {
    public struct Configuration: Sendable {
        public var chainID: String
        public var moniker: String
        public var listenAddress: NetAddress
        public var externalAddress: NetAddress?
        public var persistentPeers: [PeerAddress]
        public var limits: PeerSet.Limits
        public var backoff: DialBackoff
        public var handshakeTimeout: TimeAmount
        public var dialTimeout: TimeAmount
        public var maxPacketPayloadSize: Int
        /// A ping goes out this long after the last one; a peer from which nothing (not even a
        /// pong) arrived for `silenceTimeout` is cut.
        public var pingInterval: TimeAmount
        public var silenceTimeout: TimeAmount
        /// How often due dials are started.
        public var dialTick: TimeAmount
        /// Bytes per second to and from each peer (`send_rate`, `recv_rate`).
        public var sendRate: Int
        public var recvRate: Int
        public var channels: [ChannelDescriptor]

        public init(
            chainID: String, moniker: String, listenAddress: NetAddress, externalAddress: NetAddress? = nil,
            persistentPeers: [PeerAddress] = [], limits: PeerSet.Limits = .init(), backoff: DialBackoff = DialBackoff(),
            handshakeTimeout: TimeAmount = .seconds(20), dialTimeout: TimeAmount = .seconds(3),
            maxPacketPayloadSize: Int = NoiseTransport.maxPlaintextLength, pingInterval: TimeAmount = .seconds(10),
            silenceTimeout: TimeAmount = .seconds(30), dialTick: TimeAmount = .milliseconds(250), sendRate: Int = 5_120_000,
            recvRate: Int = 5_120_000, channels: [ChannelDescriptor] = ChannelDescriptor.all
        ) {
            self.sendRate = sendRate
            self.recvRate = recvRate
            self.chainID = chainID
            self.moniker = moniker
            self.listenAddress = listenAddress
            self.externalAddress = externalAddress
            self.persistentPeers = persistentPeers
            self.limits = limits
            self.backoff = backoff
            self.handshakeTimeout = handshakeTimeout
            self.dialTimeout = dialTimeout
            self.maxPacketPayloadSize = maxPacketPayloadSize
            self.pingInterval = pingInterval
            self.silenceTimeout = silenceTimeout
            self.dialTick = dialTick
            self.channels = channels
        }
    }

    /// Why an ad-hoc dial did not start.
    public struct DialRefused: Error, Sendable, CustomStringConvertible {
        public let refusal: PeerSet.Refusal
        public var description: String { "dial refused: \(refusal)" }
    }

    /// The listener could not bind (the port is taken, the address is not local).
    public struct ListenFailed: Error, Sendable, CustomStringConvertible {
        public let address: NetAddress
        public let reason: String
        public var description: String { "cannot listen for peers on tcp://\(address) (p2p.laddr): \(reason)" }
    }

    struct State {
        var peers: PeerSet
        var admitted: [NodeID: Peer] = [:]
        var open: [ObjectIdentifier: Peer] = [:]
        var reactors: [ChannelID: any Reactor] = [:]
        var nodeInfo: NodeInfo?
        var listening: NetAddress?
        var stopping = false
    }

    public let configuration: Configuration
    public let nodeID: NodeID
    private let signer: Signer
    private let noiseStaticKey: X25519PrivateKey
    private let group: any EventLoopGroup
    private let logger: Logger
    private let jitter: @Sendable () -> Double
    private let state: NIOLockedValueBox<State>
    private let bound: EventLoopPromise<NetAddress>
    private let onListening: @Sendable (NetAddress) -> Void

    /// - Parameters:
    ///   - nodeKey: the node's Ed25519 key (config/node_key.json); its id is the node id.
    ///   - jitter: draws the backoff jitter in [0, 1); tests pass a fixed one.
    ///   - onListening: called once the listener is bound (port 0 resolved).
    public init(
        configuration: Configuration, nodeKey: Signer, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "p2p"), jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        onListening: @escaping @Sendable (NetAddress) -> Void = { _ in }
    ) {
        self.onListening = onListening
        self.configuration = configuration
        signer = nodeKey
        nodeID = NodeID(publicKey: nodeKey.publicKey)
        noiseStaticKey = X25519PrivateKey()
        self.group = group
        self.logger = logger
        self.jitter = jitter
        state = NIOLockedValueBox(
            State(
                peers: PeerSet(
                    selfID: nodeID, limits: configuration.limits, backoff: configuration.backoff,
                    persistentPeers: configuration.persistentPeers)))
        bound = group.any().makePromise(of: NetAddress.self)
    }

    // MARK: Reactors and messages

    /// Routes `reactor.channels` to `reactor`. Register before `run`.
    public func register(_ reactor: any Reactor) {
        state.withLockedValue { s in for c in reactor.channels { s.reactors[c] = reactor } }
    }

    /// Sends to one admitted peer; false when it is not connected.
    @discardableResult
    public func send(_ payload: [UInt8], on channel: ChannelID, to id: NodeID) -> Bool {
        guard let peer = state.withLockedValue({ $0.admitted[id] }) else { return false }
        peer.send(Frame(channel: channel, payload: payload))
        return true
    }

    public func send(_ payload: [UInt8], on channel: ChannelID, to peer: Peer) {
        peer.send(Frame(channel: channel, payload: payload))
    }

    /// Sends to every admitted peer.
    public func broadcast(_ payload: [UInt8], on channel: ChannelID) {
        let frame = Frame(channel: channel, payload: payload)
        for peer in connectedPeers { peer.send(frame) }
    }

    /// The admitted peers now.
    public var connectedPeers: [Peer] { state.withLockedValue { Array($0.admitted.values) } }

    /// The admitted peers, sorted by id, for `net_info`.
    public var peerStatuses: [PeerStatus] {
        connectedPeers.compactMap { p in
            guard let id = p.id else { return nil }
            return PeerStatus(
                id: id, remoteAddress: p.remoteAddress, listenAddress: p.nodeInfo?.listenAddress ?? "", moniker: p.nodeInfo?.moniker ?? "",
                direction: p.direction, bytesSent: p.bytesSent, bytesReceived: p.bytesReceived)
        }.sorted { $0.id < $1.id }
    }

    /// For dialling beyond the persistent peers (peer exchange): how many more outbound
    /// connections may start now, and the ids connected or being dialled.
    public var outboundRoom: (free: Int, busy: Set<NodeID>) {
        state.withLockedValue { s in
            let p = s.peers
            return (max(0, p.limits.maxOutbound - p.outboundCount - p.dialing.count), Set(p.connected.keys).union(p.dialing))
        }
    }

    public func isBanned(_ id: NodeID) -> Bool { state.withLockedValue { $0.peers.isBanned(id, nowMs: Self.nowMs()) } }

    /// Ends a peer's connection and bans its id (a reactor saw it break its protocol).
    public func disconnect(_ peer: Peer, banningFor reason: String) { peer.close(reason: reason, banned: true) }

    /// Disconnects a peer without a ban (it may come back): logged once with the reason.
    public func disconnect(_ peer: Peer, reason: String) { peer.close(reason: reason, banned: false) }

    /// The address the listener bound (port 0 resolved), once `run` has bound it.
    public func listeningAddress() async throws -> NetAddress { try await bound.futureResult.get() }

    /// What peers are told to dial: `external_address`, or the bound listen address.
    public var advertisedAddress: String? { state.withLockedValue { $0.nodeInfo?.listenAddress } }

    // MARK: Service

    public func run() async throws {
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture { try self.setUpInbound(channel) }
                }
                .bind(host: configuration.listenAddress.host, port: configuration.listenAddress.port).get()
        } catch {
            let failure = ListenFailed(address: configuration.listenAddress, reason: "\(error)")
            bound.fail(failure)
            throw failure
        }
        let port = server.localAddress?.port ?? configuration.listenAddress.port
        let listening = NetAddress(host: configuration.listenAddress.host, port: port)
        let advertised = configuration.externalAddress ?? listening
        let info = NodeInfo(
            chainID: configuration.chainID, nodeID: nodeID, listenAddress: "tcp://\(advertised)", moniker: configuration.moniker,
            channels: configuration.channels.map(\.id))
        guard let info else {
            server.close(promise: nil)
            struct InvalidNodeInfo: Error, CustomStringConvertible {
                var description: String { "the moniker or listen address is too long or holds a control character" }
            }
            bound.fail(InvalidNodeInfo())
            throw InvalidNodeInfo()
        }
        let selfEntries = state.withLockedValue {
            $0.nodeInfo = info
            $0.listening = listening
            return $0.peers.selfEntries
        }
        bound.succeed(listening)
        onListening(listening)
        logger.info("P2P listening", metadata: ["address": "tcp://\(listening)", "node_id": "\(nodeID)"])
        for e in selfEntries {
            logger.warning("persistent peer with this node's own id is skipped (self-dial)", metadata: ["peer": "\(e)"])
        }
        do {
            try await cancelWhenGracefulShutdown { try await self.dialLoop() }
        } catch is CancellationError {
        } catch {
            await stop(server)
            throw error
        }
        await stop(server)
    }

    private func stop(_ server: any Channel) async {
        let open = state.withLockedValue {
            $0.stopping = true
            return Array($0.open.values)
        }
        try? await server.close()
        for peer in open { peer.close(reason: "the node is shutting down") }
        for peer in open { try? await peer.channel.closeFuture.get() }
        state.withLockedValue { $0.reactors = [:] }  // reactors hold the switch: break the cycle
    }

    private func dialLoop() async throws {
        while !Task.isCancelled {
            let due = state.withLockedValue { $0.stopping ? [] : $0.peers.dialsDue(nowMs: Self.nowMs()) }
            for address in due { connect(address) }
            try await Task.sleep(nanoseconds: UInt64(max(configuration.dialTick.nanoseconds, 1_000_000)))
        }
    }

    /// Dials a peer once (outside the persistent list), through the same admission rules.
    public func dial(_ address: PeerAddress) throws(DialRefused) {
        if let refusal = state.withLockedValue({ $0.peers.beginDial(address.id, nowMs: Self.nowMs()) }) {
            throw DialRefused(refusal: refusal)
        }
        connect(address)
    }

    private func connect(_ address: PeerAddress) {
        logger.debug("dialling peer", metadata: ["peer": "\(address)"])
        ClientBootstrap(group: group)
            .connectTimeout(configuration.dialTimeout)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.setUp(channel, direction: .outbound, expecting: address.id, dialled: address.address)
                }
            }
            .connect(host: address.address.host, port: address.address.port)
            .whenFailure { [self] error in
                state.withLockedValue { $0.peers.dialFailed(address.id, nowMs: Self.nowMs(), jitter: jitter()) }
                logger.info("dial failed", metadata: ["peer": "\(address)", "reason": "\(error)"])
            }
    }

    // MARK: Connections

    private struct Refused: Error {}

    private func setUpInbound(_ channel: any Channel) throws {
        let refusal: PeerSet.Refusal? = state.withLockedValue {
            if $0.stopping || $0.nodeInfo == nil { return .inboundFull(max: 0) }
            return $0.peers.acceptInbound()
        }
        if let refusal {
            // Debug, not info: a connection flood past the cap must not become a log flood.
            logger.debug(
                "inbound connection refused",
                metadata: ["remote": "\(channel.remoteAddress.map(Peer.format) ?? "?")", "reason": "\(refusal)"])
            throw Refused()
        }
        try setUp(channel, direction: .inbound, expecting: nil, dialled: nil)
    }

    private func setUp(_ channel: any Channel, direction: PeerSet.Direction, expecting: NodeID?, dialled: NetAddress?) throws {
        guard let info = state.withLockedValue({ $0.nodeInfo }) else { throw Refused() }
        let peer = Peer(channel: channel, direction: direction, expectedID: expecting, dialled: dialled)
        let handler = PeerHandler(
            owner: self, peer: peer,
            timing: .init(
                pingInterval: configuration.pingInterval, silenceTimeout: configuration.silenceTimeout, sendRate: configuration.sendRate),
            channels: configuration.channels)
        peer.attach(NIOLoopBound(handler, eventLoop: channel.eventLoop))
        let connection = PeerConnectionHandler(
            role: expecting.map { .dialer(expecting: $0) } ?? .listener,
            configuration: .init(
                signer: signer, noiseStaticKey: noiseStaticKey, nodeInfo: info, channels: configuration.channels,
                handshakeTimeout: configuration.handshakeTimeout, maxPacketPayloadSize: configuration.maxPacketPayloadSize))
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(TrafficCounter(peer: peer))
        try sync.addHandler(ReceiveThrottle(bytesPerSecond: configuration.recvRate))
        try sync.addHandler(connection)
        try sync.addHandler(handler)
    }

    /// The socket is connected. (A dial that never connects never gets here, so it leaves
    /// nothing behind in `open`.)
    func opened(_ peer: Peer) {
        let stopping = state.withLockedValue { s in
            if !s.stopping { s.open[ObjectIdentifier(peer)] = peer }
            return s.stopping
        }
        if stopping { peer.close(reason: "the node is shutting down") }
    }

    /// Called by the peer's handler once authenticated: nil when admitted.
    func admit(_ peer: Peer) -> PeerSet.Refusal? {
        guard let id = peer.id else { return .selfConnection }
        let (admission, loser): (PeerSet.Admission, Peer?) = state.withLockedValue { s in
            if s.stopping { return (.refused(.inboundFull(max: 0)), nil) }
            let a = s.peers.admit(id, direction: peer.direction, nowMs: Self.nowMs())
            switch a {
            case .accepted:
                s.admitted[id] = peer
                return (a, nil)
            case .replacing:
                let old = s.admitted[id]
                s.admitted[id] = peer
                return (a, old)
            case .refused:
                return (a, nil)
            }
        }
        switch admission {
        case .accepted, .replacing:
            loser?.close(reason: "simultaneous dial: keeping the \(peer.direction) connection (the one dialled by the smaller node id)")
            return nil
        case .refused(let refusal):
            return refusal
        }
    }

    func added(_ peer: Peer) {
        logger.info(
            "peer connected", metadata: ["peer": "\(peer)", "direction": "\(peer.direction)", "moniker": "\(peer.nodeInfo?.moniker ?? "")"])
        let reactors = state.withLockedValue { s in Self.unique(s.reactors.values) }
        for r in reactors { r.peerAdded(peer) }
    }

    func deliver(_ frame: Frame, from peer: Peer) {
        guard let reactor = state.withLockedValue({ $0.reactors[frame.channel] }) else { return }
        reactor.receive(frame.payload, on: frame.channel, from: peer)
    }

    func ban(_ peer: Peer) {
        guard let id = peer.id else { return }
        state.withLockedValue { $0.peers.ban(id, nowMs: Self.nowMs()) }
    }

    /// A fault the path could have caused; true when it bans the peer (strikes repeated).
    func strike(_ peer: Peer) -> Bool {
        guard let id = peer.id else { return false }
        return state.withLockedValue { $0.peers.strike(id, nowMs: Self.nowMs()) }
    }

    /// The connection closed: one log line with the reason, and the bookkeeping.
    func closed(_ peer: Peer, admitted: Bool, authenticated: Bool, reason: String, banned: Bool) {
        let reactors: [any Reactor] = state.withLockedValue { s in
            s.open[ObjectIdentifier(peer)] = nil
            let now = Self.nowMs()
            if admitted, let id = peer.id {
                s.peers.removed(id, direction: peer.direction, nowMs: now, jitter: jitter())
                // A connection that lost a tie-break leaves its id connected: reactors hear
                // nothing (they know peers by id).
                guard s.admitted[id] === peer else { return [] }
                s.admitted[id] = nil
                return Self.unique(s.reactors.values)
            }
            switch peer.direction {
            case .inbound where !authenticated: s.peers.inboundClosedBeforeAdmission()
            case .inbound: break
            case .outbound:
                if let id = peer.expectedID { s.peers.dialFailed(id, nowMs: now, jitter: jitter()) }
            }
            return []
        }
        var metadata: Logger.Metadata = ["peer": "\(peer)", "direction": "\(peer.direction)", "reason": "\(reason)"]
        if banned { metadata["banned_for_s"] = "\(configuration.limits.banDurationMs / 1000)" }
        if banned {
            logger.warning("peer disconnected for a protocol violation and banned", metadata: metadata)
        } else {
            logger.info(admitted ? "peer disconnected" : "connection closed before admission", metadata: metadata)
        }
        for r in reactors { r.peerRemoved(peer) }
    }

    private static func unique(_ reactors: some Sequence<any Reactor>) -> [any Reactor] {
        var seen: Set<ObjectIdentifier> = []
        return reactors.filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    static func nowMs() -> UInt64 { NIODeadline.now().uptimeNanoseconds / 1_000_000 }
}
