import Foundation
import WaggleZK

/// One row of the ZK benchmark report.
struct ZKBenchmarkRow {
    let name: String
    let value: Double
    let unit: String
    /// What the figure is compared with (a target or a reference implementation).
    let reference: String?
    /// value / reference value, when there is one (< 1 is better for times, > 1 for throughput).
    let ratio: Double?
}

/// Runs WaggleZK's benchmarks (pairing, Groth16 verification, batch verification at 1/8/64 proofs,
/// G1 MSM and NTT at 2^16, a proof of ~2^16 constraints) and mcl's pairing through the mclbn256
/// PyPI package in the same run (scripts/zk_mcl_pairing.py): the pairing row's ratio is ours / mcl.
/// Without python3 or mclbn256 the pairing row says so and has no ratio.
func runZKBenchmarks(quick: Bool) -> [ZKBenchmarkRow] {
    let targets: [String: (Double, String)] = [
        "groth16_verify": (1500, "target < 1.5 ms"),
        "groth16_batch_verify_64_per_proof": (400, "target < 0.4 ms/proof"),
        "prover_throughput": (50_000, "target > 50,000 constraints/s"),
    ]
    var rows = [ZKBenchmarkRow]()
    let measurements = ZKBenchmarkSuite.measure(quick: quick)
    let mcl = mclPairing(runs: quick ? 100 : 1000)
    for m in measurements {
        let name = m.checksPassed == m.runs ? m.name : "\(m.name) (CHECK FAILED)"
        if m.name == "pairing" {
            // The reference for the pairing is mcl's, measured just after in the same run.
            let reference = mcl.map { "mcl \(String(format: "%.1f", $0.micros)) us (\($0.label)); target ratio <= 1.5" }
                ?? "mcl unavailable (python3 with mclbn256 not found)"
            rows.append(ZKBenchmarkRow(name: name, value: m.value, unit: m.unit, reference: reference, ratio: mcl.map { m.value / $0.micros }))
            continue
        }
        let t = targets[m.name]
        rows.append(ZKBenchmarkRow(name: name, value: m.value, unit: m.unit, reference: t?.1, ratio: t.map { m.value / $0.0 }))
    }
    if let mcl {
        rows.append(ZKBenchmarkRow(name: "mcl_pairing", value: mcl.micros, unit: "us", reference: mcl.label, ratio: nil))
    }
    return rows
}

/// mcl's full pairing time in microseconds, from scripts/zk_mcl_pairing.py.
private func mclPairing(runs: Int) -> (micros: Double, label: String)? {
    let candidates = [
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/zk_mcl_pairing.py"),
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("scripts/zk_mcl_pairing.py"),
    ]
    guard let script = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", script.path, String(runs)]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0,
        let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let us = obj["pairing_us"] as? Double
    else { return nil }
    return (us, (obj["curve"] as? String) ?? "mcl")
}
