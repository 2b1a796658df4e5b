import NIOCore
import WaggleP2P

/// Enforces `recv_rate` on a socket: after a read that overdraws the allowance, stops reading
/// (autoRead off) until the debt is paid, so a fast sender is slowed by TCP flow control instead
/// of filling our memory. One read (NIO's buffer, at most 64 KiB) may overshoot.
final class ReceiveThrottle: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var limiter: ByteRateLimiter
    private var paused = false

    init(bytesPerSecond: Int) {
        limiter = ByteRateLimiter(bytesPerSecond: bytesPerSecond, nowNs: NIODeadline.now().uptimeNanoseconds)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let wait = limiter.spend(unwrapInboundIn(data).readableBytes, nowNs: NIODeadline.now().uptimeNanoseconds)
        context.fireChannelRead(data)
        guard wait > 0, !paused, let options = context.channel.syncOptions else { return }
        paused = true
        try? options.setOption(ChannelOptions.autoRead, value: false)
        resume(after: wait, context: context)
    }

    /// Reads that were already under way when the pause began add to the debt, so the wait is
    /// measured again before reading resumes.
    private func resume(after wait: UInt64, context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(Int64(min(wait, 60_000_000_000)))) {
            let (handler, context) = bound.value
            guard context.channel.isActive, let options = context.channel.syncOptions else { return }
            let more = handler.limiter.waitNs(nowNs: NIODeadline.now().uptimeNanoseconds)
            if more > 0 {
                handler.resume(after: more, context: context)
                return
            }
            handler.paused = false
            try? options.setOption(ChannelOptions.autoRead, value: true)
            context.read()
        }
    }
}
