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
/// PyPI package in the same run (scripts/zk_mcl_pairing.py).
///
/// mcl is timed on two curves. The pairing row's ratio is against mcl on alt_bn128 (mcl's
/// MCL_BN_SNARK1), the same curve and pairing as ours; mcl's default curve (its own 254-bit BN
/// curve, whose parameter z has three non-zero bits) is printed beside it with its own ratio.
/// Without python3 or mclbn256 the pairing row says so and has no ratio.
func runZKBenchmarks(quick: Bool) -> [ZKBenchmarkRow] {
    let targets: [String: (Double, String)] = [
        "groth16_verify": (1500, "target < 1.5 ms"),
        "groth16_batch_verify_64_per_proof": (400, "target < 0.4 ms/proof"),
        "prover_throughput": (50_000, "target > 50,000 constraints/s"),
    ]
    var rows = [ZKBenchmarkRow]()
    let measurements = ZKBenchmarkSuite.measure(quick: quick)
    let mcl = MCLReference.measure(runs: quick ? 100 : 1000)
    func us(_ v: Double) -> String { String(format: "%.1f us", v) }
    for m in measurements {
        let name = m.checksPassed == m.runs ? m.name : "\(m.name) (CHECK FAILED)"
        switch m.name {
        case "pairing":
            // The reference is mcl's pairing on the same curve, measured just after in the same run.
            let reference = mcl.map {
                "mcl alt_bn128 \(us($0.sameCurve.pairing)); target ratio <= 1.5. "
                    + "mcl's own BN254 curve: \(us($0.defaultCurve.pairing)), ratio \(String(format: "%.2f", m.value / $0.defaultCurve.pairing))"
            } ?? "mcl unavailable (python3 with mclbn256 not found)"
            rows.append(ZKBenchmarkRow(name: name, value: m.value, unit: m.unit, reference: reference, ratio: mcl.map { m.value / $0.sameCurve.pairing }))
        case "miller_loop":
            rows.append(ZKBenchmarkRow(
                name: name, value: m.value, unit: m.unit, reference: mcl.map { "mcl alt_bn128 \(us($0.sameCurve.millerLoop)) (incl. G2 lines)" },
                ratio: mcl.map { m.value / $0.sameCurve.millerLoop }))
        case "final_exponentiation":
            rows.append(ZKBenchmarkRow(
                name: name, value: m.value, unit: m.unit, reference: mcl.map { "mcl alt_bn128 \(us($0.sameCurve.finalExponentiation))" },
                ratio: mcl.map { m.value / $0.sameCurve.finalExponentiation }))
        default:
            let t = targets[m.name]
            rows.append(ZKBenchmarkRow(name: name, value: m.value, unit: m.unit, reference: t?.1, ratio: t.map { m.value / $0.0 }))
        }
    }
    if let mcl {
        let label = mcl.version
        rows.append(ZKBenchmarkRow(name: "mcl_pairing_alt_bn128", value: mcl.sameCurve.pairing, unit: "us", reference: label, ratio: nil))
        rows.append(ZKBenchmarkRow(name: "mcl_pairing_own_bn254_curve", value: mcl.defaultCurve.pairing, unit: "us", reference: "z = -(2^62 + 2^55 + 1)", ratio: nil))
    }
    return rows
}

/// mcl's pairing figures in microseconds, from scripts/zk_mcl_pairing.py.
private struct MCLReference {
    struct Curve {
        let pairing: Double
        let millerLoop: Double
        let finalExponentiation: Double

        init?(_ obj: Any?) {
            guard let o = obj as? [String: Any], let p = o["pairing_us"] as? Double, let m = o["miller_loop_us"] as? Double,
                let f = o["final_exp_us"] as? Double
            else { return nil }
            pairing = p; millerLoop = m; finalExponentiation = f
        }
    }
    let sameCurve: Curve
    let defaultCurve: Curve
    let version: String

    static func measure(runs: Int) -> MCLReference? {
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
        guard p.terminationStatus == 0, let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let same = Curve(obj["alt_bn128"]), let def = Curve(obj["mcl_bn254"])
        else { return nil }
        return MCLReference(sameCurve: same, defaultCurve: def, version: (obj["version"] as? String) ?? "mclbn256")
    }
}
