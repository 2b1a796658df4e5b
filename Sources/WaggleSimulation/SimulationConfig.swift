@_spi(Testing) import WaggleConsensus
import WaggleCore

/// How a simulated validator behaves.
public enum SimBehaviour: String, Hashable, Sendable {
    case honest
    /// Never sends anything.
    case silent
    /// Signs two different proposals and votes (no guard) and spreads them among its peers.
    case equivocator
    /// Follows the protocol but proposes blocks the application rejects.
    case invalidProposer
    /// Pushes both sides of a fork, in coordination with the other forkers (no guard): as
    /// proposer it sends one valid block to one side of the honest validators and another valid
    /// block to the other side; in every round it prevotes and precommits, to each side, the
    /// block that side was given. Before GST the network delays messages between the sides.
    case forker
}

/// The disk under a validator's double-sign guard refuses writes in [start, end): the engine
/// halts on the failed signature and the node is restarted until the disk works again.
public struct SimDiskFailure: Hashable, Sendable {
    public var node: Int
    public var startMs: UInt64
    public var endMs: UInt64
    public init(node: Int, startMs: UInt64, endMs: UInt64) {
        self.node = node
        self.startMs = startMs
        self.endMs = endMs
    }
}

/// A network partition: nodes in `side` cannot exchange messages with the others in [start, end).
public struct SimPartition: Hashable, Sendable {
    public var startMs: UInt64
    public var endMs: UInt64
    public var side: [Int]
    public init(startMs: UInt64, endMs: UInt64, side: [Int]) {
        self.startMs = startMs
        self.endMs = endMs
        self.side = side
    }
}

/// A crash of node `node` at `atMs`; it restarts from its persisted state at `restartMs`.
public struct SimCrash: Hashable, Sendable {
    public var node: Int
    public var atMs: UInt64
    public var restartMs: UInt64
    public init(node: Int, atMs: UInt64, restartMs: UInt64) {
        self.node = node
        self.atMs = atMs
        self.restartMs = restartMs
    }
}

public struct SimulationConfig: Hashable, Sendable {
    public var seed: UInt64
    public var chainID = "waggle-sim"
    public var stakes: [UInt64]
    public var reputations: [UInt64]
    public var reputationGrowthPerEpoch: [UInt64]
    public var maxReputation: UInt64 = 1000
    public var multiplier: UInt64 = 2
    public var behaviours: [SimBehaviour]
    public var epochLength: UInt64 = 3
    public var targetHeight: UInt64 = 5
    public var timeouts = ConsensusTimeouts(
        proposeBaseMs: 300, proposeDeltaMs: 100, prevoteBaseMs: 150, prevoteDeltaMs: 50, precommitBaseMs: 150, precommitDeltaMs: 50)
    public var evidenceParams = EvidenceParams(maxAgeBlocks: 20, maxAgeMs: 60_000)

    // Network before GST: anything goes (within these bounds); after GST: no loss, no partition,
    // delays at most `maxDelayAfterGSTMs`.
    public var gstMs: UInt64 = 0
    public var lossPerMille: UInt64 = 0
    public var duplicatePerMille: UInt64 = 0
    public var minDelayMs: UInt64 = 1
    public var maxDelayMs: UInt64 = 50
    public var maxDelayAfterGSTMs: UInt64 = 50
    public var partitions: [SimPartition] = []
    public var crashes: [SimCrash] = []
    /// When set, a crash waits for the node's next engine step that signs something and lands in
    /// the middle of it: after the guard persisted the signature, before the host carried out the
    /// rest (the checkpoint, the broadcast, the record of its own messages).
    public var crashesMidStep = false
    /// Windows in which a validator's guard cannot persist (a full or failing disk).
    public var diskFailures: [SimDiskFailure] = []
    /// Before GST, messages between honest validators on different sides of the forkers' split
    /// of a round are delayed by this much more (the adversary's help from the network).
    public var adversaryDelayMs: ClosedRange<UInt64> = 0...0
    /// Faults injected into honest engines (mutation tests only: the sweep must fail with them).
    @_spi(Testing) public var engineFaults = ConsensusFaults()
    /// After GST every honest validator must reach `targetHeight` within this much simulated time.
    public var progressBoundMs: UInt64 = 120_000
    /// Per (peer, height/round): how often a node answers a lagging peer with catch-up data.
    public var catchUpIntervalMs: UInt64 = 200
    /// How often a node re-sends its own latest messages of the current height.
    public var gossipIntervalMs: UInt64 = 1000

