@_spi(Testing) import WaggleConsensus
import WaggleCore

/// A violated invariant, with what is needed to replay it.
public struct SimulationFailure: Error, CustomStringConvertible, Sendable {
    public let seed: UInt64
    public let invariant: String
    public let detail: String
    public let timeMs: UInt64
    public let scenario: String

    public init(seed: UInt64, invariant: String, detail: String, timeMs: UInt64, scenario: String) {
        self.seed = seed
        self.invariant = invariant
        self.detail = detail
        self.timeMs = timeMs
        self.scenario = scenario
    }

    public var replayCommand: String { "make sim FIRST_SEED=\(seed) SEEDS=1" }
    public var description: String {
        "seed \(seed): invariant '\(invariant)' violated at \(timeMs) ms: \(detail)\n  scenario: \(scenario)\n  replay: \(replayCommand)"
    }
}

public struct SimulationReport: Sendable {
    public var seed: UInt64 = 0
    public var simulatedMs: UInt64 = 0
    public var messagesDelivered = 0
    public var messagesDropped = 0
    public var decisions = 0
    public var maxRound: UInt32 = 0
    public var evidenceCommitted = 0
    public var evidenceEmitted = 0
    public var signingRefusals = 0
    /// Crashes that cut an engine step after its signature was persisted.
    public var midStepCrashes = 0
    /// Engines halted by a guard that could not persist (each followed by a restart).
    public var haltsOnPersistenceFailure = 0
    /// Signatures released by the guards of honest (and invalid-block proposing) validators.
    public var guardedSignatures = 0
    /// Proposals an engine asked for again after dropping them (`proposalNeeded`).
    public var proposalsAskedAgain = 0
    /// Proposals and votes handed to engines (each one signature-checked unless a duplicate).
    public var engineMessages = 0
    /// SHA-256 over every decision (node, height, block id, time): equal for equal seeds.
    public var traceHash = Hash256.zero
    /// The decided block id per height.
    public var chain: [Hash256] = []
    /// Every honest node's final ledger (for the penalty and reputation scenarios).
    public var ledgers: [SimLedger] = []
    /// The validator set each honest node would use for its next height.
    public var finalValidatorSets: [ValidatorSet] = []
    /// Time from GST until the last honest node reached the target height.
    public var msFromGSTToTarget: UInt64 = 0
}

/// The deterministic network simulator: N validators, each a `ConsensusStateMachine` behind a
/// `SignGuard`, a seeded network that delays, loses, duplicates and reorders messages and
/// partitions until GST, crashes and restarts, Byzantine validators, and invariants checked at
/// every step (agreement, validity, commit verification, evidence of every equivocation seen, and
/// progress after GST).
public final class Simulation {
    public let config: SimulationConfig
    private var rng: SimRandom
    /// Where mid-step crashes cut an engine step (its own stream, so the network's draws are
    /// unchanged by the option).
    private var cutRandom: SimRandom
    /// Nodes whose crash is waiting for their next signing step.
    private var crashPending: Set<Int> = []
    private var nodes: [SimNode] = []
    private var queue = EventQueue()
    private var now: UInt64 = 0
    private var decided: [UInt64: Hash256] = [:]
    private var trace = CanonicalEncoder(capacity: 4096)
    private var report = SimulationReport()
    private var failure: SimulationFailure?
    private var reachedTargetAt: UInt64?
    private let engineConfig: ConsensusConfig
    public var maxEvents = 3_000_000
    /// The forkers' plan per (height, round): which honest validators are on side A, and the
    /// block each side is pushed toward.
    private var adversarySides: [HeightRound: [Int]] = [:]
    /// Rounds in which the forkers push every honest validator toward one block.
    private var adversaryPushes: Set<HeightRound> = []
    private var adversaryProposed: Set<HeightRound> = []
    /// (height, round, type) the forkers have voted in.
    private var adversaryVoted: Set<AdversaryVoteKey> = []
    private var adversaryValues: [HeightRound: (a: Hash256?, b: Hash256?)] = [:]
    private var hasForkers: Bool { config.behaviours.contains(.forker) }
    /// Set while a restarted node's logged inputs are fed back (they are not logged twice).
    private var replaying = false
    /// Receives a line per engine action when set (for replaying a seed by hand).
    public var traceLog: ((String) -> Void)?

    public init(_ config: SimulationConfig) {
        self.config = config
        rng = SimRandom(seed: config.seed)
        cutRandom = SimRandom(seed: config.seed ^ 0x4D49_4453_5445_5000)
        engineConfig = ConsensusConfig(timeouts: config.timeouts)
    }

    public static func signer(_ index: Int) -> Signer? {
        var seed = [UInt8](repeating: 0x77, count: 32)
        seed[0] = UInt8(truncatingIfNeeded: index)
        seed[1] = UInt8(truncatingIfNeeded: index >> 8)
        return Signer(seed: seed)
    }

