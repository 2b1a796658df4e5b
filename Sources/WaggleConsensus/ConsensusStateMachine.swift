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

    /// One signature per `handle`: once this step has signed a message, no rule fires until the
    /// host has carried out the actions and called `handle` again (normally with that very
    /// message fed back, after writing it to its write-ahead log). A crash can therefore lose at
    /// most one signed message, which the guard still holds and the engine recovers.
    private var signedThisStep = false
    /// Rules may still fire: the last step stopped after its signature.
    private var continuation = false
    /// Event rounds whose rules (decision, round skip) are still to be evaluated.
    private var continuationRounds: [UInt32] = []
    /// Timeouts and proposed values that arrived in a step that had already signed.
    private var deferred: [ConsensusInput] = []
    static let maxDeferredInputs = 64
    /// The guard could not persist a signature: the engine signs nothing more (see `isHalted`).
    public private(set) var isHalted = false
    /// Rounds whose proposals overflowed `maxProposalsPerRound`, and what was asked back.
    private var overflowedRounds: Set<UInt32> = []
    private var requestedProposals: Set<ProposalKey> = []

    private struct ProposalKey: Hashable, Sendable {
        let round: UInt32
        let blockID: Hash256
    }

    /// Proposers of rounds above 0 computed so far at this height (each costs O(n)).
    @_spi(Testing) public var computedProposerRounds: Int { laterRoundProposers.count }

    /// Fault injection for the simulator's mutation tests; never set outside tests.
    @_spi(Testing) public var faults = ConsensusFaults()

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
    /// Rounds remembered as having dropped a proposal (to ask for it again on a quorum).
    static let maxRememberedDroppedRounds = 256

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

    /// Handles one input and returns the actions to carry out in order. At most one of them is a
    /// signed message (`broadcastProposal` or `broadcastVote`): the host must make it durable
    /// (its write-ahead log) and then hand it back (`.proposal(p, blockIsValid: true)` or
    /// `.vote(v)`), which lets the engine take the next step. See Docs/CONSENSUS.md, host contract.
    public mutating func handle(_ input: ConsensusInput) -> [ConsensusAction] {
        defer { pending = [] }
        guard !isHalted else { return [] }
        signedThisStep = false
        if case .startHeight(let start) = input, !isStarted || start.height > height {
            // A new height supersedes whatever the last one left to do.
            continuation = false
            continuationRounds = []
            deferred = []
        } else {
            resume()
        }
        switch input {
        case .startHeight(let start): startHeight(start)
        case .proposal(let proposal, let isValid): receiveProposal(proposal, isValid: isValid)
        case .vote(let vote): receiveVote(vote)
        case .timeout, .proposeValue: process(edgeTriggered: input)
        }
        if !isHalted { flushCheckpoint() }
        return pending
    }

    /// Whether the engine stopped after a signature with rules still to evaluate: it takes the
    /// next step on the next `handle` (the host's feedback of its own message).
    public var hasPendingStep: Bool { continuation || !deferred.isEmpty }

    /// Runs what the previous step left: its rules, then deferred timeouts and proposed values.
    private mutating func resume() {
        if continuation {
            continuation = false
            let rounds = continuationRounds
            continuationRounds = []
            evaluate(eventRound: round)
            for r in rounds where r != round { evaluate(eventRound: r) }
        }
        while !signedThisStep, !isHalted, !deferred.isEmpty {
            process(edgeTriggered: deferred.removeFirst())
        }
    }

    /// Timeouts and proposed values act once, when delivered; in a step that already signed they
    /// wait for the next one instead of being lost.
    private mutating func process(edgeTriggered input: ConsensusInput) {
        if signedThisStep {
            if deferred.count >= Self.maxDeferredInputs {
                // Keep what can still matter: inputs of this height and round or later.
                deferred.removeAll { old in
                    switch old {
                    case .timeout(let t): t.height != height || t.round < round
                    case .proposeValue(let h, let r, _): h != height || r < round
                    default: true
                    }
                }
                if deferred.count >= Self.maxDeferredInputs { deferred.removeFirst() }
            }
            deferred.append(input)
            return
        }
        switch input {
        case .timeout(let timeout): timeoutFired(timeout)
        case .proposeValue(let h, let r, let blockID): proposeValue(height: h, round: r, blockID: blockID)
        default: break
        }
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
        overflowedRounds = []
        requestedProposals = []
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
            votes?.setRound(cp.round)
            for v in cp.polVotes where v.height == start.height && v.type == .prevote { _ = votes?.add(v) }
        }
        // A precommit for a block is only signed together with locking on it (line 36). If the
        // guard holds one for this height that is newer than the checkpoint's lock (a crash
        // between the guard's write and the checkpoint's), the lock is restored before anything
        // else happens, whichever round the node then moves to.
        adoptLockFromGuard()
        // Never re-enter a round below the last one this validator signed in: the guard would
        // refuse to sign there anyway, and a lock restored above must not be replaced by one from
        // a lower round (locks only move up).
        if let last = signer?.lastSignState, last.height == start.height { firstRound = max(firstRound, last.round) }
        startRound(firstRound)
        evaluateAfterInput(eventRound: firstRound)
    }

    private mutating func receiveProposal(_ proposal: Proposal, isValid: Bool) {
        guard isStarted, decision == nil, proposal.height == height, proposal.round <= roundLimit,
            let validators
        else { return }
        if let pol = proposal.polRound, pol >= proposal.round { return }
        if let known = proposals[proposal.round]?.byBlock[proposal.blockID] {
            // The same block again: a verdict that was invalid (a transient failure of the host's
            // validation) may become valid; a valid one never becomes invalid.
            guard isValid, !known.isValid, known.proposal == proposal else { return }
            store(ReceivedProposal(proposal: proposal, isValid: true))
            evaluateAfterInput(eventRound: proposal.round)
            return
        }
        // The signature first, against the key of the validator it names: computing a round's
        // proposer costs O(n) per round ahead, which only a real proposal may cause.
        guard let index = validators.index(of: proposal.proposer),
            proposal.verify(chainID: chainID, publicKey: validators.validators[index].publicKey)
        else { return }
        votes?.noteRoundSeen(index: index, round: proposal.round)
        let existing = proposals[proposal.round]
        if let existing, existing.byBlock.count >= Self.maxProposalsPerRound, !hasQuorum(round: proposal.round, for: proposal.blockID) {
            // An equivocating proposer's flood: dropped, but if a quorum forms for this block the
            // engine asks the host for it again (`proposalNeeded`).
            if overflowedRounds.count < Self.maxRememberedDroppedRounds { overflowedRounds.insert(proposal.round) }
            return
        }
        // A far round spends the sender's catch-up budget before its proposer is computed.
        guard existing != nil || votes?.admitRound(proposal.round, sender: index) == true else {
            if overflowedRounds.count < Self.maxRememberedDroppedRounds { overflowedRounds.insert(proposal.round) }
            if proposal.round > round { evaluateAfterInput(eventRound: proposal.round) }
            return
        }
        guard proposer(round: proposal.round) == proposal.proposer else { return }
        store(ReceivedProposal(proposal: proposal, isValid: isValid))
        votes?.noteSender(index: index, round: proposal.round)
        evaluateAfterInput(eventRound: proposal.round)
    }

    private mutating func receiveVote(_ vote: Vote) {
        guard isStarted, vote.height == height, vote.round <= roundLimit else { return }
        // After the decision the height's votes are still checked for equivocation.
        switch votes?.add(vote) {
        case .added, .alreadyReported:
            if decision == nil { evaluateAfterInput(eventRound: vote.round) }
        case .conflicting(let evidence):
            pending.append(.evidence(evidence))
            if decision == nil { evaluateAfterInput(eventRound: vote.round) }
        case .duplicate, .rejected, nil:
            break
        }
    }

    /// Evaluates the rules an input may have enabled, or leaves them for the next step when this
    /// one has already signed.
    private mutating func evaluateAfterInput(eventRound: UInt32) {
        guard !isHalted else { return }
        if signedThisStep {
            continuation = true
            if eventRound != round, !continuationRounds.contains(eventRound), continuationRounds.count < Self.maxDeferredInputs {
                continuationRounds.append(eventRound)
            }
            return
        }
        evaluate(eventRound: eventRound)
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
        evaluateAfterInput(eventRound: round)
    }

    private mutating func proposeValue(height h: UInt64, round r: UInt32, blockID: Hash256) {
        guard awaitingValue, decision == nil, h == height, r == round, step == .propose else { return }
        awaitingValue = false
        propose(blockID: blockID, polRound: nil)
        evaluateAfterInput(eventRound: round)
    }

    // MARK: Algorithm 1

    /// StartRound (line 11). Every node schedules the propose timeout (as CometBFT does), the
    /// proposer too, so that a host that never answers `requestValue` cannot stall the round.
    /// A precommit for a block is only signed together with locking on it (line 36). When the
    /// guard's last signature is such a precommit in a round above this engine's lock (a crash
    /// between the guard's write and the checkpoint's, or a stale copy of the engine), the lock
    /// is taken back before this engine prevotes anything.
    private mutating func adoptLockFromGuard() {
        guard let last = signer?.lastSignState, last.height == height, last.step == SignStep.precommit.rawValue,
            let id = recoverVote(.precommit, round: last.round)?.blockID, (locked?.round).map({ $0 < last.round }) ?? true
        else { return }
        locked = .init(round: last.round, blockID: id)
        // Keep validRound ≥ lockedRound, so that as a proposer it re-proposes what it is locked on
        // instead of a block its own lock would make it prevote nil on.
        if (valid?.round).map({ $0 < last.round }) ?? true { valid = .init(round: last.round, blockID: id) }
        checkpointDirty = true
    }

    private mutating func startRound(_ r: UInt32) {
        round = r
        votes?.setRound(r)
        adoptLockFromGuard()
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
            signedThisStep = true
            pending.append(.broadcastProposal(proposal))
            store(ReceivedProposal(proposal: proposal, isValid: true))
            if let i = validators?.index(of: s.address) { votes?.noteSender(index: i, round: round) }
        } catch {
            signer = s
            pending.append(.signingRefused(height: height, round: round, step: .proposal, reason: error))
            if error.code == .persistenceFailed { return halt(error) }
            if error.code == .conflictingSignBytes, let earlier = recoverProposal() {
                flushCheckpoint()
                signedThisStep = true
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
            signedThisStep = true
            pending.append(.broadcastVote(vote))
            _ = votes?.add(vote, signatureChecked: true)
        } catch {
            signer = s
            pending.append(.signingRefused(height: height, round: round, step: SignStep(type), reason: error))
            if error.code == .persistenceFailed { return halt(error) }
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
                signedThisStep = true
                pending.append(.broadcastVote(earlier))
                _ = votes?.add(earlier, signatureChecked: true)
            }
        }
    }

    /// The guard could not make a signature durable. Skipping the message would stall the round
    /// (the step would move on without it) and retrying blind could spin on a full disk, so the
    /// engine stops: every later input is ignored and the host must stop the node or restart
    /// the engine from its persisted state (as CometBFT's FilePV panics on a failed save).
    private mutating func halt(_ error: SignRefusal) {
        isHalted = true
        continuation = false
        deferred = []
        pending.append(.halted(reason: error))
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
            // A re-delivered first proposal (now judged valid) is still the first (lines 22, 28).
            if proposals[p.round]?.first.proposal == p { proposals[p.round]?.first = received }
        }
    }

    /// A quorum formed for a block whose proposal this engine dropped when the round's proposer
    /// flooded it: ask the host to hand it in again (once per round and block).
    private mutating func requestIfDropped(round r: UInt32, blockID: Hash256) {
        guard overflowedRounds.contains(r), proposals[r]?.byBlock[blockID] == nil,
            requestedProposals.insert(ProposalKey(round: r, blockID: blockID)).inserted
        else { return }
        pending.append(.proposalNeeded(height: height, round: r, blockID: blockID))
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
        while decision == nil, !isHalted {
            if signedThisStep {
                // One signature per step: the rest waits until the host has logged it.
                continuation = true
                if eventRound != round, !continuationRounds.contains(eventRound), continuationRounds.count < Self.maxDeferredInputs {
                    continuationRounds.append(eventRound)
                }
                return
            }
            if tryDecide(round: eventRound) || tryDecide(round: round) { return }
            // Line 55: f+1 of the power is already in a higher round.
            if eventRound > round, votes?.hasOneThirdSenders(round: eventRound) == true {
                startRound(eventRound)
                continue
            }
            // The same rule over each validator's highest signed round, so that messages refused
            // by the catch-up budget still move a lagging node on.
            if let target = votes?.roundReachedByOneThird(above: round), target > round {
                startRound(target)
                continue
            }
            if !applyCurrentRoundRule() { return }
        }
    }

    /// Line 49: a proposal of round r and 2f+1 precommits for its block, whatever our round.
    private mutating func tryDecide(round r: UInt32) -> Bool {
        guard decision == nil, case .some(.some(let id)) = votes?.precommits(r)?.twoThirdsMajority else { return false }
        requestIfDropped(round: r, blockID: id)
        guard let received = proposals[r]?.byBlock[id], received.isValid,
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
                let acceptable = current.isValid && (locked == nil || locked?.blockID == p.blockID || faults.ignoreLocks)
                awaitingValue = false
                castVote(.prevote, acceptable ? p.blockID : nil)
                step = .prevote
                return true
            }
            if let vr = p.polRound, vr < round, votes?.prevotes(vr)?.hasTwoThirds(for: p.blockID) == true {
                // Line 28.
                let lockAllows = locked.map { $0.round <= vr || $0.blockID == p.blockID } ?? true || faults.ignoreLocks
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
        if step >= .prevote, !sawPolkaForProposal, case .some(.some(let id)) = prevotes?.twoThirdsMajority {
            requestIfDropped(round: round, blockID: id)
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

/// Faults the simulator's mutation tests inject to show the sweep catches a broken engine.
@_spi(Testing) public struct ConsensusFaults: Hashable, Sendable {
    /// Deletes both lock checks (lines 22 and 28 of Algorithm 1): the engine prevotes any valid
    /// proposal whatever it is locked on.
    public var ignoreLocks = false
    public init(ignoreLocks: Bool = false) { self.ignoreLocks = ignoreLocks }
}
