import WaggleCore

/// Tendermint's consensus for one validator (Algorithm 1 of "The latest gossip on BFT consensus",
/// Buchman, Kwon, Milosevic 2018), as a value type: inputs in (`handle`), actions out. It has no
/// clock, no I/O and no randomness; the host delivers messages and fired timeouts, validates
/// blocks, builds blocks when asked, and carries out the actions in order.
///
/// Rule numbers in comments are the line numbers of Algorithm 1. Quorums are by voting power:
/// "2f+1" is more than two thirds of the total, "f+1" more than one third.
public struct ConsensusStateMachine: Sendable {
    public let chainID: String
    public let config: ConsensusConfig
    private var signer: (any ConsensusSigner)?

    public private(set) var height: UInt64 = 0
    public private(set) var round: UInt32 = 0
    public private(set) var step: ConsensusStep = .propose
    public private(set) var isStarted = false
    /// The block decided at `height`, until the host starts the next height.
    public private(set) var decision: Hash256?
    public private(set) var locked: ConsensusCheckpoint.RoundValue?
    public private(set) var valid: ConsensusCheckpoint.RoundValue?

    private var validators: ValidatorSet?
    private var votes: HeightVoteSet?
    private var proposals: [UInt32: RoundProposals] = [:]
    /// Proposers of rounds 1, 2, ... of this height, extended on demand: round r's proposer is the
    /// r-th election after one rescale-and-centre of the height's selection state.
    private var roundZeroProposer: Address?
    private var laterRoundProposers: [Address] = []
    private var proposerCursor = ProposerSelection<Address>(members: [])

    // "for the first time" flags of the current round.
    private var prevoteTimeoutScheduled = false
    private var precommitTimeoutScheduled = false
    private var sawPolkaForProposal = false
    private var awaitingValue = false

    private var checkpointDirty = false
    private var pending: [ConsensusAction] = []

    private struct ReceivedProposal: Sendable {
        let proposal: Proposal
        let isValid: Bool
    }

    /// The proposals of one round. Lines 22 and 28 act on the first one; lines 36 and 49 on any
    /// proposal of the round's proposer for the block that has the quorum, so a node that first
    /// heard an equivocating proposer's other block can still lock and decide.
    private struct RoundProposals: Sendable {
        var first: ReceivedProposal
        var byBlock: [Hash256: ReceivedProposal]
    }

    /// Different signed proposals kept per round beyond those a quorum supports.
    public static let maxProposalsPerRound = 4

    /// `signer` is nil for a node that follows consensus without voting.
    public init(chainID: String, config: ConsensusConfig = ConsensusConfig(), signer: (any ConsensusSigner)?) {
        self.chainID = chainID
        self.config = config
        self.signer = signer
    }

    /// The state to persist so that a restart keeps the lock (`HeightStart.checkpoint`).
    public var checkpoint: ConsensusCheckpoint {
        var pol: [Vote] = []
        for value in [valid, locked].compactMap({ $0 }) where !pol.contains(where: { $0.round == value.round && $0.blockID == value.blockID }) {
            pol += votes?.prevotes(value.round)?.allVotes.filter { $0.blockID == value.blockID } ?? []
        }
        return ConsensusCheckpoint(height: height, round: round, locked: locked, valid: valid, polVotes: pol)
    }

    public var validatorSet: ValidatorSet? { validators }
    public var voteSet: HeightVoteSet? { votes }

    public mutating func handle(_ input: ConsensusInput) -> [ConsensusAction] {
        switch input {
        case .startHeight(let start): startHeight(start)
        case .proposal(let proposal, let isValid): receiveProposal(proposal, isValid: isValid)
        case .vote(let vote): receiveVote(vote)
        case .timeout(let timeout): timeoutFired(timeout)
        case .proposeValue(let h, let r, let blockID): proposeValue(height: h, round: r, blockID: blockID)
        }
        flushCheckpoint()
        defer { pending = [] }
        return pending
    }

    // MARK: Proposer

    /// The proposer of (current height, `round`).
    public mutating func proposer(round r: UInt32) -> Address? {
        guard r > 0 else { return roundZeroProposer }
        while laterRoundProposers.count < Int(r) {
            guard let next = proposerCursor.electNext() else { return nil }
            laterRoundProposers.append(next)
        }
        return laterRoundProposers[Int(r) - 1]
    }

    private var ownAddress: Address? { signer?.address }

    /// The highest round a message may carry (saturating).
    private var roundLimit: UInt32 { round > UInt32.max - config.maxRoundsAhead ? UInt32.max : round + config.maxRoundsAhead }

    // MARK: Inputs

