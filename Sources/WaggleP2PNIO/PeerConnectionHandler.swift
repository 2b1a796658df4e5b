import NIOCore
import WaggleCore
import WaggleCrypto
import WaggleP2P

/// One peer connection in a NIO pipeline: bytes from the socket in, `Frame`s out; `Frame`s in,
/// encrypted bytes to the socket out. It drives the pure pieces in order: the Noise length prefix
/// (`NoiseMessageDecoder`), the authenticated handshake (`PeerHandshake`), the node-info exchange
/// (first transport message each way), then frames (`FrameEncoder`/`FrameDecoder`) inside
/// transport messages. Any violation fires `PeerConnectionError` and closes the channel.
///
/// The handshake and node-info exchange must finish within `handshakeTimeout` of the channel
/// becoming active, or the connection is cut.
///
/// Not here yet: send queues per channel, rate limits, ping scheduling and the silent-peer timeout.
public final class PeerConnectionHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = Frame
    public typealias OutboundIn = Frame
    public typealias OutboundOut = ByteBuffer

    public struct Configuration: Sendable {
        public var signer: Signer
        public var noiseStaticKey: X25519PrivateKey
        public var nodeInfo: NodeInfo
        public var channels: [ChannelDescriptor]
        public var prologue: [UInt8]
        /// CometBFT's `handshake_timeout` default.
        public var handshakeTimeout: TimeAmount
        /// The largest plaintext per transport message when cutting frames
        /// (`max_packet_msg_payload_size`).
        public var maxPacketPayloadSize: Int

        public init(
            signer: Signer, noiseStaticKey: X25519PrivateKey, nodeInfo: NodeInfo,
            channels: [ChannelDescriptor] = ChannelDescriptor.all, prologue: [UInt8] = PeerHandshake.defaultPrologue,
            handshakeTimeout: TimeAmount = .seconds(20), maxPacketPayloadSize: Int = NoiseTransport.maxPlaintextLength
        ) {
            self.maxPacketPayloadSize = maxPacketPayloadSize
            self.signer = signer
            self.noiseStaticKey = noiseStaticKey
            self.nodeInfo = nodeInfo
            self.channels = channels
            self.prologue = prologue
            self.handshakeTimeout = handshakeTimeout
        }
    }

    private enum State {
        case handshaking(PeerHandshake)
        case awaitingNodeInfo(NodeID, NoiseTransport)
        case open(NodeID, NoiseTransport)
        case closed
    }

    private let configuration: Configuration
    private let isDialer: Bool
    private var state: State
    // Lengths below 16 fail at the prefix; a handshake message of the wrong length fails the
    // handshake, so one decoder serves the whole connection.
    private var noiseDecoder = NoiseMessageDecoder()
    private var frameDecoder: FrameDecoder
    private let frameEncoder: FrameEncoder
    private var handshakeDeadline: Scheduled<Void>?

    /// `ephemeralKey` is drawn from the CSPRNG unless a test passes one.
    public init(role: PeerHandshake.Role, configuration: Configuration, ephemeralKey: X25519PrivateKey = X25519PrivateKey()) {
        self.configuration = configuration
        if case .dialer = role { isDialer = true } else { isDialer = false }
        state = .handshaking(
            PeerHandshake(
                role: role, signer: configuration.signer, noiseStaticKey: configuration.noiseStaticKey,
                ephemeralKey: ephemeralKey, prologue: configuration.prologue))
        frameDecoder = FrameDecoder(channels: configuration.channels)
        frameEncoder = FrameEncoder(channels: configuration.channels, maxChunkLength: configuration.maxPacketPayloadSize)
    }

    public func channelActive(context: ChannelHandlerContext) {
        handshakeDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.handshakeTimeout) {
            if case .open = self.state { return }
            self.fail(PeerConnectionError.handshakeTimeout, context: context)
        }
        if isDialer, case .handshaking(var handshake) = state {
            do {
                let actions = try handshake.start()
                state = .handshaking(handshake)
                try perform(actions, context: context)
            } catch {
                fail(error, context: context)
            }
        }
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        do {
            let messages: [[UInt8]]
            do {
                messages = try noiseDecoder.feed(bytes)
            } catch {
                throw PeerConnectionError.outerFraming(error)
            }
            for message in messages {
                if case .closed = state { return }
                try handle(message, context: context)
            }
        } catch {
            fail(error, context: context)
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        handshakeDeadline?.cancel()
        state = .closed
        context.fireChannelInactive()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        guard case .open(let id, var transport) = state else {
            promise?.fail(PeerConnectionError.notOpen)
            return
        }
        let chunks: [[UInt8]]
        do {
            chunks = try frameEncoder.encode([frame])
        } catch {
            promise?.fail(PeerConnectionError.framing(error))  // our own mistake: the connection stays
            return
        }
        var out = context.channel.allocator.buffer(capacity: frame.payload.count + chunks.count * 18 + 5)
        do {
            for chunk in chunks {
                let message = try transport.encrypt(chunk)
                out.writeInteger(UInt16(message.count))
                out.writeBytes(message)
            }
        } catch {
            promise?.fail(PeerConnectionError.transport(error))
            fail(PeerConnectionError.transport(error), context: context)
            return
        }
        state = .open(id, transport)
        context.write(wrapOutboundOut(out), promise: promise)
    }

    private func handle(_ message: [UInt8], context: ChannelHandlerContext) throws {
        switch state {
        case .handshaking(var handshake):
            let actions: [PeerHandshake.Action]
            do {
                actions = try handshake.receive(message)
            } catch {
                throw PeerConnectionError.handshake(error)
            }
            state = .handshaking(handshake)
            try perform(actions, context: context)
        case .awaitingNodeInfo(let id, var transport):
            let plaintext = try decrypt(message, &transport)
            state = .awaitingNodeInfo(id, transport)
            let remote: NodeInfo
            do {
                remote = try NodeInfo(canonicalBytes: plaintext)
            } catch let error as CodecError {
                throw PeerConnectionError.malformedNodeInfo(error)
            }
            if let reason = configuration.nodeInfo.incompatibility(with: remote, authenticatedAs: id) {
                throw PeerConnectionError.incompatible(reason)
            }
            state = .open(id, transport)
            handshakeDeadline?.cancel()
            context.fireUserInboundEventTriggered(PeerConnectionEvent.established(nodeID: id, nodeInfo: remote))
        case .open(let id, var transport):
            let plaintext = try decrypt(message, &transport)
            // Store the advanced receive nonce before any frame goes up: a handler above may
            // write in response, which encrypts with this same transport.
            state = .open(id, transport)
            let frames: [Frame]
            do {
                frames = try frameDecoder.feed(plaintext)
            } catch {
                throw PeerConnectionError.framing(error)
            }
            for frame in frames {
                guard case .open = state else { return }
                context.fireChannelRead(wrapInboundOut(frame))
            }
        case .closed:
            return
        }
    }

    private func perform(_ actions: [PeerHandshake.Action], context: ChannelHandlerContext) throws {
        for action in actions {
            switch action {
            case .send(let bytes):
                writeNoiseMessage(bytes, context: context)
            case .established(let peer):
                var transport = peer.transport
                let info: [UInt8]
                do {
                    info = try transport.encrypt(configuration.nodeInfo.canonicalBytes)
                } catch {
                    throw PeerConnectionError.transport(error)
                }
                state = .awaitingNodeInfo(peer.nodeID, transport)
                writeNoiseMessage(info, context: context)
            }
        }
        context.flush()
    }

    private func decrypt(_ message: [UInt8], _ transport: inout NoiseTransport) throws -> [UInt8] {
        do {
            return try transport.decrypt(message)
        } catch {
            throw PeerConnectionError.transport(error)
        }
    }

    private func writeNoiseMessage(_ message: [UInt8], context: ChannelHandlerContext) {
        var out = context.channel.allocator.buffer(capacity: message.count + 2)
        out.writeInteger(UInt16(message.count))
        out.writeBytes(message)
        context.write(wrapOutboundOut(out), promise: nil)
    }

    private func fail(_ error: Error, context: ChannelHandlerContext) {
        if case .closed = state { return }
        state = .closed
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
