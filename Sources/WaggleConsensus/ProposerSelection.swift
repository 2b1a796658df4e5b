import WaggleCore

/// CometBFT's weighted round-robin proposer selection (types/validator_set.go at
/// cometbft@5bba72c1), over any comparable key: `Address` in the node, raw byte strings in the
/// vector tests. Priorities are Int64 with saturating arithmetic; ties go to the smaller key.
///
/// One value describes the selection state of one height: `proposer` is the round-0 proposer,
/// `proposer(forRound:)` the proposer of a later round, and `advanced(to:)` the state of the next
/// height (with the epoch's validator-set change applied first, if any).
public struct ProposerSelection<Key: Comparable & Hashable & Sendable>: Hashable, Sendable {
    public struct Member: Hashable, Sendable {
        public let key: Key
        public var votingPower: Int64
        public var priority: Int64

        public init(key: Key, votingPower: Int64, priority: Int64 = 0) {
            self.key = key
            self.votingPower = votingPower
            self.priority = priority
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case empty
        case negativePower
        case duplicateKey
        case removalOfUnknownMember
        case totalPowerTooLarge

        public var description: String {
            switch self {
            case .empty: "the validator set would be empty"
            case .negativePower: "voting power is negative"
            case .duplicateKey: "a validator appears twice in one change set"
            case .removalOfUnknownMember: "a removal names a validator that is not in the set"
            case .totalPowerTooLarge: "total voting power exceeds MaxTotalVotingPower (Int64.max / 8)"
            }
        }
    }

    /// CometBFT's PriorityWindowSizeFactor: priorities are kept within 2 * total power.
    public static var priorityWindowSizeFactor: Int64 { 2 }
    /// CometBFT's MaxTotalVotingPower.
    public static var maxTotalVotingPower: Int64 { Int64.max / 8 }

    public private(set) var members: [Member]
    /// The proposer elected by the last `incrementProposerPriority` (Go's `vals.Proposer`).
    public private(set) var storedProposer: Key?

    /// A set taken as given: members in the listed order, priorities as listed, no constructor
    /// increment (how CometBFT's tests build a `ValidatorSet` struct directly).
    public init(members: [Member], proposer: Key? = nil) {
        self.members = members
        self.storedProposer = proposer
    }

    /// CometBFT's `NewValidatorSet`: every member starts as a new validator (priority
    /// -(P + P >> 3)), priorities are rescaled and centred, members sorted by power descending then
    /// key ascending, and one `incrementProposerPriority(times: 1)` elects the first proposer.
    public init(newSet: [(key: Key, votingPower: Int64)]) throws(Failure) {
        self.init(members: [])
        guard !newSet.isEmpty else { throw .empty }
        guard newSet.allSatisfy({ $0.votingPower > 0 }) else { throw .negativePower }
        try update(with: newSet)
        incrementProposerPriority(times: 1)
    }

    public var totalVotingPower: Int64 {
        members.reduce(Int64(0)) { Self.addClip($0, $1.votingPower) }
    }

    /// Go's `GetProposer`: the stored proposer, or the highest-priority member without changing
    /// any priority.
    public var proposer: Key? { storedProposer ?? mostPriorityIndex().map { members[$0].key } }

    public func priority(of key: Key) -> Int64? { members.first { $0.key == key }?.priority }

    // MARK: IncrementProposerPriority

    /// Go's `IncrementProposerPriority(times)`: rescale and centre once, then `times` elections.
    /// `times == 0` changes nothing (Go panics on it).
    public mutating func incrementProposerPriority(times: UInt32) {
        guard times > 0, !members.isEmpty else { return }
        rescaleAndCenter()
        var elected: Key?
        for _ in 0..<times { elected = electNext() }
        storedProposer = elected
    }

    /// The once-per-call part of `IncrementProposerPriority`: `RescalePriorities(2 * P)` then
    /// `shiftByAvgProposerPriority`.
    public mutating func rescaleAndCenter() {
        guard !members.isEmpty else { return }
        rescalePriorities(diffMax: Self.mulClip(Self.priorityWindowSizeFactor, totalVotingPower))
        let avg = Self.floorAverage(members.map(\.priority))
        for i in members.indices { members[i].priority = Self.subClip(members[i].priority, avg) }
    }

