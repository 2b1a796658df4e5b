import WaggleCore

/// The votes of one type for one (height, round), tallied by voting power. A second, different vote
/// of the same validator is equivocation and becomes `DuplicateVoteEvidence` (reported once per
/// validator). As in the paper, where "2f+1 ⟨PREVOTE, id(v)⟩" counts distinct senders of that
/// message, an equivocator's vote counts toward each block id it voted for (up to
/// `maxVotesPerValidator` distinct ones), but only once toward `totalPower`. Otherwise a node
/// that heard the other vote first could miss a quorum the rest of the network sees, and stall.
public struct VoteSet: Sendable {
    public let chainID: String
    public let height: UInt64
    public let round: UInt32
    public let type: VoteType
    public let validators: ValidatorSet

    private var votesByIndex: [Vote?]
    private var conflictingByIndex: [Int: [Vote]] = [:]
    public static let maxVotesPerValidator = 4
    private var powerByBlock: [Hash256: UInt64] = [:]
    private var reported: Set<Int> = []
    public private(set) var nilPower: UInt64 = 0
    /// Power of all validators that voted, for any block or nil.
    public private(set) var totalPower: UInt64 = 0
    /// The block id (or nil, as `.some(nil)`) that first gathered more than two thirds.
    public private(set) var twoThirdsMajority: Hash256??

    public enum AddResult: Hashable, Sendable {
        case added
        /// The same vote again.
        case duplicate
        /// A second vote for another block: the evidence is new.
        case conflicting(DuplicateVoteEvidence)
        /// A further conflicting vote from a validator already reported (counted for its block if
        /// under the per-validator bound).
        case alreadyReported
        case rejected(Rejection)
    }

    public enum Rejection: Hashable, Sendable {
        case wrongHeightRoundOrType, unknownValidator, invalidSignature
        /// A round beyond the next one that this validator may not open: it already opened
        /// `HeightVoteSet.maxCatchUpRoundsPerValidator` such rounds at this height.
        case unwantedRound
    }

    public init(chainID: String, height: UInt64, round: UInt32, type: VoteType, validators: ValidatorSet) {
        self.chainID = chainID
        self.height = height
        self.round = round
        self.type = type
        self.validators = validators
        votesByIndex = Array(repeating: nil, count: validators.count)
    }

    /// Adds a vote after checking its signature (skipped for an exact copy of a stored vote).
    public mutating func add(_ vote: Vote) -> AddResult {
        add(vote, signatureChecked: false)
    }

    /// `signatureChecked: true` is for the engine's own votes, which it has just signed.
    mutating func add(_ vote: Vote, signatureChecked: Bool) -> AddResult {
        guard vote.height == height, vote.round == round, vote.type == type else { return .rejected(.wrongHeightRoundOrType) }
        guard let index = validators.index(of: vote.validator) else { return .rejected(.unknownValidator) }
        if let existing = votesByIndex[index], existing == vote { return .duplicate }
        let member = validators.validators[index]
        if !signatureChecked {
            guard vote.verify(chainID: chainID, publicKey: member.publicKey) else { return .rejected(.invalidSignature) }
        }
        let power = member.votingPower
        if let existing = votesByIndex[index] {
            if existing.blockID == vote.blockID { return .duplicate }  // same vote, other valid signature bytes
            let others = conflictingByIndex[index] ?? []
            if others.contains(where: { $0.blockID == vote.blockID }) { return .duplicate }
            if others.count + 1 < Self.maxVotesPerValidator {
                conflictingByIndex[index] = others + [vote]
                tally(vote.blockID, power)
            }
            guard reported.insert(index).inserted, let evidence = try? DuplicateVoteEvidence(existing, vote) else {
                return .alreadyReported
            }
            return .conflicting(evidence)
        }
        votesByIndex[index] = vote
        totalPower += power
        tally(vote.blockID, power)
        return .added
    }

    private mutating func tally(_ blockID: Hash256?, _ power: UInt64) {
        let tally: UInt64
        if let id = blockID {
            tally = powerByBlock[id, default: 0] + power
            powerByBlock[id] = tally
        } else {
            nilPower += power
            tally = nilPower
        }
        if twoThirdsMajority == nil, validators.isQuorum(tally) { twoThirdsMajority = .some(blockID) }
    }

