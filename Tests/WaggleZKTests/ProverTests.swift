import Foundation
import Testing
@testable import WaggleZK

struct ProverTests {
    /// x³ + x + 5 = y with y public, plus `extra` chained squarings of x (to grow the circuit).
    static func cubic(x: UInt64, y: UInt64? = nil, extra: Int = 0) -> ConstraintSystem {
        var cs = ConstraintSystem()
        let xv = Fr(x)
        let yv = y.map { Fr($0) } ?? (xv * xv * xv + xv + Fr(5))
        let out = cs.addPublicInput(yv)
        let xVar = cs.addWitness(xv)
        let x2 = cs.addWitness(xv * xv)
        cs.enforce(LinearCombination(xVar), LinearCombination(xVar), LinearCombination(x2), name: "x*x")
        let x3 = cs.addWitness(xv * xv * xv)
        cs.enforce(LinearCombination(x2), LinearCombination(xVar), LinearCombination(x3), name: "x2*x")
        cs.enforce(
            LinearCombination(x3) + xVar + LinearCombination(constant: Fr(5)), LinearCombination(.one),
            LinearCombination(out), name: "sum")
        var cur = xVar, curV = xv
        for i in 0..<extra {
            let nv = curV * curV
            let n = cs.addWitness(nv)
            cs.enforce(LinearCombination(cur), LinearCombination(cur), LinearCombination(n), name: "sq\(i)")
            cur = n; curV = nv
        }
        return cs
    }

    static let setupSeed = Fr(20_240_601)

    @Test func nttRoundTripsAndMatchesNaiveEvaluation() {
        let d = EvaluationDomain(minimumSize: 16)!
        var rng = TestRNG(seed: 5)
        let coeffs = (0..<16).map { _ in rng.fr() }
        var a = coeffs
        d.ntt(&a)
        var x = Fr.one
        for i in 0..<16 {
            var acc = Fr.zero
            for c in coeffs.reversed() { acc = acc * x + c }
            #expect(a[i] == acc, "evaluation \(i)")
            x = x * d.omega
        }
        d.intt(&a)
        #expect(a == coeffs)
        var b = coeffs
        d.cosetNTT(&b)
        d.cosetINTT(&b)
        #expect(b == coeffs)
        // A large (parallel) transform round-trips too.
        let big = EvaluationDomain(minimumSize: 1 << 13)!
        let bc = (0..<big.size).map { _ in rng.fr() }
        var bb = bc
        big.ntt(&bb)
        big.intt(&bb)
        #expect(bb == bc)
    }

    @Test func satisfiabilityCheckNamesFirstFailingConstraint() {
        let good = Self.cubic(x: 3)
        #expect(good.firstUnsatisfiedConstraint() == nil)
        let bad = Self.cubic(x: 3, y: 36)
        #expect(bad.firstUnsatisfiedConstraint()?.index == 2)
        #expect(throws: R1CSError.unsatisfied(index: 2, name: "sum")) { try bad.checkSatisfied() }
    }

    @Test func proofsFromThisProverVerifyAndTamperingFails() throws {
        let cs = Self.cubic(x: 3, extra: 20)
        let pk = try Groth16Setup.generate(cs, randomness: Groth16SetupRandomness(seed: Self.setupSeed))
        let (proof, pub) = try Groth16Prover.prove(pk, cs, r: Fr(11), s: Fr(13))
        #expect(pub == [Fr(35)])
        let vk = PreparedVerifyingKey(pk.verifyingKey)
        #expect(try vk.verify(proof, publicInputs: pub))
        #expect(try vk.verify(proof, publicInputs: [Fr(36)]) == false)
        let a2 = try Groth16Proof(a: G1Projective(proof.a).doubled().affine, b: proof.b, c: proof.c)
        #expect(try vk.verify(a2, publicInputs: pub) == false)
        let b2 = try Groth16Proof(a: proof.a, b: G2Projective(proof.b).doubled().affine, c: proof.c)
        #expect(try vk.verify(b2, publicInputs: pub) == false)
        let c2 = try Groth16Proof(a: proof.a, b: proof.b, c: G1Projective(proof.c).doubled().affine)
        #expect(try vk.verify(c2, publicInputs: pub) == false)
        // Through the snarkjs JSON encoding as well.
        let vk2 = try PreparedVerifyingKey(snarkjsJSON: SnarkJS.encode(pk.verifyingKey))
        #expect(try vk2.verify(proofJSON: SnarkJS.encode(proof), publicJSON: SnarkJS.encode(publicInputs: pub)))
        // A second proof with other blinding differs but verifies; both batch-verify together.
        let (proof2, _) = try Groth16Prover.prove(pk, cs, r: Fr(17), s: Fr(19))
        #expect(proof2 != proof)
        let items = [Groth16BatchItem(proof: proof, publicInputs: pub), Groth16BatchItem(proof: proof2, publicInputs: pub)]
        #expect(vk.batchVerify(items).allValid)
    }