    public func run() throws(SimulationFailure) -> SimulationReport {
        report.seed = config.seed
        try setUp()
        var events = 0
        while failure == nil, reachedTargetAt == nil {
            guard let next = queue.pop() else {
                fail("progress", "no events left before every honest node reached height \(config.targetHeight)")
                break
            }
            if next.time > config.gstMs + config.progressBoundMs {
                now = next.time
                let heights = nodes.filter { $0.behaviour == .honest }.map { $0.chain.count }
                fail("progress", "\(config.progressBoundMs) ms after GST honest heights are \(heights), target \(config.targetHeight); \(laggards())")
                break
            }
            now = next.time
            events += 1
            if events > maxEvents {
                fail("event budget", "more than \(maxEvents) events")
                break
            }
            process(next.event)
        }
        if failure == nil { checkGuardHistories() }
        if let failure { throw failure }
        report.simulatedMs = now
        report.traceHash = Hash256.sha256(trace.bytes)
        report.chain = (1...config.targetHeight).compactMap { decided[$0] }
        let honest = nodes.filter { $0.behaviour == .honest }
        report.ledgers = honest.map(\.ledger)
        report.finalValidatorSets = honest.map(\.validators)
        report.msFromGSTToTarget = now > config.gstMs ? now - config.gstMs : 0
        return report
    }

    // MARK: Setup

    private func setUp() throws(SimulationFailure) {
        var signers: [Signer] = []
        for i in 0..<config.nodeCount {
            guard let s = Self.signer(i) else { throw makeFailure("setup", "no key for node \(i)") }
            signers.append(s)
        }
        let ledger = SimLedger(
            publicKeys: signers.map(\.publicKey), stakes: config.stakes, reputations: config.reputations,
            maxReputation: config.maxReputation, multiplier: config.multiplier, growth: config.reputationGrowthPerEpoch)
        guard let genesis = ledger.validatorSet() else { throw makeFailure("setup", "empty genesis validator set") }
        for i in 0..<config.nodeCount {
            nodes.append(SimNode(index: i, signer: signers[i], behaviour: config.behaviours[i], ledger: ledger, validators: genesis))
        }
        for c in config.crashes {
            queue.push(c.atMs, .crash(c.node))
            queue.push(c.restartMs, .restart(c.node))
        }
        for d in config.diskFailures where nodes.indices.contains(d.node) {
            queue.push(d.startMs, .disk(d.node, failing: true))
            queue.push(d.endMs, .disk(d.node, failing: false))
        }
        for i in nodes.indices where nodes[i].behaviour != .silent { queue.push(0, .restart(i)) }
    }

    private func makeEngine(_ i: Int) -> ConsensusStateMachine? {
        let node = nodes[i]
        switch node.behaviour {
        case .silent, .forker:
            // Forkers run no engine: the adversary (`adversaryPropose`, `adversaryVote`) speaks
            // for them, at every height and round honest validators are still in.
            return nil
        case .equivocator:
            return ConsensusStateMachine(chainID: config.chainID, config: engineConfig, signer: UnguardedSigner(node.signer))
        case .honest, .invalidProposer:
            guard let guarded = try? SignGuard(signer: node.signer, persistence: node.signDisk) else {
                fail("setup", "node \(i) could not load its sign state")
                return nil
            }
            var engine = ConsensusStateMachine(chainID: config.chainID, config: engineConfig, signer: guarded)
            engine.faults = config.engineFaults
            return engine
        }
    }

    // MARK: Events

    private func process(_ event: SimEvent) {
        switch event {
        case .deliver(let to, let from, let message):
            report.messagesDelivered += 1
            deliver(to: to, from: from, message)
        case .timeout(let i, let incarnation, let t):
            guard nodes[i].isAlive, nodes[i].incarnation == incarnation else { return }
            feed(i, .timeout(t))
        case .crash(let i):
            guard nodes[i].isAlive else { return }
            if config.crashesMidStep {
                crashPending.insert(i)
                return
            }
            crash(i)
        case .disk(let i, let failing):
            nodes[i].signDisk.setFailing(failing)
        case .gossip(let i, let incarnation):
            guard nodes[i].isAlive, nodes[i].incarnation == incarnation else { return }
            gossip(i)
            queue.push(now + config.gossipIntervalMs, .gossip(i, incarnation))
        case .restart(let i):
            // A mid-step crash that found no signing step before its restart time happens now.
            if crashPending.remove(i) != nil, nodes[i].isAlive { crash(i) }
            guard !nodes[i].isAlive, nodes[i].behaviour != .silent else { return }
            nodes[i].engine = makeEngine(i)
            queue.push(now + config.gossipIntervalMs, .gossip(i, nodes[i].incarnation))
            nodes[i].firstVote = [:]
            nodes[i].emittedEvidence = []
            let n = nodes[i]
            feed(i, .startHeight(HeightStart(height: n.height, validators: n.validators, proposerSelection: n.selection, checkpoint: n.checkpoint)))
            // Replay the write-ahead log: the inputs the engine had at this height, then what
            // this node sent (duplicates of logged inputs are ignored by the engine).
            replaying = true
            for input in n.walInputs { feed(i, input) }
            replaying = false
            if let (p, block, _) = n.ownProposal, p.height == n.height {
                feed(i, .proposal(p, blockIsValid: nodes[i].validate(block, chainID: config.chainID, params: config.evidenceParams)))
            }
            for v in n.ownVotes where v.height == n.height { feed(i, .vote(v)) }
        }
    }

