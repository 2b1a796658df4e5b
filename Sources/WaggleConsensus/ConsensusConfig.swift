/// Timeouts grow linearly with the round (base + round * delta) so that after GST some round is
/// long enough for every honest validator to hear every other one.
public struct ConsensusTimeouts: Hashable, Sendable, Codable {
    public var proposeBaseMs: UInt64
    public var proposeDeltaMs: UInt64
    public var prevoteBaseMs: UInt64
    public var prevoteDeltaMs: UInt64
    public var precommitBaseMs: UInt64
    public var precommitDeltaMs: UInt64

    public init(
        proposeBaseMs: UInt64 = 3000, proposeDeltaMs: UInt64 = 500,
        prevoteBaseMs: UInt64 = 1000, prevoteDeltaMs: UInt64 = 500,
        precommitBaseMs: UInt64 = 1000, precommitDeltaMs: UInt64 = 500
    ) {
        self.proposeBaseMs = proposeBaseMs
        self.proposeDeltaMs = proposeDeltaMs
        self.prevoteBaseMs = prevoteBaseMs
        self.prevoteDeltaMs = prevoteDeltaMs
        self.precommitBaseMs = precommitBaseMs
        self.precommitDeltaMs = precommitDeltaMs
    }

    /// base + round * delta, saturating.
    public func durationMs(_ step: ConsensusStep, round: UInt32) -> UInt64 {
        let (base, delta): (UInt64, UInt64) =
            switch step {
            case .propose: (proposeBaseMs, proposeDeltaMs)
            case .prevote: (prevoteBaseMs, prevoteDeltaMs)
            case .precommit: (precommitBaseMs, precommitDeltaMs)
            }
        let (grow, o1) = delta.multipliedReportingOverflow(by: UInt64(round))
        let (total, o2) = base.addingReportingOverflow(grow)
        return o1 || o2 ? .max : total
    }
}

public struct ConsensusConfig: Hashable, Sendable {
    public var timeouts: ConsensusTimeouts
    /// Messages for rounds further ahead than this are dropped: they bound the memory and the
    /// proposer computation a Byzantine validator can cause.
    public var maxRoundsAhead: UInt32

    public init(timeouts: ConsensusTimeouts = ConsensusTimeouts(), maxRoundsAhead: UInt32 = 10_000) {
        self.timeouts = timeouts
        self.maxRoundsAhead = maxRoundsAhead
    }
}

/// Tendermint's three steps of a round.
public enum ConsensusStep: UInt8, Sendable, Hashable, Comparable, CustomStringConvertible {
    case propose = 1
    case prevote = 2
    case precommit = 3

    public static func < (a: ConsensusStep, b: ConsensusStep) -> Bool { a.rawValue < b.rawValue }
    public var description: String {
        switch self {
        case .propose: "propose"
        case .prevote: "prevote"
        case .precommit: "precommit"
        }
    }
}

/// A timeout the engine asked the host to schedule; the host feeds it back when it fires.
public struct ConsensusTimeout: Hashable, Sendable, CustomStringConvertible {
    public var height: UInt64
    public var round: UInt32
    public var step: ConsensusStep

    public init(height: UInt64, round: UInt32, step: ConsensusStep) {
        self.height = height
        self.round = round
        self.step = step
    }
    public var description: String { "timeout(\(step), h=\(height), r=\(round))" }
}