    public func power(for blockID: Hash256?) -> UInt64 {
        guard let blockID else { return nilPower }
        return powerByBlock[blockID] ?? 0
    }

    /// More than two thirds of the power voted for `blockID` (nil: for nil).
    public func hasTwoThirds(for blockID: Hash256?) -> Bool { validators.isQuorum(power(for: blockID)) }
    /// More than two thirds of the power voted, for anything.
    public var hasTwoThirdsAny: Bool { validators.isQuorum(totalPower) }

    public func vote(of validator: Address) -> Vote? { validators.index(of: validator).flatMap { votesByIndex[$0] } }

    /// The first vote of each validator, in validator-set order.
    public var votes: [Vote] { votesByIndex.compactMap { $0 } }

    /// Every counted vote, equivocators' later ones included, in validator-set order.
    public var allVotes: [Vote] {
        votesByIndex.indices.flatMap { i in (votesByIndex[i].map { [$0] } ?? []) + (conflictingByIndex[i] ?? []) }
    }

    /// The commit certificate for `blockID` from these precommits (nil unless +2/3 precommitted it).
    public func makeCommit(for blockID: Hash256) -> Commit? {
        guard type == .precommit, hasTwoThirds(for: blockID) else { return nil }
        return Commit(height: height, round: round, blockID: blockID, precommits: allVotes, validators: validators)
    }
}

/// All votes of one height, by round, plus who sent anything in each round (for the f+1 round
/// skip, counted by voting power).
///
/// Memory is bounded as CometBFT's HeightVoteSet bounds it: rounds up to the current one plus one
/// are open to everyone; any other round is opened by a validator's signed message only while
/// that validator has opened fewer than `maxCatchUpRoundsPerValidator` of them at this height. A
/// Byzantine validator that signs votes for thousands of future rounds therefore allocates at
/// most two rounds' vote sets, not one per round.
public struct HeightVoteSet: Sendable {
    public let chainID: String
    public let height: UInt64
    public let validators: ValidatorSet
    private var prevotes: [UInt32: VoteSet] = [:]
    private var precommits: [UInt32: VoteSet] = [:]
    private var senders: [UInt32: Set<Int>] = [:]
    private var senderPower: [UInt32: UInt64] = [:]
    /// The engine's round; rounds up to `round + 1` need no catch-up budget.
    public private(set) var round: UInt32 = 0
    /// Rounds beyond `round + 1` opened so far, and by whom (validator index → rounds).
    private var openedRounds: Set<UInt32> = []
    private var catchUpRounds: [Int: [UInt32]] = [:]
    /// CometBFT keeps at most two unexpected rounds per peer (consensus/types/height_vote_set.go).
    public static let maxCatchUpRoundsPerValidator = 2
    /// The highest round each validator (by index) sent a validly signed message for, kept even
    /// when the message itself was refused: n integers, no vote set. A node whose catch-up budget
    /// is spent still learns that more than a third of the power has moved on.
    private var highestRound: [UInt32?]
    private var skipCache: (above: UInt32, target: UInt32?)?

    public init(chainID: String, height: UInt64, validators: ValidatorSet) {
        self.chainID = chainID
        self.height = height
        self.validators = validators
        highestRound = Array(repeating: nil, count: validators.count)
    }

    /// Records that validator `index` sent a validly signed message for `round`.
    public mutating func noteRoundSeen(index: Int, round r: UInt32) {
        guard highestRound.indices.contains(index), (highestRound[index] ?? 0) < r || highestRound[index] == nil else { return }
        highestRound[index] = r
        skipCache = nil
    }