    public init(seed: UInt64, stakes: [UInt64], behaviours: [SimBehaviour]? = nil, reputations: [UInt64]? = nil, growth: [UInt64]? = nil) {
        self.seed = seed
        self.stakes = stakes
        self.behaviours = behaviours ?? Array(repeating: .honest, count: stakes.count)
        self.reputations = reputations ?? Array(repeating: 0, count: stakes.count)
        self.reputationGrowthPerEpoch = growth ?? Array(repeating: 0, count: stakes.count)
    }

    public var nodeCount: Int { stakes.count }

    /// One line that says what the scenario is.
    public var summary: String {
        let byz = behaviours.enumerated().filter { $0.element != .honest }.map { "\($0.offset):\($0.element.rawValue)" }
        return "n=\(nodeCount) stakes=\(stakes) byzantine=\(byz) heights=\(targetHeight) epoch=\(epochLength) gst=\(gstMs)ms "
            + "loss=\(lossPerMille)‰ dup=\(duplicatePerMille)‰ delay=\(minDelayMs)-\(maxDelayMs)ms "
            + "partitions=\(partitions.count) crashes=\(crashes.count)\(crashesMidStep ? " mid-step" : "") "
            + "disk-failures=\(diskFailures.count) adversary-delay=\(adversaryDelayMs.lowerBound)-\(adversaryDelayMs.upperBound)ms"
            + (engineFaults.ignoreLocks ? " MUTANT(ignore-locks)" : "")
    }

    /// The random scenario of a seed: 4 to 9 validators with random stake and reputation,
    /// Byzantine validators under a third of the voting power, a lossy, duplicating, reordering
    /// network before GST, partitions that heal, crashes with restarts.
    public static func random(seed: UInt64) -> SimulationConfig {
        var rng = SimRandom(seed: seed ^ 0x5749_4747_4C45)
        let n = rng.int(4...9)
        let equalPower = rng.chance(perMille: 250)
        let stakes = (0..<n).map { _ in equalPower ? 100 : rng.inRange(10...100) }
        let reputations = (0..<n).map { _ in equalPower ? 0 : rng.inRange(0...1000) }
        var config = SimulationConfig(seed: seed, stakes: stakes, reputations: reputations)
        config.multiplier = rng.inRange(1...3)
        config.epochLength = rng.inRange(2...4)
        config.targetHeight = rng.inRange(4...6)
        config.reputationGrowthPerEpoch = (0..<n).map { _ in rng.chance(perMille: 300) ? rng.inRange(0...200) : 0 }

        // Byzantine validators: a random subset whose voting power stays under a third.
        let power = (0..<n).map {
            VotingPower.compute(stake: stakes[$0], reputation: reputations[$0], maxReputation: config.maxReputation, multiplier: config.multiplier)
        }
        let total = power.reduce(0, +)
        var byzPower: UInt64 = 0
        var order = Array(0..<n)
        rng.shuffle(&order)
        if rng.chance(perMille: 700) {
            let wanted = rng.int(1...3)
            for i in order.prefix(wanted) where 3 * (byzPower + power[i]) < total {
                byzPower += power[i]
                let kinds: [SimBehaviour] = [.equivocator, .silent, .invalidProposer, .equivocator]
                config.behaviours[i] = kinds[rng.int(0...kinds.count - 1)]
                config.reputationGrowthPerEpoch[i] = 0
            }
        }
        let honest = (0..<n).filter { config.behaviours[$0] == .honest }

        config.gstMs = rng.chance(perMille: 150) ? 0 : rng.inRange(500...8000)
        config.lossPerMille = rng.chance(perMille: 300) ? 0 : rng.inRange(0...250)
        config.duplicatePerMille = rng.inRange(0...100)
        config.minDelayMs = rng.inRange(1...10)
        config.maxDelayMs = config.minDelayMs + rng.inRange(5...400)
        config.maxDelayAfterGSTMs = rng.inRange(5...60)
        if config.gstMs > 0, rng.chance(perMille: 400) {
            let start = rng.inRange(0...config.gstMs / 2)
            let end = rng.inRange(start + 1...config.gstMs)
            var side = honest
            rng.shuffle(&side)
            config.partitions = [SimPartition(startMs: start, endMs: end, side: Array(side.prefix(max(1, side.count / 2))).sorted())]
        }
        if config.gstMs > 0, rng.chance(perMille: 400) {
            var candidates = honest
            rng.shuffle(&candidates)
            for node in candidates.prefix(rng.int(1...2)) {
                let at = rng.inRange(0...config.gstMs)
                let restart = rng.inRange(at + 1...config.gstMs + 1)
                config.crashes.append(SimCrash(node: node, atMs: at, restartMs: restart))
            }
            // Every other seed with crashes crashes mid-step (decided by the seed alone, so the
            // scenario's other random draws are the same as before this option existed).
            config.crashesMidStep = seed & 1 == 1
        }
        // Drawn after everything above, so the rest of a seed's scenario is what it was before
        // these options existed.
        if rng.chance(perMille: 350) { config.addForkers(maxShareBelowOneThird: true, &rng) }
        let honestNow = (0..<n).filter { config.behaviours[$0] == .honest }
        if rng.chance(perMille: 200), let node = honestNow.randomElement(using: &rng) {
            // A crash after GST: the chain must still reach the target within the bound.
            let at = config.gstMs + rng.inRange(0...3000)
            config.crashes.append(SimCrash(node: node, atMs: at, restartMs: at + rng.inRange(200...2000)))
        }
        if rng.chance(perMille: 200), let node = honestNow.randomElement(using: &rng) {
            let start = rng.inRange(0...config.gstMs + 2000)
            config.diskFailures.append(SimDiskFailure(node: node, startMs: start, endMs: start + rng.inRange(100...1500)))
        }
        return config
    }

