import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import WaggleCore
import WaggleCrypto
import WaggleP2P
import WaggleP2PNIO
import WaggleSwitch
import WaggleTesting

let chainID = "waggle-switch-test"

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// A switch on 127.0.0.1 with short timers, running in a task.
final class RunningSwitch: Sendable {
    let sw: PeerSwitch
    let task: Task<Void, any Error>
    let address: NetAddress

    var id: NodeID { sw.nodeID }
    var peerAddress: PeerAddress { PeerAddress(id: id, address: address) }
    var peerIDs: Set<NodeID> { Set(sw.connectedPeers.compactMap(\.id)) }

    private init(sw: PeerSwitch, task: Task<Void, any Error>, address: NetAddress) {
        self.sw = sw
        self.task = task
        self.address = address
    }

    static func start(
        _ key: Int, persistent: [PeerAddress] = [], limits: PeerSet.Limits = .init(), pingInterval: TimeAmount = .seconds(5),
        silenceTimeout: TimeAmount = .seconds(15), handshakeTimeout: TimeAmount = .seconds(5), sendRate: Int = 5_120_000,
        recvRate: Int = 5_120_000, reactors: [any Reactor] = [],
        configure: (PeerSwitch) -> Void = { _ in }
    ) async throws -> RunningSwitch {
        let sw = PeerSwitch(
            configuration: .init(
                chainID: chainID, moniker: "switch-\(key)", listenAddress: NetAddress(host: "127.0.0.1", port: 0),
                persistentPeers: persistent, limits: limits, backoff: DialBackoff(initialMs: 100, maxMs: 400),
                handshakeTimeout: handshakeTimeout, dialTimeout: .seconds(2), pingInterval: pingInterval, silenceTimeout: silenceTimeout,
                dialTick: .milliseconds(50), sendRate: sendRate, recvRate: recvRate),
            nodeKey: TestKeys.signer(key), jitter: { 0.5 })
        for r in reactors { sw.register(r) }
        configure(sw)
        let task = Task { try await sw.run() }
        let address = try await sw.listeningAddress()
        return RunningSwitch(sw: sw, task: task, address: address)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Records messages on one channel.
final class RecordingReactor: Reactor {
    let channels: [ChannelID]
    private let received = NIOLockedValueBox<[(NodeID, [UInt8])]>([])

    init(_ channel: ChannelID) { channels = [channel] }

    var messages: [(NodeID, [UInt8])] { received.withLockedValue { $0 } }

    func receive(_ payload: [UInt8], on channel: ChannelID, from peer: Peer) {
        guard let id = peer.id else { return }
        received.withLockedValue { $0.append((id, payload)) }
    }
}

/// Passes writes through; a test writes raw bytes from its context, below the Noise layer.
final class RawInjector: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
}

/// A bare peer built from `PeerConnectionHandler`, to misbehave in ways a switch never would.
final class TestDialer: ChannelInboundHandler, Sendable {
    typealias InboundIn = Frame
    typealias OutboundOut = Frame

    let established: EventLoopPromise<NodeID>
    let closed: EventLoopPromise<Void>
    let answerPings: Bool
    let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)

    private init(loop: any EventLoop, answerPings: Bool) {
        established = loop.makePromise()
        closed = loop.makePromise()
        self.answerPings = answerPings
    }