    /// The highest round r above `round` such that validators whose latest signed message is for
    /// round r or later hold more than a third of the power (the f+1 round skip of line 55, over
    /// each validator's highest round rather than one round's senders).
    public mutating func roundReachedByOneThird(above round: UInt32) -> UInt32? {
        if let cache = skipCache, cache.above == round { return cache.target }
        var ahead: [(round: UInt32, power: UInt64)] = []
        for (i, r) in highestRound.enumerated() {
            if let r, r > round { ahead.append((r, validators.validators[i].votingPower)) }
        }
        ahead.sort { $0.round > $1.round }
        var power: UInt64 = 0
        var target: UInt32?
        for entry in ahead {
            power += entry.power
            if validators.exceedsOneThird(power) {
                target = entry.round
                break
            }
        }
        skipCache = (round, target)
        return target
    }

    /// The engine moved to `round`.
    public mutating func setRound(_ r: UInt32) { round = max(round, r) }

    /// The number of (round, type) vote sets allocated: what a vote flood could grow.
    public var allocatedVoteSets: Int { prevotes.count + precommits.count }

    /// Whether a signed message of `round` from validator `sender` may be kept: rounds up to the
    /// current one plus one, rounds already opened, or a new round while the sender has budget
    /// left (which it then spends).
    public mutating func admitRound(_ r: UInt32, sender: Int) -> Bool {
        if r <= round || r - round <= 1 || openedRounds.contains(r) { return true }
        let used = catchUpRounds[sender] ?? []
        guard used.count < Self.maxCatchUpRoundsPerValidator else { return false }
        catchUpRounds[sender] = used + [r]
        openedRounds.insert(r)
        return true
    }

    public func prevotes(_ round: UInt32) -> VoteSet? { prevotes[round] }
    public func precommits(_ round: UInt32) -> VoteSet? { precommits[round] }

    public func votes(_ type: VoteType, round: UInt32) -> VoteSet? { type == .prevote ? prevotes[round] : precommits[round] }

    public mutating func add(_ vote: Vote) -> VoteSet.AddResult { add(vote, signatureChecked: false) }

    mutating func add(_ vote: Vote, signatureChecked: Bool) -> VoteSet.AddResult {
        let round = vote.round
        let (chainID, height, validators) = (self.chainID, self.height, self.validators)
        var signatureChecked = signatureChecked
        if votes(vote.type, round: round) == nil {
            // A round's vote set is allocated only for a vote that would be stored: otherwise
            // unsigned traffic for every round up to the limit could allocate n slots per round.
            guard vote.height == height else { return .rejected(.wrongHeightRoundOrType) }
            guard let index = validators.index(of: vote.validator) else { return .rejected(.unknownValidator) }
            if !signatureChecked {
                guard vote.verify(chainID: chainID, publicKey: validators.validators[index].publicKey) else { return .rejected(.invalidSignature) }
                signatureChecked = true
            }
            // Only a validly signed vote spends its validator's catch-up budget.
            noteRoundSeen(index: index, round: round)
            guard admitRound(round, sender: index) else { return .rejected(.unwantedRound) }
        }
        let fresh = { VoteSet(chainID: chainID, height: height, round: round, type: vote.type, validators: validators) }
        // Mutated in place through the defaulting subscript: no copy of the tallies per vote.
        let result =
            vote.type == .prevote
            ? prevotes[round, default: fresh()].add(vote, signatureChecked: signatureChecked)
            : precommits[round, default: fresh()].add(vote, signatureChecked: signatureChecked)
        if let i = validators.index(of: vote.validator) {
            switch result {
            case .added:
                noteSender(index: i, round: round)
                noteRoundSeen(index: i, round: round)
            case .conflicting, .alreadyReported: noteRoundSeen(index: i, round: round)
            case .duplicate, .rejected: break
            }
        }
        return result
    }

    /// Records that validator `index` sent a message (a vote or a proposal) in `round`.
    public mutating func noteSender(index: Int, round: UInt32) {
        guard validators.validators.indices.contains(index) else { return }
        if senders[round, default: []].insert(index).inserted {
            senderPower[round, default: 0] += validators.validators[index].votingPower
        }
    }

    /// f + 1: validators with more than a third of the power sent something in `round`.
    public func hasOneThirdSenders(round: UInt32) -> Bool { validators.exceedsOneThird(senderPower[round] ?? 0) }
}
