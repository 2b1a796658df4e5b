/// The ZK engine's benchmarks, shared by `waggle zk bench` and the waggle-bench executable.
///
/// This file is the only place in WaggleZK that reads a clock (ContinuousClock, monotonic); it is
/// reachable only from the benchmark entry points, never from verification. Inputs come from this
/// module's own setup and prover with fixed seeds, so no vector files are needed.
public enum ZKBenchmarkSuite {
    static func elapsedSeconds(_ body: () -> Void) -> Double {
        let d = ContinuousClock().measure(body)
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Runs `body` `runs` times after one warm-up; returns seconds per run and the number of
    /// runs that returned true.
    static func time(_ runs: Int, _ body: () -> Bool) -> (Double, Int) {
        _ = body()
        var ok = 0
        let s = elapsedSeconds { for _ in 0..<runs where body() { ok += 1 } }
        return (s / Double(runs), ok)
    }

    /// The circuit used for prover and verifier figures: x³ + x + 5 = y (y public) followed by
    /// `squarings` chained squarings of x, i.e. 3 + squarings constraints.
    public static func benchmarkCircuit(x: UInt64, squarings: Int) -> ConstraintSystem {
        var cs = ConstraintSystem()
        let xv = Fr(x)
        let out = cs.addPublicInput(xv * xv * xv + xv + Fr(5))
        let xVar = cs.addWitness(xv)
        let x2 = cs.addWitness(xv * xv)
        cs.enforce(LinearCombination(xVar), LinearCombination(xVar), LinearCombination(x2))
        let x3 = cs.addWitness(xv * xv * xv)
        cs.enforce(LinearCombination(x2), LinearCombination(xVar), LinearCombination(x3))
        cs.enforce(
            LinearCombination(x3) + xVar + LinearCombination(constant: Fr(5)), LinearCombination(.one), LinearCombination(out))
        var cur = xVar, curV = xv
        for _ in 0..<squarings {
            let nv = curV * curV
            let n = cs.addWitness(nv)
            cs.enforce(LinearCombination(cur), LinearCombination(cur), LinearCombination(n))
            cur = n; curV = nv
        }
        return cs
    }

    public static func measure(quick: Bool) -> [ZKBenchmarkMeasurement] {
        var out = [ZKBenchmarkMeasurement]()
        func add(_ name: String, _ v: Double, _ unit: String, _ ok: Int, _ runs: Int) {
            out.append(ZKBenchmarkMeasurement(name: name, value: v, unit: unit, checksPassed: ok, runs: runs))
        }
        let g1 = G1Affine.generator, g2 = G2Affine.generator
        let reps = quick ? 10 : 100

        // Pairing (including the G2 line precomputation).
        let (tp, okp) = time(reps) { !Pairing.pairing(g1, g2).isOne }
        add("pairing", tp * 1e6, "us", okp, reps)
        let (tl, okl) = time(reps) { !Pairing.multiMillerLoop([(g1, G2Prepared(g2))]).isOne }
        add("miller_loop", tl * 1e6, "us", okl, reps)
        let prepared = G2Prepared(g2)
        let (tm, okm) = time(reps) { !Pairing.multiMillerLoop([(g1, prepared)]).isOne }
        add("miller_loop_prepared", tm * 1e6, "us", okm, reps)
        let ml = Pairing.multiMillerLoop([(g1, prepared)])
        let (tf, okf) = time(reps) { !Pairing.finalExponentiation(ml).isOne }
        add("final_exponentiation", tf * 1e6, "us", okf, reps)

        // Groth16 verification on a small circuit with one public input.
        let small = benchmarkCircuit(x: 3, squarings: 8)
        guard let pk = try? Groth16Setup.generate(small, randomness: Groth16SetupRandomness(seed: Fr(7))) else { return out }
        let vk = PreparedVerifyingKey(pk.verifyingKey)
        let proofs: [Groth16BatchItem] = Parallel.map(count: 64) { i in
            let (p, pub) = try! Groth16Prover.prove(pk, small, r: Fr(UInt64(2 * i + 3)), s: Fr(UInt64(2 * i + 5)))
            return Groth16BatchItem(proof: p, publicInputs: pub)
        }
        let (tv, okv) = time(reps) { (try? vk.verify(proofs[0].proof, publicInputs: proofs[0].publicInputs)) ?? false }
        add("groth16_verify", tv * 1e6, "us", okv, reps)
        for n in [1, 8, 64] {
            let items = Array(proofs.prefix(n))
            let runs = max(2, reps * 4 / n)
            let (tb, okb) = time(runs) { vk.batchVerify(items).combinedCheckPassed }
            add("groth16_batch_verify_\(n)_per_proof", tb * 1e6 / Double(n), "us", okb, runs)
        }

        // G1 MSM and NTT.
        let logN = quick ? 12 : 16
        let n = 1 << logN
        let scalars: [Fr] = (0..<n).map { i in
            (try? Poseidon.hash([Fr(UInt64(i))])) ?? Fr(UInt64(i + 1))
        }
        let bases = FixedBaseTable(G1Projective.generator).multiplyMany(scalars)
        let raw = scalars.map { $0.value }.reversed() as [UInt256]
        let (tmsm, okmsm) = time(quick ? 2 : 5) { !MultiScalarMultiplication.compute(bases: bases, scalars: raw).isIdentity }
        add("g1_msm_2^\(logN)", tmsm * 1e3, "ms", okmsm, quick ? 2 : 5)
        if let domain = EvaluationDomain(minimumSize: n) {
            var poly = scalars
            let (tn, okn) = time(quick ? 5 : 20) {
                domain.ntt(&poly)
                return !poly[0].isZero
            }
            add("ntt_2^\(logN)", tn * 1e3, "ms", okn, quick ? 5 : 20)
        }

        // Prover on a circuit of 2^logN rows (constraints + the public-input rows).
        let big = benchmarkCircuit(x: 5, squarings: n - 5)
        if let bigPK = try? Groth16Setup.generate(big, randomness: Groth16SetupRandomness(seed: Fr(11))) {
            let bigVK = PreparedVerifyingKey(bigPK.verifyingKey)
            var proof: (Groth16Proof, [Fr])? = nil
            let (tpr, _) = time(1) {
                proof = try? Groth16Prover.prove(bigPK, big, r: Fr(3), s: Fr(4))
                return proof != nil
            }
            let ok = proof.map { (try? bigVK.verify($0.0, publicInputs: $0.1)) ?? false } ?? false
            add("prove_\(big.constraints.count)_constraints", tpr * 1e3, "ms", ok ? 1 : 0, 1)
            add("prover_throughput", Double(big.constraints.count) / tpr, "constraints/s", ok ? 1 : 0, 1)
        }
        return out
    }

    /// `measure(quick:)` as printable lines.
    public static func run(quick: Bool) -> [String] {
        measure(quick: quick).map { m in
            let v = m.value >= 100 ? String(Int(m.value.rounded())) : String(Double(Int(m.value * 100)) / 100)
            return "\(m.name): \(v) \(m.unit)\(m.checksPassed == m.runs ? "" : "  (CHECK FAILED \(m.checksPassed)/\(m.runs))")"
        }
    }
}
