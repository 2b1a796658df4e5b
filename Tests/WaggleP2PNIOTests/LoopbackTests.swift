import NIOCore
import NIOPosix
import Testing
import WaggleCore
import WaggleCrypto
import WaggleP2P
import WaggleP2PNIO
import WaggleTesting

/// What a test waits for on one side of a connection.
private struct PeerOutcome: Sendable {
    let established: EventLoopPromise<NodeID>
    let frames: EventLoopPromise<[Frame]>
    let closed: EventLoopPromise<String>
    let expectedFrames: Int

    init(eventLoop: EventLoop, expectedFrames: Int) {
        established = eventLoop.makePromise()
        frames = eventLoop.makePromise()
        closed = eventLoop.makePromise()
        self.expectedFrames = expectedFrames
    }
}

/// Records what reaches the top of a peer pipeline, and answers pings like a node would.
private final class PeerRecorder: ChannelInboundHandler {
    typealias InboundIn = Frame

    let outcome: PeerOutcome
    private var received: [Frame] = []
    private var lastError = "closed without an error"

    init(_ outcome: PeerOutcome) { self.outcome = outcome }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? PeerConnectionEvent, case .established(let id, _) = event {
            outcome.established.succeed(id)
            if outcome.expectedFrames == 0 { outcome.frames.succeed([]) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        received.append(frame)
        if frame.channel == .control, let message = try? ControlMessage(canonicalBytes: frame.payload), let reply = message.reply {
            context.writeAndFlush(NIOAny(Frame(channel: .control, payload: reply.canonicalBytes)), promise: nil)
        }
        if received.count == outcome.expectedFrames { outcome.frames.succeed(received) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        lastError = "\(error)"
    }

    func channelInactive(context: ChannelHandlerContext) {
        struct Closed: Error {}
        outcome.established.fail(Closed())
        outcome.frames.fail(Closed())
        outcome.closed.succeed(lastError)
    }
}

private struct Node {
    let signer: Signer
    let noiseStatic: X25519PrivateKey
    var nodeID: NodeID { NodeID(publicKey: signer.publicKey) }

    init(_ index: Int) {
        signer = TestKeys.signer(index)
        noiseStatic = X25519PrivateKey()
    }

    func configuration(chainID: String = "waggle-loopback", handshakeTimeout: TimeAmount = .seconds(20))
        -> PeerConnectionHandler.Configuration
    {
        guard
            let info = NodeInfo(
                chainID: chainID, nodeID: nodeID, listenAddress: "tcp://127.0.0.1:0", moniker: "node",
                channels: ChannelDescriptor.all.map(\.id))
        else { fatalError("valid node info") }
        return .init(signer: signer, noiseStaticKey: noiseStatic, nodeInfo: info, handshakeTimeout: handshakeTimeout)
    }
}

/// A listener and a dialer on loopback, each with a `PeerRecorder` on top.
private struct Loopback {
    let group: MultiThreadedEventLoopGroup
    let server: Channel
    let client: Channel
    let listenerRecorder: PeerOutcome
    let dialerRecorder: PeerOutcome

    static func start(
        listener: PeerConnectionHandler.Configuration, dialer: PeerConnectionHandler.Configuration, expecting: NodeID,
        listenerExpects: Int = 0, dialerExpects: Int = 0
    ) async throws -> Loopback {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let listenerRecorder = PeerOutcome(eventLoop: loop, expectedFrames: listenerExpects)
        let dialerRecorder = PeerOutcome(eventLoop: loop, expectedFrames: dialerExpects)
        let server = try await ServerBootstrap(group: loop)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PeerConnectionHandler(role: .listener, configuration: listener))
                    try channel.pipeline.syncOperations.addHandler(PeerRecorder(listenerRecorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let client = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        PeerConnectionHandler(role: .dialer(expecting: expecting), configuration: dialer))
                    try channel.pipeline.syncOperations.addHandler(PeerRecorder(dialerRecorder))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return Loopback(
            group: group, server: server, client: client, listenerRecorder: listenerRecorder, dialerRecorder: dialerRecorder)
    }

    func stop() async throws {
        try? await client.close()
        try? await server.close()
        try await group.shutdownGracefully()
    }
}

@Suite struct LoopbackTests {
    @Test func twoEndpointsAuthenticateThenExchangeFramesIncludingOneSpanningSeveralTransportMessages() async throws {
        let alice = Node(1), bob = Node(2)
        let big = Frame(channel: .blockSync, payload: (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let sentToBob = [
            Frame(channel: .control, payload: ControlMessage.ping(42).canonicalBytes),
            big,
            Frame(channel: .mempool, payload: [1, 2, 3]),
        ]
        let net = try await Loopback.start(
            listener: bob.configuration(), dialer: alice.configuration(), expecting: bob.nodeID,
            listenerExpects: sentToBob.count, dialerExpects: 1)
        #expect(try await net.dialerRecorder.established.futureResult.get() == bob.nodeID)
        #expect(try await net.listenerRecorder.established.futureResult.get() == alice.nodeID)
        for frame in sentToBob {
            try await net.client.writeAndFlush(frame)
        }
        #expect(try await net.listenerRecorder.frames.futureResult.get() == sentToBob)
        // Bob's recorder answered the ping through Bob's handler.
        #expect(
            try await net.dialerRecorder.frames.futureResult.get() == [
                Frame(channel: .control, payload: ControlMessage.pong(42).canonicalBytes)
            ])
        try await net.stop()
    }

    @Test func dialerHangsUpOnAPeerWithAnotherID() async throws {
        let alice = Node(1), bob = Node(2), carol = Node(3)
        let net = try await Loopback.start(listener: bob.configuration(), dialer: alice.configuration(), expecting: carol.nodeID)
        let reason = try await net.dialerRecorder.closed.futureResult.get()
        #expect(reason.contains("dialled node \(carol.nodeID)"), "\(reason)")
        await #expect(throws: (any Error).self) { try await net.listenerRecorder.established.futureResult.get() }
        try await net.stop()
    }

    @Test func aWrongChainIDEndsTheConnectionOnBothSidesWithTheReason() async throws {
        let alice = Node(1), bob = Node(2)
        let net = try await Loopback.start(
            listener: bob.configuration(chainID: "other-chain"), dialer: alice.configuration(), expecting: bob.nodeID)
        let dialerReason = try await net.dialerRecorder.closed.futureResult.get()
        let listenerReason = try await net.listenerRecorder.closed.futureResult.get()
        #expect(dialerReason.contains("different chain") && dialerReason.contains("other-chain"), "\(dialerReason)")
        #expect(listenerReason.contains("different chain") && listenerReason.contains("waggle-loopback"), "\(listenerReason)")
        try await net.stop()
    }

    /// A listener for raw sockets: returns what ends its first connection.
    private func rawConnection(
        to configuration: PeerConnectionHandler.Configuration, sending bytes: [UInt8]
    ) async throws -> String {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let recorder = PeerOutcome(eventLoop: loop, expectedFrames: 0)
        let server = try await ServerBootstrap(group: loop)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PeerConnectionHandler(role: .listener, configuration: configuration))
                    try channel.pipeline.syncOperations.addHandler(PeerRecorder(recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let raw = try await ClientBootstrap(group: loop).connect(host: "127.0.0.1", port: port).get()
        if !bytes.isEmpty {
            var buffer = raw.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            try await raw.writeAndFlush(buffer)
        }
        let reason = try await recorder.closed.futureResult.get()
        try? await raw.close()
        try? await server.close()
        try await group.shutdownGracefully()
        return reason
    }

    @Test func garbageFromARawSocketEndsTheConnection() async throws {
        // A well-framed first message whose ephemeral is the all-zero (small-order) point.
        let zeroEphemeral = try await rawConnection(to: Node(2).configuration(), sending: [0x00, 0x20] + [UInt8](repeating: 0, count: 32))
        #expect(zeroEphemeral.contains("handshake failed"), "\(zeroEphemeral)")
        // A length prefix below any Noise message.
        let tiny = try await rawConnection(to: Node(2).configuration(), sending: [0x00, 0x01, 0xff])
        #expect(tiny.contains("framing violated"), "\(tiny)")
        // A first message of the wrong length.
        let long = try await rawConnection(to: Node(2).configuration(), sending: [0x00, 0x40] + [UInt8](repeating: 7, count: 64))
        #expect(long.contains("handshake failed"), "\(long)")
    }

    @Test func aSilentPeerIsCutAtTheHandshakeTimeout() async throws {
        let reason = try await rawConnection(to: Node(2).configuration(handshakeTimeout: .milliseconds(100)), sending: [])
        #expect(reason.contains("timed out"), "\(reason)")
    }

}
