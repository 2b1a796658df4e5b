import Testing
@_spi(Testing) import WaggleConsensus
import WaggleCore
import WaggleSimulation

/// A reliable network of engines for scripted scenarios: every message reaches every live engine,
/// each engine's own signed messages are handed back to it first (the host contract), and when
/// nothing is in flight the earliest scheduled timeout fires.
struct ScriptedNetwork {
    var engines: [ConsensusStateMachine?]
    let value: Hash256
    private(set) var inbox: [(to: Int, input: ConsensusInput)] = []
    private var timers: [(at: UInt64, seq: Int, to: Int, timeout: ConsensusTimeout)] = []
    private var now: UInt64 = 0
    private var seq = 0
    private(set) var decided: [Int: Hash256] = [:]

    init(engines: [ConsensusStateMachine?], value: Hash256) {
        self.engines = engines
        self.value = value
    }

    mutating func enqueue(_ to: Int, _ input: ConsensusInput) { inbox.append((to, input)) }

    mutating func carryOut(_ i: Int, _ actions: [ConsensusAction]) {
        for action in actions {
            switch action {
            case .requestValue(let h, let r): inbox.append((i, .proposeValue(height: h, round: r, blockID: value)))
            case .broadcastProposal(let p):
                inbox.insert((i, .proposal(p, blockIsValid: true)), at: 0)
                for j in engines.indices where j != i { inbox.append((j, .proposal(p, blockIsValid: true))) }
            case .broadcastVote(let v):
                inbox.insert((i, .vote(v)), at: 0)
                for j in engines.indices where j != i { inbox.append((j, .vote(v))) }
            case .scheduleTimeout(let t, let d):
                timers.append((now + d, seq, i, t))
                seq += 1
            case .decide(_, _, let id, _): decided[i] = id
            default: break
            }
        }
    }

    mutating func run(maxSteps: Int = 20_000) {
        let live = engines.indices.filter { engines[$0] != nil }
        var steps = 0
        while steps < maxSteps, !live.allSatisfy({ decided[$0] != nil }) {
            steps += 1
            if !inbox.isEmpty {
                let (to, input) = inbox.removeFirst()
                guard engines[to] != nil else { continue }
                let out = engines[to]!.handle(input)
                carryOut(to, out)
                continue
            }
            guard let k = timers.indices.min(by: { (timers[$0].at, timers[$0].seq) < (timers[$1].at, timers[$1].seq) }) else { break }
            let t = timers.remove(at: k)
            now = t.at
            guard engines[t.to] != nil else { continue }
            let out = engines[t.to]!.handle(.timeout(t.timeout))
            carryOut(t.to, out)
        }
    }
}

@Suite struct ConsensusHardeningTests {
    let f: ConsensusFixture
    let X = ConsensusFixture.block(1)
    let Y = ConsensusFixture.block(2)

    init() throws { f = try ConsensusFixture(powers: [10, 10, 10, 10]) }

    func guarded(_ i: Int, _ disk: InMemorySignStatePersistence) throws -> ConsensusStateMachine {
        ConsensusStateMachine(chainID: f.chainID, signer: try SignGuard(signer: f.signers[i], persistence: disk))
    }

    // MARK: One signature per step