    private mutating func startHeight(_ start: HeightStart) {
        guard !isStarted || start.height > height else { return }
        isStarted = true
        height = start.height
        validators = start.validators
        votes = HeightVoteSet(chainID: chainID, height: start.height, validators: start.validators)
        proposals = [:]
        decision = nil
        locked = nil
        valid = nil
        roundZeroProposer = start.proposerSelection.proposer
        proposerCursor = start.proposerSelection
        proposerCursor.rescaleAndCenter()
        laterRoundProposers = []
        var firstRound: UInt32 = 0
        if let cp = start.checkpoint, cp.height == start.height {
            locked = cp.locked
            valid = cp.valid
            firstRound = cp.round
            for v in cp.polVotes where v.height == start.height && v.type == .prevote { _ = votes?.add(v) }
        }
        // A precommit for a block is only signed together with locking on it (line 36). If the
        // guard holds one for this height that is newer than the checkpoint's lock (a crash
        // between the guard's write and the checkpoint's), the lock is restored before anything
        // else happens, whichever round the node then moves to.
        if let last = signer?.lastSignState, last.height == start.height, last.step == SignStep.precommit.rawValue,
            let id = recoverVote(.precommit, round: last.round)?.blockID, (locked?.round).map({ $0 < last.round }) ?? true
        {
            locked = .init(round: last.round, blockID: id)
            // Keep validRound ≥ lockedRound, so that as a proposer it re-proposes what it is
            // locked on instead of a block its own lock would make it prevote nil on.
            if (valid?.round).map({ $0 < last.round }) ?? true { valid = .init(round: last.round, blockID: id) }
            checkpointDirty = true
        }
        // Never re-enter a round below the last one this validator signed in: the guard would
        // refuse to sign there anyway, and a lock restored above must not be replaced by one from
        // a lower round (locks only move up).
        if let last = signer?.lastSignState, last.height == start.height { firstRound = max(firstRound, last.round) }
        startRound(firstRound)
        evaluate(eventRound: firstRound)
    }

    private mutating func receiveProposal(_ proposal: Proposal, isValid: Bool) {
        guard isStarted, decision == nil, proposal.height == height, proposal.round <= roundLimit,
            let validators
        else { return }
        let existing = proposals[proposal.round]
        if existing?.byBlock[proposal.blockID] != nil { return }
        if let existing, existing.byBlock.count >= Self.maxProposalsPerRound, !hasQuorum(round: proposal.round, for: proposal.blockID) {
            return
        }
        guard let expected = proposer(round: proposal.round), expected == proposal.proposer,
            let member = validators.validator(expected), proposal.verify(chainID: chainID, publicKey: member.publicKey)
        else { return }
        if let pol = proposal.polRound, pol >= proposal.round { return }
        store(ReceivedProposal(proposal: proposal, isValid: isValid))
        if let i = validators.index(of: proposal.proposer) { votes?.noteSender(index: i, round: proposal.round) }
        evaluate(eventRound: proposal.round)
    }

    private mutating func receiveVote(_ vote: Vote) {
        guard isStarted, vote.height == height, vote.round <= roundLimit else { return }
        // After the decision the height's votes are still checked for equivocation.
        switch votes?.add(vote) {
        case .added, .alreadyReported:
            if decision == nil { evaluate(eventRound: vote.round) }
        case .conflicting(let evidence):
            pending.append(.evidence(evidence))
            if decision == nil { evaluate(eventRound: vote.round) }
        case .duplicate, .rejected, nil:
            break
        }
    }

    private mutating func timeoutFired(_ t: ConsensusTimeout) {
        guard isStarted, decision == nil, t.height == height, t.round == round else { return }
        switch t.step {
        case .propose:  // line 57
            guard step == .propose else { return }
            awaitingValue = false
            castVote(.prevote, nil)
            step = .prevote
        case .prevote:  // line 61
            guard step == .prevote else { return }
            castVote(.precommit, nil)
            step = .precommit
        case .precommit:  // line 65
            guard round < UInt32.max else { return }
            startRound(round + 1)
        }
        evaluate(eventRound: round)
    }

    private mutating func proposeValue(height h: UInt64, round r: UInt32, blockID: Hash256) {
        guard awaitingValue, decision == nil, h == height, r == round, step == .propose else { return }
        awaitingValue = false
        propose(blockID: blockID, polRound: nil)
        evaluate(eventRound: round)
    }

    // MARK: Algorithm 1

    /// StartRound (line 11). Every node schedules the propose timeout (as CometBFT does), the
    /// proposer too, so that a host that never answers `requestValue` cannot stall the round.
    private mutating func startRound(_ r: UInt32) {
        round = r
        step = .propose
        prevoteTimeoutScheduled = false
        precommitTimeoutScheduled = false
        sawPolkaForProposal = false
        awaitingValue = false
        checkpointDirty = true
        schedule(.propose)
        guard let me = ownAddress, proposer(round: r) == me else { return }
        if let valid {
            propose(blockID: valid.blockID, polRound: valid.round)
        } else {
            awaitingValue = true
            pending.append(.requestValue(height: height, round: r))
        }
    }

