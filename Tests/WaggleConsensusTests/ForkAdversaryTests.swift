import Testing
@_spi(Testing) import WaggleConsensus
import WaggleCore
@_spi(Testing) import WaggleSimulation

/// The fork-pushing adversary: forkers that, as proposers, give one valid block to one side of
/// the honest validators and another to the other side, vote for both sides in every round, and
/// have the network delay messages between the sides until GST.
@Suite struct ForkAdversaryTests {
    static let seedsPerChunk: UInt64 = 25

    /// Runs seeds and returns the failures (nil: the run held every invariant).
    static func failures(_ seeds: ClosedRange<UInt64>, _ make: (UInt64) -> SimulationConfig) -> [SimulationFailure] {
        seeds.compactMap { seed -> SimulationFailure? in
            do throws(SimulationFailure) {
                _ = try Simulation(make(seed)).run()
                return nil
            } catch {
                return error
            }
        }
    }

    @Test(arguments: 0..<UInt64(4))
    func forkersUnderAThirdNeverBreakAgreement(chunk: UInt64) {
        let first = 1 + chunk * Self.seedsPerChunk
        for failure in Self.failures(first...(first + Self.seedsPerChunk - 1), { .forkAttack(seed: $0, aboveOneThird: false) }) {
            Issue.record(Comment(rawValue: failure.description))
        }
    }

    @Test func forkersOverAThirdForkAndTheCheckerReportsIt() {
        let found = Self.failures(1...60) { .forkAttack(seed: $0, aboveOneThird: true) }
        #expect(found.contains { $0.invariant == "agreement" }, "no fork found: \(found.map(\.invariant))")
    }

    @Test func anEngineWithoutItsLockChecksFailsTheSweep() {
        let found = Self.failures(1...80) { seed in
            var config = SimulationConfig.forkAttack(seed: seed, aboveOneThird: false)
            config.engineFaults.ignoreLocks = true
            return config
        }
        #expect(found.contains { $0.invariant == "agreement" }, "the mutant passed: \(found.map(\.invariant))")
    }

    @Test func theForkersPlanReallySplitsTheHonestValidators() throws {
        var config = SimulationConfig.forkAttack(seed: 3, aboveOneThird: false)
        let forkers = config.behaviours.filter { $0 == .forker }.count
        #expect(forkers >= 1)
        config.targetHeight = 3
        let report = try Simulation(config).run()
        // Forkers sign two blocks per round: honest validators see both and report evidence.
        #expect(report.evidenceEmitted > 0)
        #expect(report.chain.count == 3)
    }

    @Test func guardDiskFailuresHaltTheEngineAndTheRestartedNodeCatchesUp() throws {
        var config = SimulationConfig(seed: 21, stakes: [10, 10, 10, 10])
        config.gstMs = 3000
        config.diskFailures = [SimDiskFailure(node: 1, startMs: 0, endMs: 2500), SimDiskFailure(node: 2, startMs: 4000, endMs: 4600)]
        config.targetHeight = 6
        let report = try Simulation(config).run()
        #expect(report.haltsOnPersistenceFailure >= 2)
        #expect(report.chain.count == 6)
    }

    @Test func crashesAfterGSTStillReachTheTargetWithoutDoubleSigning() throws {
        for seed in UInt64(31)...36 {
            var config = SimulationConfig(seed: seed, stakes: [10, 10, 10, 10, 10])
            config.gstMs = 1000
            config.crashesMidStep = true
            config.crashes = [SimCrash(node: Int(seed % 5), atMs: 1200 + seed * 11, restartMs: 2000 + seed * 17)]
            config.targetHeight = 6
            let report = try Simulation(config).run()
            #expect(report.chain.count == 6)
            #expect(report.guardedSignatures > 0)
        }
    }

    @Test func theSweepsEnvironmentPicksScenarioAndMutation() {
        let plain = sweepConfig(9, environment: [:])
        #expect(plain == SimulationConfig.random(seed: 9))
        let mutant = sweepConfig(9, environment: ["WAGGLE_SIM_SCENARIO": "fork-attack", "WAGGLE_SIM_MUTATION": "ignore-locks"])
        #expect(mutant.engineFaults.ignoreLocks)
        #expect(mutant.behaviours.contains(.forker))
    }
}
