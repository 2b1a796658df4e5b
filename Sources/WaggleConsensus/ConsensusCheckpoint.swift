import WaggleCore

/// What a validator must remember across a crash within a height: the round it reached, its
/// locked and valid values, and the prevotes that justify them (without them a restarted
/// validator could neither re-propose its valid value with its polRound nor accept that proposal
/// from itself, and a network whose locked validators all restarted would stall). The engine emits it (`ConsensusAction.persistCheckpoint`) before any
/// vote that depends on it; the node writes it with the height's other state, and hands it back in
/// `HeightStart.checkpoint` after a restart so that the node keeps its lock.
public struct ConsensusCheckpoint: Hashable, Sendable, CanonicalCodable {
    public var height: UInt64
    public var round: UInt32
    public var locked: RoundValue?
    public var valid: RoundValue?
    /// The +2/3 prevotes for the valid value in its round (and for the locked value in its).
    public var polVotes: [Vote]

    public struct RoundValue: Hashable, Sendable, CanonicalCodable {
        public var round: UInt32
        public var blockID: Hash256
        public init(round: UInt32, blockID: Hash256) {
            self.round = round
            self.blockID = blockID
        }
        public func encode(to e: inout CanonicalEncoder) {
            e.u32(round)
            e.encode(blockID)
        }
        public init(from d: inout CanonicalDecoder) throws {
            round = try d.u32()
            blockID = try d.decode()
        }
    }

    public init(height: UInt64, round: UInt32, locked: RoundValue?, valid: RoundValue?, polVotes: [Vote] = []) {
        self.height = height
        self.round = round
        self.locked = locked
        self.valid = valid
        self.polVotes = polVotes
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(height)
        e.u32(round)
        e.optional(locked)
        e.optional(valid)
        e.list(polVotes)
    }

    public init(from d: inout CanonicalDecoder) throws {
        height = try d.u64()
        round = try d.u32()
        locked = try d.optional()
        valid = try d.optional()
        polVotes = try d.list(Vote.self, maxCount: 2 * ValidatorSet.maxValidators)
    }
}
