import Testing
import WaggleConsensus
import WaggleCore
import WaggleSimulation

@Suite struct ConsensusStateMachineTests {
    let f: ConsensusFixture
    let A = ConsensusFixture.block(1)
    let B = ConsensusFixture.block(2)

    init() throws { f = try ConsensusFixture(powers: [10, 10, 10, 10]) }

    @Test func proposerRequestsValueThenBroadcastsSignedProposalAndPrevotesIt() throws {
        let p = f.proposerIndex(round: 0)
        var m = f.machine(p)
        let start = m.handle(f.start())
        #expect(start.contains(.requestValue(height: 1, round: 0)))
        let first = m.handle(.proposeValue(height: 1, round: 0, blockID: A))
        #expect(first.proposals.count == 1 && first.votes.isEmpty, "one signature per step: the proposal alone")
        let proposal = try #require(first.proposals.first)
        // The host logs the proposal and hands it back; then the engine prevotes it.
        let out = first + m.handle(.proposal(proposal, blockIsValid: true))
        #expect(proposal.blockID == A && proposal.polRound == nil)
        #expect(proposal.verify(chainID: f.chainID, publicKey: f.signers[p].publicKey))
        #expect(out.votes.map(\.blockID) == [A])
        #expect(out.votes.first?.type == .prevote)
    }