    /// The node loses everything but its "disk".
    private func crash(_ i: Int) {
        nodes[i].engine = nil
        nodes[i].releasedThisIncarnation = nil
        nodes[i].incarnation += 1
        nodes[i].futureBuffer = []
        nodes[i].lastCatchUp = [:]
        nodes[i].lastRoundCatchUp = [:]
    }

    private func deliver(to i: Int, from j: Int, _ message: SimMessage) {
        guard nodes[i].isAlive, let engineHeight = nodes[i].engine?.height else { return }
        let h = message.height
        if case .decided(let list) = message {
            for d in list where d.block.height >= nodes[i].height {
                if d.block.height == nodes[i].height {
                    syncDecided(i, d)
                } else {
                    buffer(i, from: j, .decided([d]))
                }
            }
            return
        }
        if h > engineHeight {
            buffer(i, from: j, message)
            return
        }
        if h < engineHeight {
            sendDecided(from: i, to: j, height: h)
            return
        }
        switch message {
        case .proposal(let p, let block, let pol):
            deliverProposal(to: i, p, block, pol: pol)
            roundCatchUp(from: i, to: j, peerRound: p.round)
        case .vote(let v):
            feed(i, .vote(v))
            roundCatchUp(from: i, to: j, peerRound: v.round)
        case .roundVotes(let votes):
            for v in votes where v.height == nodes[i].engine?.height { feed(i, .vote(v)) }
        case .decided:
            break
        }
    }

    private func deliverProposal(to i: Int, _ p: Proposal, _ block: SimBlock, pol: [Vote]) {
        guard block.id == p.blockID else { return }
        for v in pol { feed(i, .vote(v)) }
        guard nodes[i].engine?.height == p.height else { return }
        nodes[i].knownBlocks[p.blockID] = block
        if nodes[i].proposals[RoundBlock(round: p.round, blockID: p.blockID)] == nil {
            nodes[i].proposals[RoundBlock(round: p.round, blockID: p.blockID)] = p
        }
        let valid = nodes[i].validate(block, chainID: config.chainID, params: config.evidenceParams)
        feed(i, .proposal(p, blockIsValid: valid))
    }

    private func buffer(_ i: Int, from j: Int, _ message: SimMessage) {
        guard message.height <= nodes[i].height + 20, nodes[i].futureBuffer.count < 4096 else { return }
        nodes[i].futureBuffer.append((j, message))
    }

    /// Replays buffered messages of the node's new height (as events now, in arrival order).
    private func releaseBuffer(_ i: Int) {
        let h = nodes[i].height
        var keep: [(from: Int, message: SimMessage)] = []
        for entry in nodes[i].futureBuffer {
            if entry.message.height == h {
                queue.push(now, .deliver(to: i, from: entry.from, entry.message))
            } else if entry.message.height > h {
                keep.append(entry)
            }
        }
        nodes[i].futureBuffer = keep
    }

    /// CometBFT's gossip routines, reduced: a node periodically re-sends its own proposal and
    /// latest votes of the current height, so messages lost before GST are eventually replaced
    /// and peers learn where it stands (and answer with catch-up data when it lags).
    private func gossip(_ i: Int) {
        let node = nodes[i]
        guard let engine = node.engine, engine.decision == nil else { return }
        for j in nodes.indices where j != i {
            if let (p, block, pol) = node.ownProposal, p.height == engine.height, p.round == engine.round {
                send(from: i, to: j, .proposal(p, block, pol: pol))
            }
            for v in node.ownVotes where v.height == engine.height { send(from: i, to: j, .vote(v)) }
        }
    }

    private func sendDecided(from i: Int, to j: Int, height h: UInt64) {
        guard h >= 1, h < nodes[i].height else { return }
        if let last = nodes[i].lastCatchUp[j], last.key == h, now < last.atMs + config.catchUpIntervalMs { return }
        nodes[i].lastCatchUp[j] = (h, now)
        let end = min(Int(h - 1) + 10, nodes[i].chain.count)
        send(from: i, to: j, .decided(Array(nodes[i].chain[Int(h - 1)..<end])))
    }

    private func roundCatchUp(from i: Int, to j: Int, peerRound: UInt32) {
        guard let engine = nodes[i].engine, peerRound < engine.round, let votes = engine.voteSet else { return }
        let r = engine.round
        if let last = nodes[i].lastRoundCatchUp[j], last.height == engine.height, last.round == r,
            now < last.atMs + config.catchUpIntervalMs
        {
            return
        }
        nodes[i].lastRoundCatchUp[j] = (engine.height, r, now)
        var out = votes.precommits(r - 1)?.allVotes ?? []
        out += votes.prevotes(r)?.allVotes ?? []
        out += votes.precommits(r)?.allVotes ?? []
        if !out.isEmpty { send(from: i, to: j, .roundVotes(out)) }
    }

