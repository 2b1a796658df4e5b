import WaggleConsensus
import WaggleCore
import WaggleSimulation

/// One line of the consensus benchmark table.
struct ConsensusBenchmarkRow {
    let name: String
    let value: Double
    let unit: String
}

/// Consensus throughput on the deterministic simulator over a clean network (every proposal and
/// vote Ed25519-signed and verified by every engine), plus the reference it is bounded by: raw
/// Ed25519 verification in the same run.
func runConsensusBenchmarks(quick: Bool) -> [ConsensusBenchmarkRow] {
    var rows: [ConsensusBenchmarkRow] = []
    let clock = ContinuousClock()

    func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    // Reference: Ed25519 verifications per second through WaggleCore.
    if let signer = Signer(seed: [UInt8](repeating: 3, count: 32)) {
        let vote = Vote.sign(chainID: "bench", type: .prevote, height: 1, round: 0, blockID: Hash256.sha256([1]), signer: signer)
        let n = quick ? 2_000 : 20_000
        var ok = 0
        let t = clock.measure {
            for _ in 0..<n where vote.verify(chainID: "bench", publicKey: signer.publicKey) { ok += 1 }
        }
        rows.append(ConsensusBenchmarkRow(name: "reference: Ed25519 vote verify", value: Double(ok) / seconds(t), unit: "verifies/s"))
    }

    // Proposer selection: one IncrementProposerPriority(1) over 150 validators.
    let members = (0..<150).map { ProposerSelection<Int>.Member(key: $0, votingPower: Int64(100 + $0 * 7)) }
    var selection = ProposerSelection<Int>(members: members)
    let increments = quick ? 2_000 : 20_000
    let tSel = clock.measure {
        for _ in 0..<increments { selection.incrementProposerPriority(times: 1) }
    }
    rows.append(ConsensusBenchmarkRow(name: "proposer selection, 150 validators", value: Double(increments) / seconds(tSel), unit: "heights/s"))

    // Whole-network simulation: N engines, each verifying every message it receives.
    let sizes: [(validators: Int, heights: UInt64)] =
        quick ? [(4, 10), (16, 4), (64, 1), (150, 1)] : [(4, 100), (16, 30), (64, 5), (150, 2)]
    for (n, heights) in sizes {
        var config = SimulationConfig(seed: 1, stakes: Array(repeating: 100, count: n))
        config.targetHeight = heights
        config.epochLength = 1_000_000
        config.minDelayMs = 1
        config.maxDelayMs = 5
        config.maxDelayAfterGSTMs = 5
        config.duplicatePerMille = 0
        let sim = Simulation(config)
        var report: SimulationReport?
        let t = clock.measure { report = try? sim.run() }
        guard let report else {
            rows.append(ConsensusBenchmarkRow(name: "simulated network, \(n) validators: FAILED", value: 0, unit: "heights/s"))
            continue
        }
        let s = seconds(t)
        rows.append(ConsensusBenchmarkRow(name: "simulated network, \(n) validators", value: Double(heights) / s, unit: "heights/s"))
        rows.append(
            ConsensusBenchmarkRow(name: "  messages processed, \(n) validators", value: Double(report.engineMessages) / s, unit: "messages/s"))
        // The simulator runs all N validators on one core; one validator does 1/N of that work.
        rows.append(
            ConsensusBenchmarkRow(name: "  one validator's CPU share, \(n) validators", value: Double(heights) * Double(n) / s, unit: "heights/s"))
    }
    return rows
}