    @Test func nonProposerSchedulesProposeTimeoutAndPrevotesValidProposal() {
        let i = f.nonProposer(round: 0)
        var m = f.machine(i)
        let start = m.handle(f.start())
        #expect(start.timeouts.map(\.0) == [ConsensusTimeout(height: 1, round: 0, step: .propose)])
        #expect(!start.contains(.requestValue(height: 1, round: 0)))
        let out = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: true))
        #expect(out.votes.map(\.blockID) == [A])
        #expect(m.step == .prevote)
    }

    @Test func invalidBlockGetsNilPrevote() {
        var m = f.machine(f.nonProposer(round: 0))
        _ = m.handle(f.start())
        let out = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: false))
        #expect(out.votes.map(\.blockID) == [nil])
    }

    @Test func proposalFromWrongProposerOrWithBadSignatureIsIgnored() {
        let i = f.nonProposer(round: 0)
        var m = f.machine(i)
        _ = m.handle(f.start())
        let wrong = Proposal.sign(chainID: f.chainID, height: 1, round: 0, polRound: nil, blockID: A, signer: f.signers[i])
        #expect(m.handle(.proposal(wrong, blockIsValid: true)).votes.isEmpty)
        var forged = f.proposal(round: 0, A)
        forged.blockID = B
        #expect(m.handle(.proposal(forged, blockIsValid: true)).votes.isEmpty)
        #expect(m.step == .propose)
    }

    @Test func proposeTimeoutPrevotesNilAndTimeoutsGrowLinearlyPerRound() {
        let timeouts = ConsensusTimeouts(proposeBaseMs: 100, proposeDeltaMs: 10, prevoteBaseMs: 50, prevoteDeltaMs: 5)
        var m = f.machine(f.nonProposer(round: 0), config: ConsensusConfig(timeouts: timeouts))
        _ = m.handle(f.start())
        let out = m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .propose)))
        #expect(out.votes.map(\.blockID) == [nil])
        #expect(timeouts.durationMs(.propose, round: 0) == 100)
        #expect(timeouts.durationMs(.propose, round: 7) == 170)
        #expect(timeouts.durationMs(.prevote, round: 3) == 65)
        #expect(timeouts.durationMs(.precommit, round: .max) > 0)
    }

    @Test func stalePrevoteTimeoutIsIgnored() {
        var m = f.machine(f.nonProposer(round: 0))
        _ = m.handle(f.start())
        #expect(m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .prevote))).votes.isEmpty)
        #expect(m.handle(.timeout(ConsensusTimeout(height: 1, round: 3, step: .propose))).votes.isEmpty)
    }

    @Test func twoThirdsPrevotesForProposalLockAndPrecommit() {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        _ = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: true))
        var precommits: [Vote] = []
        for i in 0..<4 where i != me {
            precommits += m.handle(.vote(f.vote(i, .prevote, round: 0, A))).votes
        }
        #expect(precommits.count == 1)
        #expect(precommits.first?.type == .precommit && precommits.first?.blockID == A)
        #expect(m.locked == .init(round: 0, blockID: A))
        #expect(m.valid == .init(round: 0, blockID: A))
    }

    @Test func lockIsPersistedBeforeThePrecommitLeaves() {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        _ = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: true))
        var all: [ConsensusAction] = []
        for i in 0..<4 where i != me { all += m.handle(.vote(f.vote(i, .prevote, round: 0, A))) }
        let persistAt = all.firstIndex {
            if case .persistCheckpoint(let c) = $0 { return c.locked?.blockID == A }
            return false
        }
        let precommitAt = all.firstIndex {
            if case .broadcastVote(let v) = $0 { return v.type == .precommit }
            return false
        }
        #expect(persistAt != nil && precommitAt != nil && persistAt! < precommitAt!)
    }

    @Test func twoThirdsNilPrevotesPrecommitNil() {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        _ = m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .propose)))
        var out: [ConsensusAction] = []
        for i in 0..<4 where i != me { out += m.handle(.vote(f.vote(i, .prevote, round: 0, nil))) }
        #expect(out.votes.map(\.blockID) == [nil])
        #expect(out.votes.first?.type == .precommit)
        #expect(m.locked == nil)
    }

    @Test func mixedPrevotesScheduleThePrevoteTimeoutWhichPrecommitsNil() {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        _ = m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .propose)))
        let others = (0..<4).filter { $0 != me }
        var out = m.handle(.vote(f.vote(others[0], .prevote, round: 0, A)))
        out += m.handle(.vote(f.vote(others[1], .prevote, round: 0, B)))
        #expect(out.timeouts.map(\.0.step) == [.prevote])
        let fired = m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .prevote)))
        #expect(fired.votes.map(\.blockID) == [nil] && fired.votes.first?.type == .precommit)
    }

    @Test func decidesOnTwoThirdsPrecommitsWithACommitThatVerifies() throws {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        _ = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: true))
        var out: [ConsensusAction] = []
        for i in 0..<4 where i != me {
            out += m.handle(.vote(f.vote(i, .prevote, round: 0, A)))
        }
        for i in 0..<4 where i != me {
            out += m.handle(.vote(f.vote(i, .precommit, round: 0, A)))
        }
        #expect(out.decisions.count == 1)
        let (id, commit) = try #require(out.decisions.first)
        #expect(id == A && m.decision == A)
        try commit.verify(chainID: f.chainID, validators: f.set, height: 1, blockID: A)
    }

    @Test func decidesAnEarlierRoundFromProposalAndPrecommitsEvenInALaterRound() {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        // Jump to round 2 on f+1 prevotes of round 2.
        _ = m.handle(.vote(f.vote((me + 1) % 4, .prevote, round: 2, nil)))
        _ = m.handle(.vote(f.vote((me + 2) % 4, .prevote, round: 2, nil)))
        #expect(m.round == 2)
        var out: [ConsensusAction] = []
        for i in 0..<4 where i != me { out += m.handle(.vote(f.vote(i, .precommit, round: 0, A))) }
        #expect(out.decisions.isEmpty)  // no proposal yet
        out = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: true))
        #expect(out.decisions.map(\.0) == [A])
    }

    @Test func roundSkipNeedsMoreThanOneThirdOfThePower() throws {
        let g = try ConsensusFixture(powers: [40, 30, 20, 10])
        let me = g.set.validators.count - 1  // power 10
        var m = g.machine(me)
        _ = m.handle(g.start())
        _ = m.handle(.vote(g.vote(2, .prevote, round: 5, nil)))  // 20 of 100
        #expect(m.round == 0)
        _ = m.handle(.vote(g.vote(2, .precommit, round: 5, nil)))  // same sender: still 20
        #expect(m.round == 0)
        let out = m.handle(.vote(g.vote(1, .precommit, round: 5, nil)))  // 50 of 100
        #expect(m.round == 5)
        #expect(out.timeouts.map(\.0) == [ConsensusTimeout(height: 1, round: 5, step: .propose)])
    }

    @Test func precommitTimeoutStartsTheNextRound() {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        var out: [ConsensusAction] = []
        for i in 0..<4 where i != me { out += m.handle(.vote(f.vote(i, .precommit, round: 0, nil))) }
        #expect(out.timeouts.contains { $0.0.step == .precommit })
        _ = m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .precommit)))
        #expect(m.round == 1 && m.step == .propose)
    }

    /// Locks on A in round 0, then sees a proposal for B in round 1. The validator proposes in
    /// none of rounds 0–2.
    func lockedOnA() -> (ConsensusStateMachine, Int) {
        let me = (0..<4).first { i in (0...2).allSatisfy { f.proposerIndex(round: $0) != i } } ?? 0
        var m = f.machine(me)
        _ = m.handle(f.start())
        _ = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: true))
        for i in 0..<4 where i != me { _ = m.handle(.vote(f.vote(i, .prevote, round: 0, A))) }
        for i in 0..<4 where i != me { _ = m.handle(.vote(f.vote(i, .precommit, round: 0, nil))) }
        _ = m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .precommit)))
        return (m, me)
    }

    @Test func lockedValidatorPrevotesNilForConflictingProposal() {
        var (m, _) = lockedOnA()
        #expect(m.round == 1 && m.locked?.blockID == A)
        let out = m.handle(.proposal(f.proposal(round: 1, B), blockIsValid: true))
        #expect(out.votes.map(\.blockID) == [nil])
    }

    @Test func lockedValidatorPrevotesItsLockedValueAgain() {
        var (m, _) = lockedOnA()
        let out = m.handle(.proposal(f.proposal(round: 1, A), blockIsValid: true))
        #expect(out.votes.map(\.blockID) == [A])
    }

    @Test func lockedValidatorAcceptsProposalWithPolkaNewerThanItsLock() throws {
        var (m, me) = lockedOnA()
        // Round 1 polka for B (seen as prevotes), proposal for B in round 2 with polRound 1.
        _ = m.handle(.timeout(ConsensusTimeout(height: 1, round: 1, step: .propose)))
        for i in 0..<4 where i != me { _ = m.handle(.vote(f.vote(i, .prevote, round: 1, B))) }
        for i in 0..<4 where i != me { _ = m.handle(.vote(f.vote(i, .precommit, round: 1, nil))) }
        _ = m.handle(.timeout(ConsensusTimeout(height: 1, round: 1, step: .precommit)))
        #expect(m.round == 2)
        try #require(f.proposerIndex(round: 2) != me, "the fixture must not make this validator the round-2 proposer")
        #expect(m.locked == .init(round: 0, blockID: A), "still locked on A from round 0")
        let out = m.handle(.proposal(f.proposal(round: 2, polRound: 1, B), blockIsValid: true))
        #expect(out.votes.map(\.blockID) == [B])
    }

    @Test func proposerReproposesItsValidValueWithItsValidRound() {
        // A validator that saw a polka for A in round 0 and is the proposer of round 1.
        let me = f.proposerIndex(round: 1)
        var m = f.machine(me)
        _ = m.handle(f.start())
        if f.proposerIndex(round: 0) == me { _ = m.handle(.proposeValue(height: 1, round: 0, blockID: A)) } else {
            _ = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: true))
        }
        for i in 0..<4 where i != me { _ = m.handle(.vote(f.vote(i, .prevote, round: 0, A))) }
        for i in 0..<4 where i != me { _ = m.handle(.vote(f.vote(i, .precommit, round: 0, nil))) }
        let out = m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .precommit)))
        let p = out.proposals.first
        #expect(p?.round == 1 && p?.blockID == A && p?.polRound == 0)
        #expect(!out.contains(.requestValue(height: 1, round: 1)))
    }

    @Test func equivocatingVotesBecomeEvidenceThatVerifiesOnItsOwn() throws {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        let cheat = (me + 1) % 4
        _ = m.handle(.vote(f.vote(cheat, .prevote, round: 0, A)))
        let out = m.handle(.vote(f.vote(cheat, .prevote, round: 0, B)))
        let ev = try #require(out.evidence.first)
        #expect(ev.validator == f.signers[cheat].address)
        try ev.verify(chainID: f.chainID, publicKey: f.signers[cheat].publicKey)
        // Reported once. Each vote counts toward its own block (the paper counts senders of each
        // message), the validator only once toward the total.
        #expect(m.handle(.vote(f.vote(cheat, .prevote, round: 0, nil))).evidence.isEmpty)
        #expect(m.voteSet?.prevotes(0)?.power(for: A) == 10)
        #expect(m.voteSet?.prevotes(0)?.power(for: B) == 10)
        #expect(m.voteSet?.prevotes(0)?.power(for: nil) == 10)
        #expect(m.voteSet?.prevotes(0)?.totalPower == 10)
    }

    @Test func votesWithBadSignaturesOrFromStrangersAreNotCounted() throws {
        var m = f.machine(0)
        _ = m.handle(f.start())
        var bad = f.vote(1, .prevote, round: 0, A)
        bad.blockID = B
        _ = m.handle(.vote(bad))
        let stranger = try #require(Signer(seed: [UInt8](repeating: 9, count: 32)))
        _ = m.handle(.vote(Vote.sign(chainID: f.chainID, type: .prevote, height: 1, round: 0, blockID: A, signer: stranger)))
        #expect(m.voteSet?.prevotes(0)?.totalPower ?? 0 == 0)
    }

    /// A validator (proposer of neither round 0 nor 1) sees a polka for A, locks and precommits A;
    /// the guard persisted the precommit, but the process dies before the host writes the
    /// checkpoint or sends anything. Returns the validator and its guard's "disk".
    func crashedRightAfterSigningAPrecommitForA() throws -> (Int, InMemorySignStatePersistence) {
        let me = try #require((0..<4).first { i in (0...1).allSatisfy { f.proposerIndex(round: $0) != i } })
        let disk = InMemorySignStatePersistence()
        var m = ConsensusStateMachine(chainID: f.chainID, signer: try SignGuard(signer: f.signers[me], persistence: disk))
        _ = m.handle(f.start())
        _ = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: true))
        for i in 0..<4 where i != me { _ = m.handle(.vote(f.vote(i, .prevote, round: 0, A))) }
        #expect(try disk.load()?.step == SignStep.precommit.rawValue)
        return (me, disk)
    }

    @Test func restartBetweenSigningAPrecommitAndPersistingTheLockRestoresTheLock() throws {
        let (me, disk) = try crashedRightAfterSigningAPrecommitForA()
        var restarted = ConsensusStateMachine(chainID: f.chainID, signer: try SignGuard(signer: f.signers[me], persistence: disk))
        let start = restarted.handle(f.start())
        // No checkpoint reached the disk, but the signed precommit brings its lock back, and the
        // restored lock is persisted before anything is sent.
        #expect(restarted.locked == .init(round: 0, blockID: A))
        let persistAt = start.firstIndex {
            if case .persistCheckpoint(let c) = $0 { return c.locked?.blockID == A }
            return false
        }
        #expect(persistAt != nil)
        #expect(start.votes.isEmpty && start.proposals.isEmpty)
        _ = restarted.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .propose)))
        // The polka is not delivered again; the others' nil prevotes make it precommit nil,
        // which the guard refuses, and the precommit it signed before the crash goes out instead.
        var out: [ConsensusAction] = []
        for i in 0..<4 where i != me { out += restarted.handle(.vote(f.vote(i, .prevote, round: 0, nil))) }
        #expect(out.votes.map(\.blockID) == [A], "the signed precommit is sent again")
        #expect(out.votes.first?.type == .precommit)
        #expect(restarted.locked == .init(round: 0, blockID: A))

        // Next round, a proposal for B without a newer polka gets prevote nil.
        for i in 0..<4 where i != me { _ = restarted.handle(.vote(f.vote(i, .precommit, round: 0, nil))) }
        _ = restarted.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .precommit)))
        #expect(restarted.round == 1)
        let next = restarted.handle(.proposal(f.proposal(round: 1, B), blockIsValid: true))
        #expect(next.votes.map(\.blockID) == [nil])
    }

    @Test func restartWithASignedPrecommitButNoCheckpointIsLockedEvenWhenSkippingAhead() throws {
        let (me, disk) = try crashedRightAfterSigningAPrecommitForA()
        // Restart without the checkpoint; round-1 messages from more than a third of the power
        // move it straight to round 1, so it never tries to precommit in round 0 again.
        var restarted = ConsensusStateMachine(chainID: f.chainID, signer: try SignGuard(signer: f.signers[me], persistence: disk))
        let start = restarted.handle(f.start())
        #expect(restarted.locked == .init(round: 0, blockID: A))
        #expect(start.contains { if case .persistCheckpoint(let c) = $0 { return c.locked?.blockID == A } else { return false } })
        let others = (0..<4).filter { $0 != me && $0 != f.proposerIndex(round: 1) }
        _ = restarted.handle(.vote(f.vote(others[0], .prevote, round: 1, nil)))
        _ = restarted.handle(.vote(f.vote(others[1], .prevote, round: 1, nil)))
        #expect(restarted.round == 1)
        let out = restarted.handle(.proposal(f.proposal(round: 1, B), blockIsValid: true))
        #expect(out.votes.first?.type == .prevote && out.votes.first?.blockID == nil, "locked on A, it must not prevote B without a newer polka")
        #expect(!out.votes.contains { $0.blockID == B })
    }

    @Test func restartedValidatorKeepsItsLockFromTheCheckpoint() {
        let (m, me) = lockedOnA()
        let cp = m.checkpoint
        #expect(cp.locked?.blockID == A && cp.round == 1)
        var restarted = f.machine(me)
        _ = restarted.handle(f.start(checkpoint: cp))
        #expect(restarted.round == 1 && restarted.locked?.blockID == A)
        let out = restarted.handle(.proposal(f.proposal(round: 1, B), blockIsValid: true))
        #expect(out.votes.map(\.blockID) == [nil])
        // The checkpoint round-trips through the canonical codec.
        #expect((try? ConsensusCheckpoint(canonicalBytes: cp.canonicalBytes)) == cp)
    }

    @Test func restartedLockedProposerReproposesWithItsPolkaAndPrevotesIt() throws {
        let me = f.proposerIndex(round: 1)
        var m = f.machine(me)
        _ = m.handle(f.start())
        if f.proposerIndex(round: 0) == me { _ = m.handle(.proposeValue(height: 1, round: 0, blockID: A)) } else {
            _ = m.handle(.proposal(f.proposal(round: 0, A), blockIsValid: true))
        }
        for i in 0..<4 where i != me { _ = m.handle(.vote(f.vote(i, .prevote, round: 0, A))) }
        var cp = m.checkpoint
        #expect(cp.valid?.blockID == A && cp.polVotes.count >= 3)
        cp.round = 1
        // After the crash the engine has no round-0 votes but those in the checkpoint.
        var restarted = f.machine(me)
        let out = restarted.drive(f.start(checkpoint: cp))
        #expect(out.proposals.first?.polRound == 0 && out.proposals.first?.blockID == A)
        #expect(out.votes.map(\.blockID) == [A])
    }

    @Test func checkpointOfAnotherHeightIsIgnored() {
        var m = f.machine(0)
        _ = m.handle(f.start(2, checkpoint: ConsensusCheckpoint(height: 1, round: 4, locked: .init(round: 3, blockID: A), valid: nil)))
        #expect(m.round == 0 && m.locked == nil)
    }

    @Test func messagesForOtherHeightsAreIgnored() {
        var m = f.machine(f.nonProposer(round: 0))
        _ = m.handle(f.start())
        #expect(m.handle(.proposal(f.proposal(round: 0, A, height: 2), blockIsValid: true)).isEmpty)
        #expect(m.handle(.vote(f.vote(1, .prevote, height: 2, round: 9, A))).isEmpty)
        #expect(m.round == 0)
    }

    @Test func fourEnginesWiredTogetherDecideTheSameBlock() throws {
        var machines = (0..<4).map { f.machine($0) }
        var queue: [(to: Int, input: ConsensusInput)] = (0..<4).map { ($0, f.start()) }
        var decided: [Int: Hash256] = [:]
        var steps = 0
        while !queue.isEmpty, steps < 10_000 {
            steps += 1
            let (to, input) = queue.removeFirst()
            for action in machines[to].handle(input) {
                switch action {
                case .requestValue(let h, let r): queue.append((to, .proposeValue(height: h, round: r, blockID: A)))
                case .broadcastProposal(let p):
                    queue.insert((to, .proposal(p, blockIsValid: true)), at: 0)  // own message handed back first
                    for j in 0..<4 where j != to { queue.append((j, .proposal(p, blockIsValid: true))) }
                case .broadcastVote(let v):
                    queue.insert((to, .vote(v)), at: 0)
                    for j in 0..<4 where j != to { queue.append((j, .vote(v))) }
                case .decide(_, _, let id, let commit):
                    decided[to] = id
                    try commit.verify(chainID: f.chainID, validators: f.set, height: 1, blockID: id)
                default: break
                }
            }
        }
        #expect(decided.count == 4 && Set(decided.values) == [A])
    }
}