    // MARK: Engine

    /// Hands one input to node i's engine and carries out the actions, and the inputs they lead
    /// to, in order.
    private func feed(_ i: Int, _ first: ConsensusInput) {
        var work = [first]
        var next = 0
        while next < work.count, failure == nil {
            let input = work[next]
            next += 1
            guard nodes[i].isAlive else { return }
            if case .vote(let v) = input {
                report.engineMessages += 1
                if !replaying, v.height == nodes[i].engine?.height { nodes[i].walInputs.append(input) }
            }
            if case .proposal(let p, _) = input {
                report.engineMessages += 1
                if !replaying, p.height == nodes[i].engine?.height { nodes[i].walInputs.append(input) }
            }
            let actions = nodes[i].engine?.handle(input) ?? []
            var required: VoteKey?
            if case .vote(let v) = input { required = trackVote(i, v) }
            if let required, !nodes[i].emittedEvidence.contains(required),
                !actions.contains(where: { if case .evidence(let e) = $0 { VoteKey(e.voteA) == required } else { false } })
            {
                fail("evidence", "node \(i) saw two \(required.type)s of \(required.validator) at h=\(required.height) r=\(required.round) and reported no evidence")
            }
            let signedCount = actions.filter(Self.sendsSignedMessage).count
            if signedCount > 1, nodes[i].behaviour == .honest {
                fail("one signature per step", "node \(i)'s engine signed \(signedCount) messages in one step")
                return
            }
            if crashPending.contains(i), let send = actions.firstIndex(where: Self.sendsSignedMessage) {
                // The guard has persisted the step's one signature; the host dies before its
                // write-ahead log and the network saw it, possibly before the checkpoint that came
                // with it. The engine signs one message per step, so this loses only a message
                // the guard still holds.
                crashPending.remove(i)
                let cut = Int(cutRandom.next() % UInt64(send + 1))
                for action in actions.prefix(cut) { carryOut(i, action, &work) }
                report.midStepCrashes += 1
                crash(i)
                return
            }
            for action in actions { carryOut(i, action, &work) }
        }
    }

    private static func sendsSignedMessage(_ action: ConsensusAction) -> Bool {
        switch action {
        case .broadcastVote, .broadcastProposal: true
        default: false
        }
    }

    /// Records the first vote of each (validator, height, round, type) that an honest engine
    /// accepted (it is in the engine's vote set after the step); returns the key when this vote
    /// conflicts with it (evidence is then required). Votes the engine refused (bad signature,
    /// unknown validator, a round no budget opened) require nothing.
    private func trackVote(_ i: Int, _ v: Vote) -> VoteKey? {
        guard nodes[i].behaviour == .honest, let engine = nodes[i].engine, v.height == engine.height,
            engine.voteSet?.votes(v.type, round: v.round)?.allVotes.contains(v) == true
        else { return nil }
        let key = VoteKey(v)
        if let first = nodes[i].firstVote[key] {
            return first != v.blockID ? key : nil
        }
        nodes[i].firstVote[key] = v.blockID
        return nil
    }