    @Test func keysWithManyPublicInputsVerifyWithoutFixedBaseTables() throws {
        var cs = ConstraintSystem()
        for i in 0..<70 {
            let v = Fr(UInt64(i + 2))
            let x = cs.addPublicInput(v)
            let sq = cs.addWitness(v * v)
            cs.enforce(LinearCombination(x), LinearCombination(x), LinearCombination(sq), name: "sq\(i)")
        }
        let pk = try Groth16Setup.generate(cs, randomness: Groth16SetupRandomness(seed: Fr(3)))
        let vk = PreparedVerifyingKey(pk.verifyingKey)
        #expect(vk.icTables.isEmpty)
        let (proof, pub) = try Groth16Prover.prove(pk, cs, r: Fr(5), s: Fr(6))
        #expect(try vk.verify(proof, publicInputs: pub))
        var bad = pub
        bad[69] = bad[69] + .one
        #expect(try vk.verify(proof, publicInputs: bad) == false)
        let items = [Groth16BatchItem(proof: proof, publicInputs: pub), Groth16BatchItem(proof: proof, publicInputs: bad)]
        #expect(vk.batchVerify(items).invalidIndices == [1])
    }

    @Test func proverRefusesUnsatisfiedOrMismatchedSystems() throws {
        let cs = Self.cubic(x: 3)
        let pk = try Groth16Setup.generate(cs, randomness: Groth16SetupRandomness(seed: Self.setupSeed))
        #expect(throws: R1CSError.unsatisfied(index: 2, name: "sum")) {
            try Groth16Prover.prove(pk, Self.cubic(x: 3, y: 40), r: .one, s: .one)
        }
        #expect(throws: R1CSError.self) { try Groth16Prover.prove(pk, Self.cubic(x: 3, extra: 1), r: .one, s: .one) }
        #expect(throws: Groth16SetupError.zeroRandomness) {
            try Groth16Setup.generate(cs, randomness: Groth16SetupRandomness(tau: .one, alpha: .zero, beta: .one, gamma: .one, delta: .one))
        }
    }

    // MARK: Cross-check with py_ecc

    static let repoRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repoRoot.appendingPathComponent("scripts/zk_verify_pyecc.py")

    static let pyEccAvailable: Bool = {
        guard FileManager.default.fileExists(atPath: script.path) else { return false }
        return (try? runPython(["-c", "import py_ecc.optimized_bn128"]))?.status == 0
    }()

    static func runPython(_ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: pyEccAvailable, "python3 with py_ecc not found; skipping the independent check"))
    func pyEccAcceptsOurProofsAndRejectsTamperedOnes() throws {
        let cs = Self.cubic(x: 4, extra: 3)
        let pk = try Groth16Setup.generate(cs, randomness: Groth16SetupRandomness(seed: Fr(99)))
        let (proof, pub) = try Groth16Prover.prove(pk, cs, r: Fr(23), s: Fr(29))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waggle-zk-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try SnarkJS.writeKeys(pk, to: dir)
        try SnarkJS.writeProof(proof, publicInputs: pub, to: dir)
        try SnarkJS.encode(publicInputs: [pub[0] + .one]).write(to: dir.appendingPathComponent("tampered.json"))
        let vkPath = dir.appendingPathComponent("verification_key.json").path
        let proofPath = dir.appendingPathComponent("proof.json").path
        let good = try Self.runPython([Self.script.path, vkPath, proofPath, dir.appendingPathComponent("public.json").path])
        #expect(good.status == 0, "py_ecc: \(good.output)")
        let bad = try Self.runPython([Self.script.path, vkPath, proofPath, dir.appendingPathComponent("tampered.json").path])
        #expect(bad.status == 1, "py_ecc: \(bad.output)")
    }
}