    private mutating func propose(blockID: Hash256, polRound: UInt32?) {
        guard var s = signer else { return }
        let bytes = Proposal.signBytes(chainID: chainID, height: height, round: round, polRound: polRound, blockID: blockID)
        do {
            let sig = try s.sign(height: height, round: round, step: .proposal, signBytes: bytes)
            signer = s
            let proposal = Proposal(height: height, round: round, polRound: polRound, blockID: blockID, proposer: s.address, signature: sig)
            flushCheckpoint()
            pending.append(.broadcastProposal(proposal))
            store(ReceivedProposal(proposal: proposal, isValid: true))
            if let i = validators?.index(of: s.address) { votes?.noteSender(index: i, round: round) }
        } catch {
            signer = s
            pending.append(.signingRefused(height: height, round: round, step: .proposal, reason: error))
            if error.code == .conflictingSignBytes, let earlier = recoverProposal() {
                flushCheckpoint()
                pending.append(.broadcastProposal(earlier))
                store(ReceivedProposal(proposal: earlier, isValid: true))
            }
        }
    }

    private mutating func castVote(_ type: VoteType, _ blockID: Hash256?) {
        guard var s = signer, validators?.index(of: s.address) != nil else { return }
        let bytes = Vote.signBytes(chainID: chainID, type: type, height: height, round: round, blockID: blockID)
        do {
            let sig = try s.sign(height: height, round: round, step: SignStep(type), signBytes: bytes)
            signer = s
            let vote = Vote(type: type, height: height, round: round, blockID: blockID, validator: s.address, signature: sig)
            flushCheckpoint()
            pending.append(.broadcastVote(vote))
            _ = votes?.add(vote, signatureChecked: true)
        } catch {
            signer = s
            pending.append(.signingRefused(height: height, round: round, step: SignStep(type), reason: error))
            if error.code == .conflictingSignBytes, let earlier = recoverVote(type) {
                // A precommit for a block is only ever signed together with locking on it (line
                // 36). A crash between the guard's write and the checkpoint's can lose the lock
                // while the signed precommit survives: restore the lock before re-sending the
                // vote, or this validator could prevote for another block next round.
                if type == .precommit, let id = earlier.blockID, (locked?.round).map({ $0 < round }) ?? true {
                    locked = .init(round: round, blockID: id)
                    if (valid?.round).map({ $0 < round }) ?? true { valid = .init(round: round, blockID: id) }
                    checkpointDirty = true
                }
                flushCheckpoint()
                pending.append(.broadcastVote(earlier))
                _ = votes?.add(earlier, signatureChecked: true)
            }
        }
    }

    /// After a restart the guard may hold a vote of this very (height, round, step) that the
    /// engine no longer remembers; it is the vote this validator cast, so it is cast again (what
    /// replaying CometBFT's WAL achieves).
    private func recoverVote(_ type: VoteType, round r: UInt32? = nil) -> Vote? {
        let round = r ?? self.round
        guard let s = signer, let last = s.lastSignState, last.height == height, last.round == round,
            last.step == SignStep(type).rawValue, let signature = last.signature
        else { return nil }
        let nilBytes = Vote.signBytes(chainID: chainID, type: type, height: height, round: round, blockID: nil)
        let base = nilBytes.dropLast()
        guard last.signBytes.count >= base.count, last.signBytes.starts(with: base) else { return nil }
        let rest = Array(last.signBytes[base.count...])
        let blockID: Hash256?
        if rest == [0] {
            blockID = nil
        } else if rest.count == 1 + Hash256.length, rest[0] == 1, let id = Hash256(Array(rest[1...])) {
            blockID = id
        } else {
            return nil
        }
        guard Vote.signBytes(chainID: chainID, type: type, height: height, round: round, blockID: blockID) == last.signBytes else { return nil }
        return Vote(type: type, height: height, round: round, blockID: blockID, validator: s.address, signature: signature)
    }