    private func carryOut(_ i: Int, _ action: ConsensusAction, _ work: inout [ConsensusInput]) {
        if let traceLog { traceLog("\(now) node \(i): \(Self.describe(action))") }
        switch action {
        case .requestValue(let h, let r):
            let block = buildBlock(i, height: h, round: r)
            nodes[i].knownBlocks[block.id] = block
            work.append(.proposeValue(height: h, round: r, blockID: block.id))
        case .broadcastProposal(let p):
            guard let block = nodes[i].knownBlocks[p.blockID] else { return }
            nodes[i].proposals[RoundBlock(round: p.round, blockID: p.blockID)] = p
            let pol = p.polRound.flatMap { nodes[i].engine?.voteSet?.prevotes($0)?.allVotes.filter { $0.blockID == p.blockID } } ?? []
            nodes[i].ownProposal = (p, block, pol)
            nodes[i].noteReleased(LastSignStateKey(height: p.height, round: p.round, step: SignStep.proposal.rawValue))
            broadcastProposal(from: i, p, block, pol: pol)
            // Logged and sent: handed back so the engine takes its next step (host contract).
            work.append(.proposal(p, blockIsValid: true))
        case .broadcastVote(let v):
            nodes[i].ownVotes.removeAll { $0.height != v.height || $0.round + 1 < v.round || ($0.round == v.round && $0.type == v.type) }
            nodes[i].ownVotes.append(v)
            nodes[i].noteReleased(LastSignStateKey(height: v.height, round: v.round, step: SignStep(v.type).rawValue))
            broadcastVote(from: i, v)
            if hasForkers, nodes[i].behaviour == .honest { adversaryVote(after: v) }
            work.append(.vote(v))
        case .scheduleTimeout(let t, let d):
            // Saturating: a timeout of UInt64.max ms never fires rather than wrapping into the past.
            queue.push(now > UInt64.max - d ? UInt64.max : now + d, .timeout(i, nodes[i].incarnation, t))
            report.maxRound = max(report.maxRound, t.round)
            if hasForkers, t.step == .propose, nodes[i].behaviour == .honest { adversaryPropose(height: t.height, round: t.round, observer: i) }
        case .persistCheckpoint(let cp):
            nodes[i].checkpoint = cp
        case .decide(let h, let r, let id, let commit):
            onDecide(i, height: h, round: r, blockID: id, commit: commit, &work)
        case .evidence(let e):
            // Honest and invalid-block proposers sign through the double-sign guard: evidence
            // against one of them means the guard or the engine's crash recovery let a second,
            // conflicting vote out.
            if let offender = nodes.first(where: { $0.signer.address == e.validator }), offender.behaviour != .equivocator, offender.behaviour != .forker,
                offender.behaviour != .silent
            {
                fail("no double-sign", "node \(offender.index) (\(offender.behaviour)) signed two \(e.voteA.type)s at h=\(e.voteA.height) r=\(e.voteA.round)")
            }
            report.evidenceEmitted += 1
            nodes[i].emittedEvidence.insert(VoteKey(e.voteA))
            nodes[i].addEvidence(e)
        case .signingRefused(let h, let r, let step, let why):
            report.signingRefusals += 1
            // Refusals are legitimate against what an earlier incarnation signed (a restart);
            // against what this very engine released they mean the engine went back on itself,
            // which the guard hides but an engine without one would turn into equivocation.
            if why.code != .persistenceFailed, let mine = nodes[i].releasedThisIncarnation,
                (h, r, step.rawValue) <= (mine.height, mine.round, mine.step)
            {
                fail(
                    "engine regression",
                    "node \(i)'s engine asked to sign \(step) at h=\(h) r=\(r) after it signed step \(mine.step) at h=\(mine.height) r=\(mine.round) itself (\(why.code))")
            }
        case .proposalNeeded(let h, let r, let id):
            report.proposalsAskedAgain += 1
            if let p = nodes[i].proposals[RoundBlock(round: r, blockID: id)], p.height == h, let block = nodes[i].knownBlocks[id] {
                work.append(.proposal(p, blockIsValid: nodes[i].validate(block, chainID: config.chainID, params: config.evidenceParams)))
            }
        case .halted:
            // The guard's disk failed: the process stops and its supervisor restarts it.
            report.haltsOnPersistenceFailure += 1
            crash(i)
            queue.push(now + 300, .restart(i))
        }
    }

    /// Every signature an honest guard released, across crashes and restarts: at most one sign
    /// bytes per (height, round, step), proposals included.
    private func checkGuardHistories() {
        for node in nodes where node.behaviour == .honest || node.behaviour == .invalidProposer {
            var seen: [LastSignStateKey: [UInt8]] = [:]
            for state in node.signDisk.released {
                report.guardedSignatures += 1
                let key = LastSignStateKey(height: state.height, round: state.round, step: state.step)
                if let earlier = seen[key], earlier != state.signBytes {
                    fail("no double-sign", "node \(node.index)'s guard released two different step-\(state.step) messages at h=\(state.height) r=\(state.round)")
                    return
                }
                seen[key] = state.signBytes
            }
        }
    }

    private func onDecide(_ i: Int, height h: UInt64, round r: UInt32, blockID id: Hash256, commit: Commit, _ work: inout [ConsensusInput]) {
        guard let block = nodes[i].knownBlocks[id], let proposal = nodes[i].proposals[RoundBlock(round: r, blockID: id)] else {
            fail("host", "node \(i) decided \(id) at h=\(h) without holding its block and proposal")
            return
        }
        if let next = commitBlock(i, DecidedHeight(block: block, proposal: proposal, commit: commit)) {
            work.append(.startHeight(next))
        }
    }

    /// Block sync: a decided height from a peer, taken when its commit verifies against this
    /// node's validator set for the height and the block is valid. The engine's vote set may not
    /// reach the quorum on its own (it counted an equivocator's other precommit), so sync does not
    /// go through it, as CometBFT's blocksync does not.
    private func syncDecided(_ i: Int, _ d: DecidedHeight) {
        let n = nodes[i]
        guard d.block.height == n.height, d.proposal.blockID == d.block.id, d.commit.blockID == d.block.id,
            (try? d.commit.verify(chainID: config.chainID, validators: n.validators, height: n.height, blockID: d.block.id)) != nil,
            n.validate(d.block, chainID: config.chainID, params: config.evidenceParams)
        else { return }
        if let next = commitBlock(i, d) { feed(i, .startHeight(next)) }
    }