    /// The review's scenario: 4 equal validators, D silent; A proposes X, B prevotes; C receives
    /// B's and A's prevotes, then the proposal. C's step used to return [prevote X, precommit X]
    /// and a crash before acting left the guard holding only the precommit, so C's prevote could
    /// never be sent and nobody decided. Now the step signs the prevote alone; after the crash C
    /// recovers it from the guard and the height is decided.
    @Test func crashBetweenTwoSignaturesOfOneStepNoLongerStallsTheHeight() throws {
        let a = f.proposerIndex(round: 0)
        let d = (0..<4).first { $0 != a && f.proposerIndex(round: 1) != $0 } ?? (a + 1) % 4
        let rest = (0..<4).filter { $0 != a && $0 != d }
        let (b, c) = (rest[0], rest[1])
        let disks = (0..<4).map { _ in InMemorySignStatePersistence() }
        var engineA = try guarded(a, disks[a])
        var engineB = try guarded(b, disks[b])
        var engineC = try guarded(c, disks[c])

        _ = engineA.handle(f.start())
        var outA = engineA.handle(.proposeValue(height: 1, round: 0, blockID: X))
        let proposal = try #require(outA.proposals.first)
        if outA.votes.isEmpty { outA += engineA.handle(.proposal(proposal, blockIsValid: true)) }
        let prevoteA = try #require(outA.votes.first)
        _ = engineB.handle(f.start())
        let prevoteB = try #require(engineB.handle(.proposal(proposal, blockIsValid: true)).votes.first)

        var checkpointC: ConsensusCheckpoint?
        for input in [f.start(), .vote(prevoteB), .vote(prevoteA)] {
            for case .persistCheckpoint(let cp) in engineC.handle(input) { checkpointC = cp }
        }
        let step = engineC.handle(.proposal(proposal, blockIsValid: true))
        #expect(step.votes.count == 1, "one signature per step")
        #expect(step.votes.first?.type == .prevote && step.votes.first?.blockID == X)
        #expect(engineC.hasPendingStep, "the precommit waits for the host to hand the prevote back")
        #expect(try disks[c].load()?.step == SignStep.prevote.rawValue)

        // C crashes before carrying out anything of that step, and restarts from its disk.
        let restartedC = try guarded(c, disks[c])
        var net = ScriptedNetwork(engines: [nil, nil, nil, nil], value: X)
        net.engines[a] = engineA
        net.engines[b] = engineB
        net.engines[c] = restartedC
        net.enqueue(a, .vote(prevoteA))
        net.enqueue(b, .vote(prevoteB))
        net.enqueue(a, .vote(prevoteB))
        net.enqueue(b, .vote(prevoteA))
        net.enqueue(c, f.start(checkpoint: checkpointC))
        // Peers' gossip brings C the height's messages again.
        net.enqueue(c, .proposal(proposal, blockIsValid: true))
        net.enqueue(c, .vote(prevoteA))
        net.enqueue(c, .vote(prevoteB))
        net.run()
        #expect(net.decided[a] == X && net.decided[b] == X && net.decided[c] == X, "decided: \(net.decided)")
    }

    @Test func stepsThatWouldSignTwiceWaitForTheHostToHandBackTheFirstSignature() throws {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        let others = (0..<4).filter { $0 != me }
        _ = m.handle(.vote(f.vote(others[0], .prevote, round: 0, X)))
        _ = m.handle(.vote(f.vote(others[1], .prevote, round: 0, X)))
        let first = m.handle(.proposal(f.proposal(round: 0, X), blockIsValid: true))
        #expect(first.votes.map(\.type) == [.prevote])
        let prevote = try #require(first.votes.first)
        let second = m.handle(.vote(prevote))
        #expect(second.votes.map(\.type) == [.precommit] && second.votes.first?.blockID == X)
        #expect(m.locked == .init(round: 0, blockID: X))
    }

