import Foundation
import Testing
@_spi(Testing) import WaggleConsensus
import WaggleCore
@_spi(Testing) import WaggleSimulation

/// The scenario of a seed for the sweeps: `WAGGLE_SIM_SCENARIO` picks `random` (the default),
/// `fork-attack` (forkers just under a third) or `fork-attack-above-third`; and
/// `WAGGLE_SIM_MUTATION=ignore-locks` deletes the engine's lock checks (the sweep must then fail).
func sweepConfig(_ seed: UInt64, environment env: [String: String] = ProcessInfo.processInfo.environment) -> SimulationConfig {
    var config: SimulationConfig
    switch env["WAGGLE_SIM_SCENARIO"] ?? "random" {
    case "fork-attack": config = .forkAttack(seed: seed, aboveOneThird: false)
    case "fork-attack-above-third": config = .forkAttack(seed: seed, aboveOneThird: true)
    default: config = .random(seed: seed)
    }
    if env["WAGGLE_SIM_MUTATION"] == "ignore-locks" { config.engineFaults.ignoreLocks = true }
    return config
}

/// Runs one seeded scenario and records a failure that names the seed, the invariant and the
/// command that replays it.
func runSimulatorSeed(_ seed: UInt64) -> SimulationReport? {
    do {
        return try Simulation(sweepConfig(seed)).run()
    } catch {
        Issue.record(Comment(rawValue: error.description))
        print("SIMULATOR FAILURE \(error.description)")
        return nil
    }
}

@Suite struct SimulatorScenarioTests {
    static let defaultSeeds: UInt64 = 300
    static let chunks: UInt64 = 10

    /// The 300 default seeds, in 10 chunks so Swift Testing can spread them over the cores.
    @Test(arguments: 0..<chunks)
    func defaultSeedsHoldEveryInvariant(chunk: UInt64) {
        let per = Self.defaultSeeds / Self.chunks
        for seed in (chunk * per + 1)...(chunk * per + per) { _ = runSimulatorSeed(seed) }
    }

    @Test func sameSeedReplaysTheSameRun() throws {
        let a = try Simulation(SimulationConfig.random(seed: 42)).run()
        let b = try Simulation(SimulationConfig.random(seed: 42)).run()
        #expect(a.traceHash == b.traceHash)
        #expect(a.messagesDelivered == b.messagesDelivered)
        #expect(a.chain == b.chain && a.chain.count == Int(SimulationConfig.random(seed: 42).targetHeight))
    }

    @Test func equivocatorLosesPowerAtTheNextEpoch() throws {
        var config = SimulationConfig(seed: 7, stakes: [100, 100, 100, 100], behaviours: [.honest, .honest, .honest, .equivocator])
        config.epochLength = 4
        config.targetHeight = 9
        let report = try Simulation(config).run()
        #expect(report.evidenceCommitted > 0)
        let cheat = try #require(Simulation.signer(3)).address
        for (ledger, set) in zip(report.ledgers, report.finalValidatorSets) {
            let i = try #require(ledger.index(of: cheat))
            #expect(ledger.members[i].tombstoned)
            #expect(ledger.members[i].stake == 95)
            #expect(ledger.members[i].reputation == 0)
            #expect(set.index(of: cheat) == nil)
            #expect(set.count == 3)
        }
    }

    @Test func invalidBlocksAreNeverDecidedAndTheChainStillGrows() throws {
        let config = SimulationConfig(seed: 11, stakes: [30, 30, 30, 20], behaviours: [.honest, .honest, .honest, .invalidProposer])
        let report = try Simulation(config).run()
        #expect(report.chain.count == Int(config.targetHeight))
    }

    @Test func silentValidatorsUnderAThirdDoNotStopTheChain() throws {
        let config = SimulationConfig(seed: 12, stakes: [40, 40, 40, 19, 20], behaviours: [.honest, .honest, .honest, .silent, .silent])
        let report = try Simulation(config).run()
        #expect(report.chain.count == Int(config.targetHeight))
        #expect(report.maxRound > 0)
    }