    /// Checks the invariants on a decision, applies the block and returns the next height's start.
    private func commitBlock(_ i: Int, _ d: DecidedHeight) -> HeightStart? {
        let (block, commit, h, id) = (d.block, d.commit, d.block.height, d.block.id)
        if nodes[i].behaviour == .honest {
            if let earlier = decided[h], earlier != id {
                fail("agreement", "node \(i) decided \(id) at height \(h), another honest node decided \(earlier)")
                return nil
            }
            let isFirstDecision = decided[h] == nil
            decided[h] = id
            guard block.isValid, nodes[i].validate(block, chainID: config.chainID, params: config.evidenceParams) else {
                fail("validity", "node \(i) decided the invalid block \(id) at height \(h)")
                return nil
            }
            do {
                try commit.verify(chainID: config.chainID, validators: nodes[i].validators, height: h, blockID: id)
            } catch {
                fail("commit", "node \(i)'s commit for height \(h) does not verify: \(error)")
                return nil
            }
            report.decisions += 1
            if isFirstDecision { report.evidenceCommitted += block.evidence.count }
            trace.u64(UInt64(i))
            trace.u64(h)
            trace.encode(id)
            trace.u64(now)
        }
        nodes[i].apply(d, epochLength: config.epochLength)
        let n = nodes[i]
        releaseBuffer(i)
        if nodes.allSatisfy({ $0.behaviour != .honest || $0.chain.count >= Int(config.targetHeight) }) {
            reachedTargetAt = now
        }
        return HeightStart(height: n.height, validators: n.validators, proposerSelection: n.selection)
    }

    private func buildBlock(_ i: Int, height h: UInt64, round r: UInt32) -> SimBlock {
        let node = nodes[i]
        var evidence: [DuplicateVoteEvidence] = []
        var offenders = Set<Address>()
        for e in node.evidencePool where evidence.count < 10 {
            if offenders.contains(e.validator) { continue }
            if node.evidenceAdmissible(e, chainID: config.chainID, params: config.evidenceParams, height: h, timeMs: now) {
                evidence.append(e)
                offenders.insert(e.validator)
            }
        }
        // The nonce depends only on (seed, node, height, round): a restarted proposer rebuilds the
        // same block body whenever its evidence pool has not changed.
        var mix = SimRandom(seed: config.seed ^ (UInt64(i) << 48) ^ (h << 20) ^ UInt64(r))
        return SimBlock(
            height: h, round: r, proposer: node.signer.address, timeMs: now, nonce: mix.next(),
            isValid: node.behaviour != .invalidProposer, evidence: evidence)
    }

    // MARK: Network

    private func broadcastProposal(from i: Int, _ p: Proposal, _ block: SimBlock, pol: [Vote]) {
        let key = HeightRound(height: p.height, round: p.round)
        if hasForkers, adversaryValues[key] == nil { adversaryValues[key] = (p.blockID, p.blockID) }
        guard nodes[i].behaviour == .equivocator else {
            for j in nodes.indices where j != i { send(from: i, to: j, .proposal(p, block, pol: pol)) }
            return
        }
        var other = block
        other.nonce &+= 1
        let p2 = Proposal.sign(
            chainID: config.chainID, height: p.height, round: p.round, polRound: p.polRound, blockID: other.id, signer: nodes[i].signer)
        for j in nodes.indices where j != i {
            switch rng.below(3) {
            case 0: send(from: i, to: j, .proposal(p, block, pol: pol))
            case 1: send(from: i, to: j, .proposal(p2, other, pol: []))
            default:
                send(from: i, to: j, .proposal(p, block, pol: pol))
                send(from: i, to: j, .proposal(p2, other, pol: []))
            }
        }
    }

    private func broadcastVote(from i: Int, _ v: Vote) {
        guard nodes[i].behaviour == .equivocator else {
            for j in nodes.indices where j != i { send(from: i, to: j, .vote(v)) }
            return
        }
        let otherID: Hash256? = v.blockID == nil ? Hash256.sha256(parts: [[0xEE], v.signature.bytes]) : nil
        let v2 = Vote.sign(chainID: config.chainID, type: v.type, height: v.height, round: v.round, blockID: otherID, signer: nodes[i].signer)
        for j in nodes.indices where j != i {
            switch rng.below(3) {
            case 0: send(from: i, to: j, .vote(v))
            case 1: send(from: i, to: j, .vote(v2))
            default:
                send(from: i, to: j, .vote(v))
                send(from: i, to: j, .vote(v2))
            }
        }
    }

