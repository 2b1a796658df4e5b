import Foundation
import Testing
import WaggleSimulation

/// `WAGGLE_SIM_TRACE_SEED=<seed> swift test ... --filter SimulatorTrace` prints every engine
/// action of that seed's run, one line each (time, node, action). Without the variable it runs
/// nothing.
@Suite struct SimulatorTrace {
    @Test func printsTheActionsOfOneSeed() {
        guard let text = ProcessInfo.processInfo.environment["WAGGLE_SIM_TRACE_SEED"], let seed = UInt64(text) else { return }
        let sim = Simulation(sweepConfig(seed))
        sim.traceLog = { print($0) }
        print(sim.config.summary)
        do { _ = try sim.run() } catch { print(error.description) }
    }
}