    /// Turns validators into coordinated forkers holding as much power as stays under a third
    /// (or, with `maxShareBelowOneThird: false`, just above a third), the others honest, with a
    /// network that delays messages between the forkers' two sides until GST.
    public mutating func addForkers(maxShareBelowOneThird: Bool, _ rng: inout SimRandom) {
        let n = nodeCount
        let power = (0..<n).map {
            VotingPower.compute(stake: stakes[$0], reputation: reputations[$0], maxReputation: maxReputation, multiplier: multiplier)
        }
        let total = power.reduce(0, +)
        var order = Array(0..<n)
        rng.shuffle(&order)
        // Least power first, so the share lands as close under (or over) a third as it can.
        order.sort { power[$0] < power[$1] }
        behaviours = Array(repeating: .honest, count: n)
        var byz: UInt64 = 0
        for i in order {
            if maxShareBelowOneThird {
                guard 3 * (byz + power[i]) < total else { continue }
            } else if 3 * byz > total {
                break
            }
            byz += power[i]
            behaviours[i] = .forker
            reputationGrowthPerEpoch[i] = 0
        }
        if gstMs == 0 { gstMs = rng.inRange(2000...8000) }
        let low = rng.inRange(100...600)
        adversaryDelayMs = low...(low + rng.inRange(100...2000))
    }

    /// A scenario built for the fork-pushing adversary alone: 4 to 9 validators of close stakes,
    /// forkers just under (or just over) a third of the power, GST late, no loss.
    public static func forkAttack(seed: UInt64, aboveOneThird: Bool) -> SimulationConfig {
        var rng = SimRandom(seed: seed ^ 0x464F_524B)
        let n = rng.int(4...9)
        let stakes = (0..<n).map { _ in rng.inRange(90...110) }
        var config = SimulationConfig(seed: seed, stakes: stakes)
        config.targetHeight = rng.inRange(3...5)
        config.epochLength = 100
        config.gstMs = rng.inRange(4000...10000)
        config.minDelayMs = 1
        config.maxDelayMs = rng.inRange(5...80)
        config.maxDelayAfterGSTMs = rng.inRange(5...40)
        config.addForkers(maxShareBelowOneThird: !aboveOneThird, &rng)
        return config
    }
}

extension Array {
    /// A deterministic pick with the simulator's generator.
    func randomElement(using rng: inout SimRandom) -> Element? {
        isEmpty ? nil : self[rng.int(0...count - 1)]
    }
}