    /// A forker proposes when an honest validator starts a round whose proposer it is: a fresh
    /// valid block to side A, another to side B (never a value some polka made valid, so those
    /// locked on it must rely on their lock). Once an honest validator has decided the height,
    /// one block goes to every honest validator: only the locks of those that precommitted the
    /// decided block stand in the way of a second decision.
    private func adversaryPropose(height h: UInt64, round r: UInt32, observer: Int) {
        let key = HeightRound(height: h, round: r)
        guard adversaryProposed.insert(key).inserted, let proposer = nodes[observer].engine?.proposer(round: r),
            let f = nodes.firstIndex(where: { $0.signer.address == proposer }), nodes[f].behaviour == .forker
        else { return }
        var mix = SimRandom(seed: config.seed ^ 0x464F_524B_4552 ^ (h << 20) ^ UInt64(r))
        let blockA = SimBlock(height: h, round: r, proposer: proposer, timeMs: now, nonce: mix.next(), isValid: true, evidence: [])
        let blockB = SimBlock(height: h, round: r, proposer: proposer, timeMs: now, nonce: mix.next(), isValid: true, evidence: [])
        let pA = Proposal.sign(chainID: config.chainID, height: h, round: r, polRound: nil, blockID: blockA.id, signer: nodes[f].signer)
        let pB = Proposal.sign(chainID: config.chainID, height: h, round: r, polRound: nil, blockID: blockB.id, signer: nodes[f].signer)
        let push = decided[h] != nil
        adversaryValues[key] = push ? (blockA.id, blockA.id) : (blockA.id, blockB.id)
        if push { adversaryPushes.insert(key) }
        let sideA = sides(key)
        for j in nodes.indices where nodes[j].behaviour == .honest {
            if push || sideA.contains(j) {
                send(from: f, to: j, .proposal(pA, blockA, pol: []))
            } else {
                send(from: f, to: j, .proposal(pB, blockB, pol: []))
            }
        }
    }

    /// The first honest vote of a (height, round, type) sets every forker voting: to each honest
    /// validator, the block its side was given (side A's precommits reach its decider alone, so
    /// the rest of side A locks without deciding, the pattern a broken lock turns into a fork a
    /// round later); in a push round, the pushed block to everyone.
    private func adversaryVote(after honest: Vote) {
        let key = HeightRound(height: honest.height, round: honest.round)
        // Before the round has a plan (no proposal seen yet) the forkers echo the honest vote;
        // once it has one they vote the plan, once per (height, round, type).
        let planned = adversaryValues[key]
        if planned != nil {
            guard adversaryVoted.insert(AdversaryVoteKey(height: honest.height, round: honest.round, type: honest.type)).inserted else { return }
        }
        let values = planned ?? (honest.blockID, honest.blockID)
        let sideA = sides(key)
        let push = adversaryPushes.contains(key)
        for f in nodes.indices where nodes[f].behaviour == .forker {
            var signed: [Hash256?: Vote] = [:]
            for j in nodes.indices where nodes[j].behaviour == .honest {
                let target: Hash256? =
                    push ? values.a
                    : sideA.contains(j) ? (honest.type == .precommit && j != decider(key) ? nil : values.a) : values.b
                if signed[target] == nil {
                    signed[target] = Vote.sign(
                        chainID: config.chainID, type: honest.type, height: honest.height, round: honest.round, blockID: target,
                        signer: nodes[f].signer)
                }
                if let vote = signed[target] { send(from: f, to: j, .vote(vote)) }
            }
        }
    }

    /// The forkers' split of the honest validators for a round: side A, a random non-empty
    /// proper subset (drawn from the seed, the height and the round only).
    private func sides(_ key: HeightRound) -> Set<Int> { Set(plan(key)) }

    /// Side A's decider: the one honest validator that hears side A's precommits in time.
    private func decider(_ key: HeightRound) -> Int? { plan(key).first }

    private func plan(_ key: HeightRound) -> [Int] {
        if let known = adversarySides[key] { return known }
        var honest = nodes.indices.filter { nodes[$0].behaviour == .honest }
        var mix = SimRandom(seed: config.seed ^ 0x5349_4445 ^ (key.height << 24) ^ UInt64(key.round))
        mix.shuffle(&honest)
        let size = honest.count < 2 ? honest.count : mix.int(1...honest.count - 1)
        let side = Array(honest.prefix(size))
        adversarySides[key] = side
        return side
    }

    private func send(from i: Int, to j: Int, _ message: SimMessage) {
        let beforeGST = now < config.gstMs
        if beforeGST {
            for p in config.partitions where p.startMs <= now && now < p.endMs && p.side.contains(i) != p.side.contains(j) {
                report.messagesDropped += 1
                return
            }
            if rng.chance(perMille: config.lossPerMille) {
                report.messagesDropped += 1
                return
            }
        }
        let copies = rng.chance(perMille: config.duplicatePerMille) ? 2 : 1
        let extra = beforeGST && hasForkers ? adversaryDelay(from: i, to: j, message) : 0
        for _ in 0..<copies {
            let delay = beforeGST ? rng.inRange(config.minDelayMs...max(config.minDelayMs, config.maxDelayMs)) : rng.inRange(1...max(1, config.maxDelayAfterGSTMs))
            queue.push(now + delay + extra, .deliver(to: j, from: i, message))
        }
    }