    @Test func partitionWithoutQuorumStallsThenHealsAndDecides() throws {
        var config = SimulationConfig(seed: 13, stakes: [10, 10, 10, 10, 10, 10])
        config.gstMs = 6000
        config.partitions = [SimPartition(startMs: 0, endMs: 6000, side: [0, 1, 2])]
        let report = try Simulation(config).run()
        #expect(report.chain.count == Int(config.targetHeight))
        #expect(report.simulatedMs > 6000)
    }

    @Test func crashedValidatorsRestartFromPersistedStateWithoutDoubleSigning() throws {
        var config = SimulationConfig(seed: 14, stakes: [10, 10, 10, 10])
        config.gstMs = 5000
        config.lossPerMille = 100
        config.crashes = [SimCrash(node: 0, atMs: 400, restartMs: 2500), SimCrash(node: 2, atMs: 3000, restartMs: 3100)]
        let report = try Simulation(config).run()
        #expect(report.chain.count == Int(config.targetHeight))
    }

    @Test func crashesInTheMiddleOfASigningStepRecoverWithoutDoubleSigning() throws {
        // Many seeds, each crashing validators right after their guard persisted a signature and
        // before the checkpoint or the message left; the run fails on any double-sign,
        // disagreement or stall.
        var cut = 0
        for seed in UInt64(1)...12 {
            var config = SimulationConfig(seed: seed, stakes: [10, 10, 10, 10])
            config.gstMs = 4000
            config.lossPerMille = 50
            config.crashesMidStep = true
            config.crashes = [
                SimCrash(node: Int(seed % 4), atMs: 300 + seed * 37, restartMs: 1500 + seed * 53),
                SimCrash(node: Int((seed + 2) % 4), atMs: 2000 + seed * 29, restartMs: 2600 + seed * 31),
            ]
            let report = try Simulation(config).run()
            #expect(report.chain.count == Int(config.targetHeight), "seed \(seed)")
            cut += report.midStepCrashes
        }
        #expect(cut >= 12, "the crashes did land mid-step (\(cut))")
    }

    @Test func failureNamesSeedInvariantAndReplayCommand() {
        let f = SimulationFailure(seed: 1234, invariant: "agreement", detail: "x", timeMs: 5, scenario: "s")
        #expect(f.description.contains("seed 1234"))
        #expect(f.description.contains("agreement"))
        #expect(f.description.contains("make sim FIRST_SEED=1234 SEEDS=1"))
    }
}

/// `make sim SEEDS=N [FIRST_SEED=K]`: runs seeds K..<K+N from WAGGLE_SIM_SEEDS and
/// WAGGLE_SIM_FIRST_SEED; with those unset it runs nothing.
@Suite struct SimulatorSeedSweep {
    static let chunks = 8

    /// Seeds K..<K+N in 8 interleaved chunks, which Swift Testing runs on every core.
    @Test(arguments: 0..<chunks)
    func sweepSeedsFromEnvironment(chunk: Int) {
        let env = ProcessInfo.processInfo.environment
        guard let countText = env["WAGGLE_SIM_SEEDS"], let count = UInt64(countText) else { return }
        let first = env["WAGGLE_SIM_FIRST_SEED"].flatMap { UInt64($0) } ?? 1
        var passed = 0
        var ran = 0
        var worstRecovery: UInt64 = 0
        var maxRound: UInt32 = 0
        for seed in stride(from: first + UInt64(chunk), to: first + count, by: Self.chunks) {
            ran += 1
            if let r = runSimulatorSeed(seed) {
                passed += 1
                worstRecovery = max(worstRecovery, r.msFromGSTToTarget)
                maxRound = max(maxRound, r.maxRound)
            }
        }
        print(
            "SimulatorSeedSweep chunk \(chunk): \(passed)/\(ran) seeds passed (from \(first), every \(Self.chunks)th); "
                + "slowest GST-to-target \(worstRecovery) ms; highest round \(maxRound)")
    }
}
