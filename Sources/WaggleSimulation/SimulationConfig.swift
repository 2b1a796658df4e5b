import WaggleConsensus
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
            + "partitions=\(partitions.count) crashes=\(crashes.count)\(crashesMidStep ? " mid-step" : "")"
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
        return config
    }
}