    /// One election (Go's unexported `incrementProposerPriority`): add every member's power,
    /// elect the highest priority (ties to the smaller key), subtract the total from the elected.
    @discardableResult
    public mutating func electNext() -> Key? {
        for i in members.indices { members[i].priority = Self.addClip(members[i].priority, members[i].votingPower) }
        guard let best = mostPriorityIndex() else { return nil }
        members[best].priority = Self.subClip(members[best].priority, totalVotingPower)
        return members[best].key
    }

    /// Go's `RescalePriorities`: when max - min exceeds `diffMax`, divide every priority by
    /// ceil(diff / diffMax) (Go's `/`, which truncates toward zero, as Swift's does).
    public mutating func rescalePriorities(diffMax: Int64) {
        guard diffMax > 0, !members.isEmpty else { return }
        let diff = maxMinPriorityDiff()
        let ratio = (diff &+ diffMax &- 1) / diffMax
        guard diff > diffMax, ratio != 0 else { return }
        for i in members.indices { members[i].priority /= ratio }
    }

    /// The proposer of round `round` at this height: round 0 is `proposer`; round r > 0 is the
    /// result of `incrementProposerPriority(times: r)` on a copy. Unlike CometBFT, which increments
    /// its copy by the difference of rounds as it moves, this depends only on (height state, round),
    /// so every node names the same proposer whatever sequence of rounds it went through.
    public func proposer(forRound round: UInt32) -> Key? {
        guard round > 0 else { return proposer }
        var copy = self
        copy.incrementProposerPriority(times: round)
        return copy.storedProposer
    }

    // MARK: UpdateWithChangeSet

    /// Go's `UpdateWithChangeSet`: a change with power 0 removes that member; any other change sets
    /// the member's power, keeping its priority, or adds it with priority -(P + P >> 3), where P is
    /// the total power after the updates and before the removals. Then priorities are rescaled to
    /// 2 * P', centred, and the members sorted by power descending, then key ascending. The stored
    /// proposer is kept, as in Go; the next `incrementProposerPriority` replaces it.
    public mutating func update(with changes: [(key: Key, votingPower: Int64)]) throws(Failure) {
        guard !changes.isEmpty else { return }
        var seen = Set<Key>()
        for c in changes {
            guard c.votingPower >= 0 else { throw .negativePower }
            guard seen.insert(c.key).inserted else { throw .duplicateKey }
        }
        let updates = changes.filter { $0.votingPower > 0 }
        let removals = changes.filter { $0.votingPower == 0 }
        var indexOf: [Key: Int] = [:]
        for (i, m) in members.enumerated() { indexOf[m.key] = i }

        var removedPower: Int64 = 0
        for r in removals {
            guard let i = indexOf[r.key] else { throw .removalOfUnknownMember }
            removedPower = Self.addClip(removedPower, members[i].votingPower)
        }
        var totalAfterRemovals = Self.subClip(totalVotingPower, removedPower)
        // Go checks the running total in order of increasing delta; the final sum is what matters.
        for u in updates {
            let delta = indexOf[u.key].map { u.votingPower - members[$0].votingPower } ?? u.votingPower
            totalAfterRemovals = Self.addClip(totalAfterRemovals, delta)
        }
        guard totalAfterRemovals <= Self.maxTotalVotingPower else { throw .totalPowerTooLarge }
        let totalAfterUpdatesBeforeRemovals = Self.addClip(totalAfterRemovals, removedPower)
        let newPriority = -(totalAfterUpdatesBeforeRemovals + (totalAfterUpdatesBeforeRemovals >> 3))

        var next = members
        for u in updates {
            if let i = indexOf[u.key] {
                next[i].votingPower = u.votingPower
            } else {
                next.append(Member(key: u.key, votingPower: u.votingPower, priority: newPriority))
            }
        }
        let removedKeys = Set(removals.map(\.key))
        next.removeAll { removedKeys.contains($0.key) }
        guard !next.isEmpty else { throw .empty }
        members = next
        rescalePriorities(diffMax: Self.mulClip(Self.priorityWindowSizeFactor, totalVotingPower))
        let avg = Self.floorAverage(members.map(\.priority))
        for i in members.indices { members[i].priority = Self.subClip(members[i].priority, avg) }
        members.sort { $0.votingPower != $1.votingPower ? $0.votingPower > $1.votingPower : $0.key < $1.key }
    }

