/// A token bucket for bytes per second (`send_rate`, `recv_rate`): up to one second's worth of
/// unused allowance accumulates; a message may always go while the balance is positive, leaving
/// a debt that later traffic waits out, so a message larger than one second's allowance is never
/// stuck. Pure: the caller passes the time (nanoseconds on a monotonic clock).
public struct ByteRateLimiter: Sendable {
    public let bytesPerSecond: Int
    private var balance: Double
    private var lastNs: UInt64

    public init(bytesPerSecond: Int, nowNs: UInt64) {
        self.bytesPerSecond = max(1, bytesPerSecond)
        balance = Double(self.bytesPerSecond)
        lastNs = nowNs
    }

    private mutating func refill(_ nowNs: UInt64) {
        guard nowNs > lastNs else { return }
        let elapsed = Double(nowNs - lastNs) / 1e9
        balance = min(Double(bytesPerSecond), balance + elapsed * Double(bytesPerSecond))
        lastNs = nowNs
    }

    /// Whether `count` bytes may be sent now; if so they are taken from the balance.
    public mutating func trySpend(_ count: Int, nowNs: UInt64) -> Bool {
        refill(nowNs)
        guard balance > 0 else { return false }
        balance -= Double(count)
        return true
    }

    /// Records bytes that have already moved (a read) and returns how long to pause before more
    /// may move: 0 while the balance is positive.
    public mutating func spend(_ count: Int, nowNs: UInt64) -> UInt64 {
        refill(nowNs)
        balance -= Double(count)
        return waitNs(nowNs: nowNs)
    }

    /// Nanoseconds until the balance is positive again (0 when it is).
    public func waitNs(nowNs: UInt64) -> UInt64 {
        var b = balance
        if nowNs > lastNs { b += Double(nowNs - lastNs) / 1e9 * Double(bytesPerSecond) }
        guard b <= 0 else { return 0 }
        return UInt64(((-b + 1) / Double(bytesPerSecond) * 1e9).rounded(.up))
    }
}
