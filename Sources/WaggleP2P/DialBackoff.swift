/// How long to wait before dialling a peer again after `attempt` failed dials in a row:
/// exponential from `initialMs`, capped at `maxMs`, with "equal jitter" (half the delay fixed,
/// half scaled by a jitter value in [0, 1) that the caller draws), so that many nodes that lost
/// the same peer do not redial it in step. Pure: the caller passes the jitter, so tests are exact.
public struct DialBackoff: Hashable, Sendable {
    public var initialMs: UInt64
    public var maxMs: UInt64

    public init(initialMs: UInt64 = 1_000, maxMs: UInt64 = 60_000) {
        self.initialMs = max(1, initialMs)
        self.maxMs = max(self.initialMs, maxMs)
    }

    /// The delay after `attempt` failures (0: the first redial), never above `maxMs`.
    public func delayMs(attempt: Int, jitter: Double) -> UInt64 {
        let shift = UInt64(min(max(attempt, 0), 40))
        let base = initialMs > maxMs >> shift ? maxMs : min(maxMs, initialMs << shift)
        let j = jitter.isFinite ? min(max(jitter, 0), 1) : 0
        return base / 2 + UInt64((Double(base - base / 2) * j).rounded(.down))
    }
}