    // MARK: Helpers

    private func mostPriorityIndex() -> Int? {
        guard var best = members.indices.first else { return nil }
        for i in members.indices.dropFirst() {
            let a = members[i], b = members[best]
            if a.priority > b.priority || (a.priority == b.priority && a.key < b.key) { best = i }
        }
        return best
    }

    /// Go's `computeMaxMinPriorityDiff`, with its wrapping int64 subtraction.
    private func maxMinPriorityDiff() -> Int64 {
        var lo = Int64.max, hi = Int64.min
        for m in members {
            lo = min(lo, m.priority)
            hi = max(hi, m.priority)
        }
        let diff = hi &- lo
        return diff < 0 ? 0 &- diff : diff
    }

    /// Go's `computeAvgProposerPriority`: the exact sum (128 bits here, big.Int there) divided by n
    /// with Euclidean division, which is floor for n > 0. Swift's `/` truncates, hence the care.
    public static func floorAverage(_ values: [Int64]) -> Int64 {
        guard !values.isEmpty else { return 0 }
        var hi: UInt64 = 0, lo: UInt64 = 0  // two's-complement 128-bit sum
        for v in values {
            let (s, carry) = lo.addingReportingOverflow(UInt64(bitPattern: v))
            lo = s
            hi = hi &+ (v < 0 ? UInt64.max : 0) &+ (carry ? 1 : 0)
        }
        let negative = Int64(bitPattern: hi) < 0
        if negative {
            lo = ~lo &+ 1
            hi = ~hi &+ (lo == 0 ? 1 : 0)
        }
        let n = UInt64(values.count)
        // |sum| / n <= 2^63, so the high word of the quotient is zero.
        let (q, r) = n.dividingFullWidth((high: hi % n, low: lo))
        if !negative { return Int64(clamping: q) }
        let magnitude = q &+ (r != 0 ? 1 : 0)
        return magnitude >= UInt64(1) << 63 ? Int64.min : -Int64(magnitude)
    }

    static func addClip(_ a: Int64, _ b: Int64) -> Int64 {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : s
    }

    static func subClip(_ a: Int64, _ b: Int64) -> Int64 {
        let (s, o) = a.subtractingReportingOverflow(b)
        return o ? (b < 0 ? .max : .min) : s
    }

    static func mulClip(_ a: Int64, _ b: Int64) -> Int64 {
        let (p, o) = a.multipliedReportingOverflow(by: b)
        return o ? ((a < 0) != (b < 0) ? .min : .max) : p
    }
}

extension ProposerSelection where Key == Address {
    /// The selection state of a chain's first height: `NewValidatorSet` over the genesis set.
    public init(genesis validators: ValidatorSet) {
        self.init(members: [])
        // ValidatorSet guarantees a non-empty set of positive powers summing below 2^60, so the
        // change set below cannot fail.
        try? update(with: validators.validators.map { (key: $0.address, votingPower: Int64($0.votingPower)) })
        incrementProposerPriority(times: 1)
    }

    /// The change set that turns this selection's members into `validators`: removals (power 0)
    /// for members that left, the new power for members that joined or changed. Sorted by address
    /// so the result never depends on dictionary order.
    public func changes(to validators: ValidatorSet) -> [(key: Address, votingPower: Int64)] {
        var current: [Address: Int64] = [:]
        for m in members { current[m.key] = m.votingPower }
        var out: [(key: Address, votingPower: Int64)] = []
        for m in members where validators.index(of: m.key) == nil { out.append((m.key, 0)) }
        for v in validators.validators where current[v.address] != Int64(v.votingPower) {
            out.append((v.address, Int64(v.votingPower)))
        }
        return out.sorted { $0.key < $1.key }
    }

    /// The selection state of the next height: the epoch's new validator set (if it differs)
    /// applied with `UpdateWithChangeSet` priorities, then one `incrementProposerPriority(times: 1)`,
    /// as CometBFT does when it moves `NextValidators` forward after a block.
    public func advanced(to validators: ValidatorSet? = nil) -> ProposerSelection {
        var next = self
        if let validators {
            try? next.update(with: changes(to: validators))
        }
        next.incrementProposerPriority(times: 1)
        return next
    }
}