    @Test func aTimeoutArrivingInAStepThatSignedIsDeferredNotLost() throws {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        let others = (0..<4).filter { $0 != me }
        for i in others { _ = m.handle(.vote(f.vote(i, .prevote, round: 0, nil))) }
        // The propose timeout signs a nil prevote; the nil polka's precommit waits for the next
        // input even when that input is another timeout.
        let fired = m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .propose)))
        #expect(fired.votes.map(\.type) == [.prevote])
        let next = m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .prevote)))
        #expect(next.votes.map(\.type) == [.precommit] && next.votes.first?.blockID == nil)
    }

    // MARK: Guard persistence failures

    @Test func aGuardThatCannotPersistHaltsTheEngineInsteadOfSkippingTheVote() throws {
        let me = f.nonProposer(round: 0)
        let disk = InMemorySignStatePersistence()
        var m = try guarded(me, disk)
        _ = m.handle(f.start())
        disk.setFailing(true)
        let out = m.handle(.proposal(f.proposal(round: 0, X), blockIsValid: true))
        #expect(out.votes.isEmpty)
        #expect(out.contains { if case .halted(let why) = $0 { return why.code == .persistenceFailed } else { return false } })
        #expect(m.isHalted)
        // Nothing moves a halted engine: no timeout, no vote makes it sign around the gap.
        #expect(m.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .propose))).isEmpty)
        for i in 0..<4 where i != me { #expect(m.handle(.vote(f.vote(i, .prevote, round: 0, X))).isEmpty) }
        // Restarted once the disk works, it casts the vote it could not persist.
        disk.setFailing(false)
        var restarted = try guarded(me, disk)
        _ = restarted.handle(f.start())
        let again = restarted.handle(.proposal(f.proposal(round: 0, X), blockIsValid: true))
        #expect(again.votes.map(\.blockID) == [X])
    }

    // MARK: Bounded memory

    @Test func aValidatorFloodingFutureRoundsOpensAtMostTwoOfThem() throws {
        let g = try ConsensusFixture(powers: Array(repeating: 1, count: 200))
        let me = g.nonProposer(round: 0)
        var m = g.machine(me)
        _ = m.handle(g.start())
        let cheat = (me + 1) % 200
        for r in UInt32(2)...1_001 {
            _ = m.handle(.vote(g.vote(cheat, .prevote, round: r, nil)))
            _ = m.handle(.vote(g.vote(cheat, .precommit, round: r, nil)))
        }
        let sets = try #require(m.voteSet?.allocatedVoteSets)
        #expect(sets <= 2 * HeightVoteSet.maxCatchUpRoundsPerValidator, "\(sets) vote sets after 2,000 signed votes")
        #expect(m.round == 0)
        // A round another validator opened is open to everyone; an honest validator still has its
        // own budget.
        var hvs = try #require(m.voteSet)
        #expect(hvs.add(g.vote((me + 2) % 200, .prevote, round: 2, nil)) == .added)
        #expect(hvs.add(g.vote((me + 2) % 200, .prevote, round: 5_000, nil)) == .added)
        #expect(hvs.add(g.vote(cheat, .prevote, round: 6_000, nil)) == .rejected(.unwantedRound))
    }

    @Test func aProposalsSignatureIsCheckedBeforeItsRoundsProposerIsComputed() throws {
        var m = f.machine(f.nonProposer(round: 0))
        _ = m.handle(f.start())
        var forged = Proposal.sign(chainID: f.chainID, height: 1, round: 9_000, polRound: nil, blockID: X, signer: f.signers[0])
        forged.blockID = Y
        _ = m.handle(.proposal(forged, blockIsValid: true))
        #expect(m.computedProposerRounds == 0)
        let stranger = try #require(Signer(seed: [UInt8](repeating: 3, count: 32)))
        _ = m.handle(.proposal(Proposal.sign(chainID: f.chainID, height: 1, round: 9_000, polRound: nil, blockID: X, signer: stranger), blockIsValid: true))
        #expect(m.computedProposerRounds == 0)
    }

    // MARK: One shared guard

    @Test func aCopiedEngineCannotDoubleSignThroughTheSameGuard() throws {
        let me = f.nonProposer(round: 0)
        let disk = InMemorySignStatePersistence()
        var engine = try guarded(me, disk)
        _ = engine.handle(f.start())
        var copy = engine  // a retained snapshot, as under reentrancy
        let fromCopy = copy.handle(.proposal(f.proposal(round: 0, X), blockIsValid: true))
        #expect(fromCopy.votes.map(\.blockID) == [X])
        let fromOriginal = engine.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .propose)))
        // The original would prevote nil; the shared guard read the persisted prevote for X, refused,
        // and the engine re-cast that one instead.
        #expect(fromOriginal.votes.map(\.blockID) == [X])
        #expect(fromOriginal.contains { if case .signingRefused(_, _, _, let why) = $0 { return why.code == .conflictingSignBytes } else { return false } })
        // So no two different prevotes of this validator exist to make evidence from.
        #expect(Set((fromCopy.votes + fromOriginal.votes).map(\.blockID)).count == 1)
    }

    @Test func twoGuardsOverOneDiskReadWhatTheOtherPersisted() throws {
        let disk = InMemorySignStatePersistence()
        let one = try SignGuard(signer: f.signers[0], persistence: disk)
        let two = try SignGuard(signer: f.signers[0], persistence: disk)
        let bytesX = Vote.signBytes(chainID: f.chainID, type: .prevote, height: 1, round: 0, blockID: X)
        let bytesY = Vote.signBytes(chainID: f.chainID, type: .prevote, height: 1, round: 0, blockID: Y)
        _ = try one.sign(height: 1, round: 0, step: .prevote, signBytes: bytesX)
        #expect(throws: SignRefusal(.conflictingSignBytes, "")) { try two.sign(height: 1, round: 0, step: .prevote, signBytes: bytesY) }
        #expect(two.last?.signBytes == bytesX)
    }

    // MARK: Minor findings

    @Test func aBlockFirstJudgedInvalidCanBeRedeliveredAsValid() throws {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        let p = f.proposal(round: 0, X)
        #expect(m.drive(.proposal(p, blockIsValid: false)).votes.map(\.blockID) == [nil])
        // The host's validation failed transiently; it validates again and hands the block in.
        _ = m.drive(.proposal(p, blockIsValid: true))
        var out: [ConsensusAction] = []
        for i in 0..<4 where i != me { out += m.drive(.vote(f.vote(i, .prevote, round: 0, X))) }
        #expect(out.votes.contains { $0.type == .precommit && $0.blockID == X })
        #expect(m.locked?.blockID == X)
        // A valid verdict never becomes invalid.
        _ = m.drive(.proposal(p, blockIsValid: false))
        #expect(m.locked?.blockID == X)
    }

    @Test func aProposalDroppedInAFloodIsAskedForWhenItsBlockGetsAQuorum() throws {
        let me = f.nonProposer(round: 0)
        var m = f.machine(me)
        _ = m.handle(f.start())
        let proposerSigner = f.signers[f.proposerIndex(round: 0)]
        for n in UInt8(10)..<UInt8(10 + ConsensusStateMachine.maxProposalsPerRound) {
            let junk = Proposal.sign(
                chainID: f.chainID, height: 1, round: 0, polRound: nil, blockID: ConsensusFixture.block(n), signer: proposerSigner)
            _ = m.drive(.proposal(junk, blockIsValid: true))
        }
        let real = f.proposal(round: 0, X)
        #expect(m.drive(.proposal(real, blockIsValid: true)).isEmpty, "the round is full: dropped")
        var out: [ConsensusAction] = []
        for i in 0..<4 where i != me { out += m.drive(.vote(f.vote(i, .prevote, round: 0, X))) }
        #expect(out.contains(.proposalNeeded(height: 1, round: 0, blockID: X)))
        // Asked once; the host hands it in and the engine can lock on it.
        #expect(m.drive(.vote(f.vote(me == 0 ? 1 : 0, .precommit, round: 0, X))).filter { $0 == .proposalNeeded(height: 1, round: 0, blockID: X) }.isEmpty)
        _ = m.drive(.proposal(real, blockIsValid: true))
        #expect(m.valid?.blockID == X)
    }

    @Test func saturatedTimeoutsNeverFireInsteadOfWrappingIntoThePast() throws {
        var config = SimulationConfig(seed: 5, stakes: [10, 10, 10, 10])
        config.timeouts = ConsensusTimeouts(
            proposeBaseMs: .max, proposeDeltaMs: .max, prevoteBaseMs: .max, prevoteDeltaMs: .max, precommitBaseMs: .max, precommitDeltaMs: .max)
        config.targetHeight = 3
        let report = try Simulation(config).run()
        // A wrapped timeout fires at once, before the proposal arrives: nil prevotes, round 1.
        #expect(report.maxRound == 0)
        #expect(report.chain.count == 3)
    }
}