    static func connect(
        key: Int, to target: RunningSwitch, answerPings: Bool = true, channels: [ChannelDescriptor] = ChannelDescriptor.all,
        chainID: String = chainID
    ) async throws -> TestDialer {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let dialer = TestDialer(loop: loop, answerPings: answerPings)
        let signer = TestKeys.signer(key)
        guard
            let info = NodeInfo(
                chainID: chainID, nodeID: NodeID(publicKey: signer.publicKey), listenAddress: "tcp://127.0.0.1:1", moniker: "raw",
                channels: ChannelDescriptor.all.map(\.id))
        else { throw CancellationError() }
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(RawInjector())
                    try sync.addHandler(
                        PeerConnectionHandler(
                            role: .dialer(expecting: target.id),
                            configuration: .init(signer: signer, noiseStaticKey: X25519PrivateKey(), nodeInfo: info, channels: channels)))
                    try sync.addHandler(dialer)
                }
            }
            .connect(host: target.address.host, port: target.address.port).get()
        dialer.channel.withLockedValue { $0 = channel }
        return dialer
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? PeerConnectionEvent, case .established(let id, _) = event { established.succeed(id) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if answerPings, frame.channel == .control, let m = try? ControlMessage(canonicalBytes: frame.payload), let reply = m.reply {
            context.writeAndFlush(wrapOutboundOut(Frame(channel: .control, payload: reply.canonicalBytes)), promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        struct Closed: Error {}
        established.fail(Closed())
        closed.succeed()
    }

    var isOpen: Bool { channel.withLockedValue { $0?.isActive ?? false } }

    /// Whether the other side closed the connection within `seconds`.
    func closedWithin(_ seconds: Double) async -> Bool { await eventually(seconds) { !isOpen } }

    /// Writes bytes straight to the socket, under the encryption.
    func writeRaw(_ bytes: [UInt8]) async throws {
        guard let channel = channel.withLockedValue({ $0 }) else { return }
        try await channel.eventLoop.submit {
            let context = try channel.pipeline.syncOperations.context(handlerType: RawInjector.self)
            context.writeAndFlush(NIOAny(channel.allocator.buffer(bytes: bytes)), promise: nil)
        }.get()
    }

    func close() async { try? await channel.withLockedValue({ $0 })?.close() }
}

@Suite(.serialized) struct SwitchTests {
    @Test func threeSwitchesConnectThroughPersistentPeersAndReactorsExchangeMessages() async throws {
        let ra = RecordingReactor(.mempool), rb = RecordingReactor(.mempool), rc = RecordingReactor(.mempool)
        let a = try await RunningSwitch.start(1, reactors: [ra])
        let b = try await RunningSwitch.start(2, persistent: [a.peerAddress], reactors: [rb])
        let c = try await RunningSwitch.start(3, persistent: [a.peerAddress, b.peerAddress], reactors: [rc])
        #expect(await eventually { a.peerIDs == [b.id, c.id] && b.peerIDs == [a.id, c.id] && c.peerIDs == [a.id, b.id] })
        a.sw.broadcast([1, 2, 3], on: .mempool)
        #expect(b.sw.send([9], on: .mempool, to: c.id))
        #expect(await eventually { rb.messages.count == 1 && rc.messages.count == 2 })
        #expect(rb.messages.first?.0 == a.id && rb.messages.first?.1 == [1, 2, 3])
        #expect(Set(rc.messages.map(\.0)) == [a.id, b.id])
        #expect(ra.messages.isEmpty)
        let statuses = a.sw.peerStatuses
        #expect(statuses.map(\.id) == [b.id, c.id].sorted() && statuses.allSatisfy { $0.direction == .inbound })
        #expect(statuses.allSatisfy { $0.bytesSent > 0 && $0.bytesReceived > 0 })
        #expect(Set(statuses.map(\.moniker)) == ["switch-2", "switch-3"])
        // When a peer stops, the others drop it.
        await a.stop()
        #expect(await eventually { !b.peerIDs.contains(a.id) && !c.peerIDs.contains(a.id) })
        await b.stop()
        await c.stop()
    }

    @Test func simultaneousDialsLeaveOneConnectionTheOneDialledByTheSmallerID() async throws {
        for _ in 0..<5 {
            let a = try await RunningSwitch.start(1)
            let b = try await RunningSwitch.start(2)
            try a.sw.dial(b.peerAddress)
            try b.sw.dial(a.peerAddress)
            #expect(await eventually { a.peerIDs == [b.id] && b.peerIDs == [a.id] })
            try await Task.sleep(for: .milliseconds(200))
            let smaller = a.id < b.id ? a : b, larger = a.id < b.id ? b : a
            #expect(smaller.sw.peerStatuses.map(\.direction) == [.outbound])
            #expect(larger.sw.peerStatuses.map(\.direction) == [.inbound])
            await a.stop()
            await b.stop()
        }
    }

    @Test func inboundCapRefusesConnectionsPastMaxInbound() async throws {
        let a = try await RunningSwitch.start(1, limits: .init(maxInbound: 2, maxOutbound: 10))
        var others: [RunningSwitch] = []
        for key in 2...5 { others.append(try await RunningSwitch.start(key, persistent: [a.peerAddress])) }
        #expect(await eventually { a.peerIDs.count == 2 })
        try await Task.sleep(for: .milliseconds(800))  // the refused ones keep redialling, and keep being refused
        #expect(a.peerIDs.count == 2)
        #expect(others.filter { $0.peerIDs.contains(a.id) }.count == 2)
        for o in others { await o.stop() }
        await a.stop()
    }

    @Test func garbageBeforeTheHandshakeIsCutAndTheSwitchKeepsServing() async throws {
        let a = try await RunningSwitch.start(1)
        let closed = NIOLockedValueBox(false)
        final class CloseWatcher: ChannelInboundHandler, Sendable {
            typealias InboundIn = ByteBuffer
            let flag: NIOLockedValueBox<Bool>
            init(_ flag: NIOLockedValueBox<Bool>) { self.flag = flag }
            func channelInactive(context: ChannelHandlerContext) { flag.withLockedValue { $0 = true } }
        }
        let raw = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(CloseWatcher(closed)) }
            }
            .connect(host: "127.0.0.1", port: a.address.port).get()
        var garbage = SplitMix64(seed: 7)
        try await raw.writeAndFlush(
            raw.allocator.buffer(bytes: [0x00, 0x40] + (0..<64).map { _ in UInt8(truncatingIfNeeded: garbage.next()) }))
        #expect(await eventually(5) { closed.withLockedValue { $0 } })
        let b = try await RunningSwitch.start(2, persistent: [a.peerAddress])
        #expect(await eventually { a.peerIDs == [b.id] })
        await b.stop()
        await a.stop()
    }

    @Test func bytesFailingTheAEADTagCutThePeerAndBanItOnlyOnTheThirdTime() async throws {
        let a = try await RunningSwitch.start(1)
        // A well-formed length prefix around bytes that fail the AEAD tag: anyone on the path
        // could inject them, so the first two only cut the connection.
        for attempt in 1...3 {
            let bad = try await TestDialer.connect(key: 7, to: a)
            #expect(try await bad.established.futureResult.get() == a.id)
            #expect(await eventually { a.peerIDs == [TestKeys.nodeID(7)] })
            try await bad.writeRaw([0x00, 0x30] + [UInt8](repeating: 0xAB, count: 48))
            #expect(await bad.closedWithin(5))
            #expect(await eventually { a.peerIDs.isEmpty })
            #expect(a.sw.isBanned(TestKeys.nodeID(7)) == (attempt == 3), "attempt \(attempt)")
        }
        // The banned id comes back: it gets through the handshake and is refused at admission.
        let again = try await TestDialer.connect(key: 7, to: a)
        #expect(await again.closedWithin(5))
        #expect(a.peerIDs.isEmpty)
        await a.stop()
    }

    @Test func anOversizedMessageFromAnAuthenticatedPeerIsCutAndBanned() async throws {
        let a = try await RunningSwitch.start(1)
        // This peer believes the control channel takes 4 KiB; the switch's limit is 64 bytes.
        let wide = ChannelDescriptor.all.map {
            $0.id == .control ? ChannelDescriptor(id: .control, priority: 10, maxMessageSize: 4096, sendQueueCapacity: 16) : $0
        }
        let bad = try await TestDialer.connect(key: 6, to: a, channels: wide)
        _ = try await bad.established.futureResult.get()
        #expect(await eventually { a.peerIDs.count == 1 })
        guard let channel = bad.channel.withLockedValue({ $0 }) else { return }
        try await channel.writeAndFlush(Frame(channel: .control, payload: [UInt8](repeating: 1, count: 1000)))
        #expect(await bad.closedWithin(5))
        #expect(await eventually { a.sw.isBanned(TestKeys.nodeID(6)) && a.peerIDs.isEmpty })
        await a.stop()
    }

    @Test func aPeerOfAnotherChainIsRefusedWithoutABan() async throws {
        let a = try await RunningSwitch.start(1)
        let stranger = try await TestDialer.connect(key: 12, to: a, chainID: "another-chain")
        #expect(await stranger.closedWithin(5))
        #expect(a.peerIDs.isEmpty && !a.sw.isBanned(TestKeys.nodeID(12)))
        let b = try await RunningSwitch.start(2, persistent: [a.peerAddress])
        #expect(await eventually { a.peerIDs == [b.id] })
        await b.stop()
        await a.stop()
    }

    @Test func aSilentSocketHoldsAnInboundSlotOnlyUntilTheHandshakeTimeout() async throws {
        let a = try await RunningSwitch.start(1, limits: .init(maxInbound: 1, maxOutbound: 10), handshakeTimeout: .milliseconds(500))
        let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: a.address.port).get()
        let b = try await RunningSwitch.start(2, persistent: [a.peerAddress])
        try await Task.sleep(for: .milliseconds(200))
        #expect(a.peerIDs.isEmpty, "the silent socket holds the only inbound slot")
        #expect(await eventually { a.peerIDs == [b.id] }, "after the timeout the slot is free again")
        #expect(await eventually { !silent.isActive })
        await b.stop()
        await a.stop()
    }

    @Test func aSecondConnectionForOneIDIsClosedAndTheFirstStays() async throws {
        let a = try await RunningSwitch.start(1)
        let first = try await TestDialer.connect(key: 8, to: a)
        _ = try await first.established.futureResult.get()
        #expect(await eventually { a.peerIDs.count == 1 })
        let second = try await TestDialer.connect(key: 8, to: a)
        #expect(await second.closedWithin(5))
        try await Task.sleep(for: .milliseconds(200))
        #expect(first.isOpen)
        #expect(a.peerIDs.count == 1)
        await first.close()
        await a.stop()
    }

    @Test func selfDialIsRefused() async throws {
        let a = try await RunningSwitch.start(1)
        #expect(throws: PeerSwitch.DialRefused.self) { try a.sw.dial(a.peerAddress) }
        // A connection that authenticates with this node's own key is refused too.
        let me = try await TestDialer.connect(key: 1, to: a)
        #expect(await me.closedWithin(5))
        #expect(a.peerIDs.isEmpty)
        // And a persistent peer with the node's own id is never dialled.
        let b = try await RunningSwitch.start(2, persistent: [PeerAddress(id: TestKeys.nodeID(2), address: a.address)])
        try await Task.sleep(for: .milliseconds(300))
        #expect(a.peerIDs.isEmpty && b.peerIDs.isEmpty)
        await b.stop()
        await a.stop()
    }

    @Test func aPeerThatStopsReadingIsDisconnectedWhenItsSendQueueFills() async throws {
        let a = try await RunningSwitch.start(1)
        let slow = try await TestDialer.connect(key: 11, to: a)
        _ = try await slow.established.futureResult.get()
        #expect(await eventually { a.peerIDs.count == 1 })
        guard let channel = slow.channel.withLockedValue({ $0 }) else { return }
        try await channel.setOption(ChannelOptions.autoRead, value: false).get()
        let block = [UInt8](repeating: 7, count: 1 << 20)
        // block_sync queues 64 messages; the socket buffers take a few more.
        for _ in 0..<200 { a.sw.broadcast(block, on: .blockSync) }
        #expect(await eventually { a.peerIDs.isEmpty })
        #expect(!a.sw.isBanned(TestKeys.nodeID(11)), "slow is not malicious: no ban")
        await slow.close()
        await a.stop()
    }

    /// `count` 100 KB messages from one switch to another, with the given limits.
    static func timeToDeliver(_ count: Int, senderSendRate: Int, receiverRecvRate: Int) async throws -> Duration {
        let recorder = RecordingReactor(.blockSync)
        let receiver = try await RunningSwitch.start(1, recvRate: receiverRecvRate, reactors: [recorder])
        let sender = try await RunningSwitch.start(2, persistent: [receiver.peerAddress], sendRate: senderSendRate)
        #expect(await eventually { sender.peerIDs == [receiver.id] && receiver.peerIDs == [sender.id] })
        let start = ContinuousClock.now
        for i in 0..<count { sender.sw.send([UInt8](repeating: UInt8(i), count: 100_000), on: .blockSync, to: receiver.id) }
        #expect(await eventually(20) { recorder.messages.count == count })
        let elapsed = ContinuousClock.now - start
        #expect(recorder.messages.map { $0.1.first } == (0..<count).map { UInt8($0) }, "in order")
        await sender.stop()
        await receiver.stop()
        return elapsed
    }

    /// 500 KB through 100 KB/s: one second's allowance plus one NIO read loop (up to 4 × 64 KiB)
    /// may pass at once; the rest waits, at least 1.4 s.
    @Test func recvRateSlowsAFastSender() async throws {
        let elapsed = try await Self.timeToDeliver(5, senderSendRate: 100_000_000, receiverRecvRate: 100_000)
        #expect(elapsed > .milliseconds(1_200), "\(elapsed)")
    }

    /// Three 100 KB messages through 100 KB/s: the first two go on the initial allowance (the
    /// second as debt), the third waits the debt out, about 1 s.
    @Test func sendRateSpacesOutgoingMessages() async throws {
        let elapsed = try await Self.timeToDeliver(3, senderSendRate: 100_000, receiverRecvRate: 100_000_000)
        #expect(elapsed > .milliseconds(900), "\(elapsed)")
        let unthrottled = try await Self.timeToDeliver(3, senderSendRate: 100_000_000, receiverRecvRate: 100_000_000)
        #expect(unthrottled < elapsed)
    }

    @Test func aPeerThatNeverAnswersPingsIsCut() async throws {
        let a = try await RunningSwitch.start(1, pingInterval: .milliseconds(100), silenceTimeout: .milliseconds(400))
        let silent = try await TestDialer.connect(key: 9, to: a, answerPings: false)
        _ = try await silent.established.futureResult.get()
        #expect(await silent.closedWithin(5))
        let polite = try await TestDialer.connect(key: 10, to: a, answerPings: true)
        _ = try await polite.established.futureResult.get()
        try await Task.sleep(for: .milliseconds(900))
        #expect(polite.isOpen, "a peer that answers pings stays")
        await polite.close()
        await a.stop()
    }
}

extension TestKeys {
    static func nodeID(_ i: Int) -> NodeID { NodeID(publicKey: signer(i).publicKey) }
}