    /// The network helps the forkers before GST: honest messages of a round cross from one side
    /// of their split to the other late, precommits reach only side A's decider in time, and
    /// decided heights (block sync) travel late.
    private func adversaryDelay(from i: Int, to j: Int, _ message: SimMessage) -> UInt64 {
        guard nodes[i].behaviour == .honest, nodes[j].behaviour == .honest else { return 0 }
        let round: UInt32
        var carriesPrecommits = false
        switch message {
        case .proposal(let p, _, _): round = p.round
        case .vote(let v):
            round = v.round
            carriesPrecommits = v.type == .precommit
        case .roundVotes(let votes):
            round = votes.first?.round ?? 0
            carriesPrecommits = votes.contains { $0.type == .precommit }
        case .decided:
            // Block sync would hand the decider's block to the others before they move on.
            return rng.inRange(config.adversaryDelayMs)
        }
        let key = HeightRound(height: message.height, round: round)
        let sideA = sides(key)
        // Across the sides everything is late; precommits are late to everyone but the decider.
        guard sideA.contains(i) != sideA.contains(j) || (carriesPrecommits && j != decider(key)) else { return 0 }
        return rng.inRange(config.adversaryDelayMs)
    }

    static func describe(_ a: ConsensusAction) -> String {
        func short(_ id: Hash256?) -> String { id.map { String($0.hex.dropFirst(2).prefix(8)) } ?? "nil" }
        switch a {
        case .requestValue(let h, let r): return "request value h=\(h) r=\(r)"
        case .broadcastProposal(let p): return "propose h=\(p.height) r=\(p.round) pol=\(p.polRound.map(String.init) ?? "-") \(short(p.blockID))"
        case .broadcastVote(let v): return "\(v.type) h=\(v.height) r=\(v.round) \(short(v.blockID))"
        case .scheduleTimeout(let t, let d): return "schedule \(t) in \(d) ms"
        case .persistCheckpoint(let c): return "checkpoint r=\(c.round) locked=\(c.locked.map { "\($0.round):\(short($0.blockID))" } ?? "-") valid=\(c.valid.map { "\($0.round):\(short($0.blockID))" } ?? "-")"
        case .decide(let h, let r, let id, _): return "DECIDE h=\(h) r=\(r) \(short(id))"
        case .evidence(let e): return "evidence against \(e.validator) h=\(e.height)"
        case .signingRefused(let h, let r, let s, let why): return "guard refused \(s) h=\(h) r=\(r): \(why)"
        case .proposalNeeded(let h, let r, let id): return "proposal needed h=\(h) r=\(r) \(short(id))"
        case .halted(let why): return "HALTED: \(why)"
        }
    }

    // MARK: Failures

    private func laggards() -> String {
        nodes.filter { $0.behaviour == .honest && $0.chain.count < Int(config.targetHeight) }.map { n in
            guard let e = n.engine else { return "node \(n.index) down" }
            return "node \(n.index) at h=\(e.height) r=\(e.round) \(e.step) decided=\(e.decision != nil) locked=\(e.locked?.round.description ?? "-") buffered=\(n.futureBuffer.count)"
        }.joined(separator: "; ")
    }

    private func makeFailure(_ invariant: String, _ detail: String) -> SimulationFailure {
        SimulationFailure(seed: config.seed, invariant: invariant, detail: detail, timeMs: now, scenario: config.summary)
    }

    private func fail(_ invariant: String, _ detail: String) {
        if failure == nil { failure = makeFailure(invariant, detail) }
    }
}

struct HeightRound: Hashable {
    let height: UInt64
    let round: UInt32
}

struct AdversaryVoteKey: Hashable {
    let height: UInt64
    let round: UInt32
    let type: VoteType
}

struct LastSignStateKey: Hashable {
    let height: UInt64
    let round: UInt32
    let step: UInt8
}

enum SimEvent {
    case disk(Int, failing: Bool)
    case deliver(to: Int, from: Int, SimMessage)
    case timeout(Int, Int, ConsensusTimeout)
    case crash(Int)
    case restart(Int)
    case gossip(Int, Int)
}

/// A binary min-heap on (time, insertion order): equal times keep FIFO order, so runs replay.
struct EventQueue {
    private struct Entry {
        let time: UInt64
        let seq: UInt64
        let event: SimEvent
        func precedes(_ o: Entry) -> Bool { time != o.time ? time < o.time : seq < o.seq }
    }
    private var heap: [Entry] = []
    private var seq: UInt64 = 0

    mutating func push(_ time: UInt64, _ event: SimEvent) {
        seq += 1
        heap.append(Entry(time: time, seq: seq, event: event))
        var c = heap.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard heap[c].precedes(heap[p]) else { break }
            heap.swapAt(c, p)
            c = p
        }
    }

    mutating func pop() -> (time: UInt64, event: SimEvent)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < heap.count, heap[l].precedes(heap[m]) { m = l }
                if r < heap.count, heap[r].precedes(heap[m]) { m = r }
                if m == p { break }
                heap.swapAt(p, m)
                p = m
            }
        }
        return (top.time, top.event)
    }
}
