import NIOCore
import WaggleCore
import WaggleP2P
import WaggleP2PNIO

/// The top of a peer's pipeline, above `PeerConnectionHandler`: asks the switch to admit the
/// authenticated peer, answers pings and cuts a silent peer, hands messages to reactors, and
/// keeps one bounded send queue per channel (a peer that cannot keep up is disconnected).
/// Everything here runs on the channel's event loop.
final class PeerHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = Frame

    struct Timing {
        var pingInterval: TimeAmount
        var silenceTimeout: TimeAmount
        var sendRate: Int
    }

    private let owner: PeerSwitch
    private let peer: Peer
    private let timing: Timing
    /// Channels by descending priority; queues drain in this order.
    private let channels: [ChannelDescriptor]
    private var queues: [ChannelID: [Frame]] = [:]
    private var queuedFrames = 0
    private var context: ChannelHandlerContext?
    private var admitted = false
    private var authenticated = false
    private var closeReason: String?
    private var banned = false
    private var lastReceived = NIODeadline.now()
    private var keepAlive: RepeatedTask?
    private var nonce: UInt64 = 0
    private var sendLimiter: ByteRateLimiter
    private var drainScheduled = false

    init(owner: PeerSwitch, peer: Peer, timing: Timing, channels: [ChannelDescriptor]) {
        self.owner = owner
        self.peer = peer
        self.timing = timing
        self.channels = channels.sorted { $0.priority > $1.priority }
        sendLimiter = ByteRateLimiter(bytesPerSecond: timing.sendRate, nowNs: NIODeadline.now().uptimeNanoseconds)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        keepAlive?.cancel()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        owner.opened(peer)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? PeerConnectionEvent, case .established(let id, let info) = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        peer.authenticated(as: id, info: info)
        authenticated = true
        if let refusal = owner.admit(peer) {
            close(reason: "refused: \(refusal)")
            return
        }
        admitted = true
        lastReceived = .now()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        keepAlive = context.eventLoop.scheduleRepeatedTask(initialDelay: timing.pingInterval, delay: timing.pingInterval) { _ in
            bound.value.keepAliveTick()
        }
        owner.added(peer)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard admitted else { return }
        lastReceived = .now()
        if frame.channel == .control {
            guard let message = try? ControlMessage(canonicalBytes: frame.payload) else {
                violation("undecodable control message")
                return
            }
            if let reply = message.reply { enqueue(Frame(channel: .control, payload: reply.canonicalBytes)) }
            return
        }
        owner.deliver(frame, from: peer)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if let e = error as? PeerConnectionError {
            // Bytes that break the protocol after authentication are the peer's fault, and its
            // id is proven: ban it. Before that there is no id to ban (the socket is cut).
            switch e {
            case .framing, .malformedNodeInfo:
                // Inside an authenticated transport message: the peer sent these bytes.
                if authenticated {
                    violation("\(e)")
                    return
                }
            case .transport, .outerFraming:
                // A failed AEAD tag or a bad clear-text length prefix may come from anyone on the
                // path, not provably from the peer: cut the connection, and ban only on repeat.
                if authenticated, closeReason == nil {
                    let banned = owner.strike(peer)
                    close(reason: banned ? "\(e) (repeated: banned)" : "\(e)", banned: false)
                    self.banned = banned
                    return
                }
            case .handshake, .incompatible, .handshakeTimeout, .notOpen:
                break
            }
            if closeReason == nil { closeReason = e.description }
        } else if closeReason == nil {
            closeReason = "\(error)"
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepAlive?.cancel()
        keepAlive = nil
        queues = [:]
        queuedFrames = 0
        owner.closed(peer, admitted: admitted, authenticated: authenticated, reason: closeReason ?? "closed by the peer", banned: banned)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        drain()
        context.fireChannelWritabilityChanged()
    }

    /// Sends at once when the socket keeps up and `send_rate` allows; otherwise queues per
    /// channel, and a full queue disconnects the peer.
    func enqueue(_ frame: Frame) {
        guard admitted, closeReason == nil, let context else { return }
        if queuedFrames == 0, context.channel.isWritable,
            sendLimiter.trySpend(frame.payload.count + Frame.headerLength, nowNs: NIODeadline.now().uptimeNanoseconds)
        {
            context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
            return
        }
        let capacity = channels.first { $0.id == frame.channel }?.sendQueueCapacity ?? 0
        guard queues[frame.channel, default: []].count < capacity else {
            close(reason: "send queue of channel \(frame.channel) is full (\(capacity) messages): the peer does not keep up")
            return
        }
        queues[frame.channel, default: []].append(frame)
        queuedFrames += 1
        scheduleDrainIfThrottled()
    }

    private func drain() {
        guard let context else { return }
        var wrote = false
        while queuedFrames > 0, context.channel.isWritable {
            guard let channel = channels.first(where: { !(queues[$0.id]?.isEmpty ?? true) })?.id,
                var queue = queues[channel], let frame = queue.first
            else { break }
            guard sendLimiter.trySpend(frame.payload.count + Frame.headerLength, nowNs: NIODeadline.now().uptimeNanoseconds) else {
                scheduleDrainIfThrottled()
                break
            }
            queue.removeFirst()
            queues[channel] = queue
            queuedFrames -= 1
            context.write(wrapOutboundOut(frame), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
    }

    /// When the send allowance is spent, drains again once it is positive.
    private func scheduleDrainIfThrottled() {
        guard !drainScheduled, let context else { return }
        let wait = sendLimiter.waitNs(nowNs: NIODeadline.now().uptimeNanoseconds)
        guard wait > 0 else { return }
        drainScheduled = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(Int64(min(wait, 60_000_000_000)))) {
            bound.value.drainScheduled = false
            bound.value.drain()
        }
    }

    private func keepAliveTick() {
        guard admitted, closeReason == nil else { return }
        let silent = NIODeadline.now() - lastReceived
        if silent > timing.silenceTimeout {
            close(reason: "silent for \(silent.nanoseconds / 1_000_000) ms (no message, not even a pong)")
            return
        }
        nonce &+= 1
        enqueue(Frame(channel: .control, payload: ControlMessage.ping(nonce).canonicalBytes))
    }

    /// A protocol violation by an authenticated peer: disconnect and ban.
    func violation(_ reason: String) {
        close(reason: reason, banned: true)
    }

    func close(reason: String, banned: Bool = false) {
        if closeReason == nil {
            closeReason = reason
            self.banned = banned
            if banned { owner.ban(peer) }
        }
        context?.close(promise: nil)
    }
}