    /// The proposal counterpart of `recoverVote`.
    private func recoverProposal() -> Proposal? {
        guard let s = signer, let last = s.lastSignState, last.height == height, last.round == round,
            last.step == SignStep.proposal.rawValue, let signature = last.signature
        else { return nil }
        let sample = Proposal.signBytes(chainID: chainID, height: height, round: round, polRound: nil, blockID: .zero)
        let base = sample.dropLast(1 + Hash256.length)
        guard last.signBytes.starts(with: base) else { return nil }
        let rest = Array(last.signBytes[base.count...])
        var polRound: UInt32?
        var idBytes: [UInt8]
        if rest.count == 1 + Hash256.length, rest[0] == 0 {
            idBytes = Array(rest[1...])
        } else if rest.count == 1 + 4 + Hash256.length, rest[0] == 1 {
            polRound = rest[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            idBytes = Array(rest[5...])
        } else {
            return nil
        }
        guard let blockID = Hash256(idBytes),
            Proposal.signBytes(chainID: chainID, height: height, round: round, polRound: polRound, blockID: blockID) == last.signBytes
        else { return nil }
        return Proposal(height: height, round: round, polRound: polRound, blockID: blockID, proposer: s.address, signature: signature)
    }

    private mutating func store(_ received: ReceivedProposal) {
        let p = received.proposal
        if proposals[p.round] == nil {
            proposals[p.round] = RoundProposals(first: received, byBlock: [p.blockID: received])
        } else {
            proposals[p.round]?.byBlock[p.blockID] = received
        }
    }

    private func hasQuorum(round r: UInt32, for blockID: Hash256) -> Bool {
        votes?.prevotes(r)?.twoThirdsMajority == .some(blockID) || votes?.precommits(r)?.twoThirdsMajority == .some(blockID)
    }

    private mutating func schedule(_ s: ConsensusStep) {
        pending.append(
            .scheduleTimeout(
                ConsensusTimeout(height: height, round: round, step: s), durationMs: config.timeouts.durationMs(s, round: round)))
    }

    private mutating func flushCheckpoint() {
        guard checkpointDirty, isStarted else { return }
        checkpointDirty = false
        pending.append(.persistCheckpoint(checkpoint))
    }

    /// Applies every rule whose condition holds, until none does. `eventRound` is the round of the
    /// message that just arrived: only it can newly satisfy the decision and round-skip rules for
    /// rounds other than the current one.
    private mutating func evaluate(eventRound: UInt32) {
        while decision == nil {
            if tryDecide(round: eventRound) || tryDecide(round: round) { return }
            // Line 55: f+1 of the power is already in a higher round.
            if eventRound > round, votes?.hasOneThirdSenders(round: eventRound) == true {
                startRound(eventRound)
                continue
            }
            if !applyCurrentRoundRule() { return }
        }
    }

    /// Line 49: a proposal of round r and 2f+1 precommits for its block, whatever our round.
    private mutating func tryDecide(round r: UInt32) -> Bool {
        guard decision == nil, case .some(.some(let id)) = votes?.precommits(r)?.twoThirdsMajority,
            let received = proposals[r]?.byBlock[id], received.isValid,
            let commit = votes?.precommits(r)?.makeCommit(for: id)
        else { return false }
        decision = received.proposal.blockID
        pending.append(.decide(height: height, round: r, blockID: received.proposal.blockID, commit: commit))
        return true
    }

    /// One rule of the current round (lines 22, 28, 34, 36, 44, 47); true when one fired.
    private mutating func applyCurrentRoundRule() -> Bool {
        let current = proposals[round]?.first
        let prevotes = votes?.prevotes(round)
        if step == .propose, let current {
            let p = current.proposal
            if p.polRound == nil {
                // Line 22.
                let acceptable = current.isValid && (locked == nil || locked?.blockID == p.blockID)
                awaitingValue = false
                castVote(.prevote, acceptable ? p.blockID : nil)
                step = .prevote
                return true
            }
            if let vr = p.polRound, vr < round, votes?.prevotes(vr)?.hasTwoThirds(for: p.blockID) == true {
                // Line 28.
                let lockAllows = locked.map { $0.round <= vr || $0.blockID == p.blockID } ?? true
                awaitingValue = false
                castVote(.prevote, current.isValid && lockAllows ? p.blockID : nil)
                step = .prevote
                return true
            }
        }
        if step == .prevote, !prevoteTimeoutScheduled, prevotes?.hasTwoThirdsAny == true {
            // Line 34.
            prevoteTimeoutScheduled = true
            schedule(.prevote)
            return true
        }
        if step >= .prevote, !sawPolkaForProposal, case .some(.some(let id)) = prevotes?.twoThirdsMajority,
            proposals[round]?.byBlock[id]?.isValid == true
        {
            // Line 36.
            sawPolkaForProposal = true
            if step == .prevote {
                locked = .init(round: round, blockID: id)
                valid = .init(round: round, blockID: id)
                checkpointDirty = true
                castVote(.precommit, id)
                step = .precommit
            } else {
                valid = .init(round: round, blockID: id)
                checkpointDirty = true
            }
            return true
        }
        if step == .prevote, prevotes?.hasTwoThirds(for: nil) == true {
            // Line 44.
            castVote(.precommit, nil)
            step = .precommit
            return true
        }
        if !precommitTimeoutScheduled, votes?.precommits(round)?.hasTwoThirdsAny == true {
            // Line 47.
            precommitTimeoutScheduled = true
            schedule(.precommit)
            return true
        }
        return false
    }
}
