import Foundation
import Testing
import WaggleCore
@testable import WaggleZK

/// The three SP1 proofs share one verifying key, so they form a real batch.
struct BatchVerificationTests {
    static func sp1Batch() throws -> (PreparedVerifyingKey, [Groth16BatchItem]) {
        let key = try PreparedVerifyingKey(snarkjsJSON: try Vectors.data("groth16/sp1-arithmetic/verification_key.json"))
        var items = [Groth16BatchItem]()
        for f in ["sp1-arithmetic", "sp1-fibonacci", "sp1-sha256"] {
            items.append(Groth16BatchItem(
                proof: try SnarkJS.parseProof(try Vectors.data("groth16/\(f)/proof.json")),
                publicInputs: try SnarkJS.parsePublicInputs(try Vectors.data("groth16/\(f)/public.json"))))
        }
        return (key, items)
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func batchOfValidProofsPassesTheCombinedCheck() throws {
        let (key, items) = try Self.sp1Batch()
        let r = key.batchVerify(items + items)
        #expect(r.allValid && r.combinedCheckPassed)
        let r2 = try key.batchVerify(items, scalars: [Fr(3), Fr(5), Fr(7)])
        #expect(r2.allValid && r2.combinedCheckPassed)
        #expect(key.batchVerify([]).allValid)
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func failingBatchNamesTheBadProofs() throws {
        var (key, items) = try Self.sp1Batch()
        var inputs = items[1].publicInputs
        inputs[0] = inputs[0] + .one
        items[1] = Groth16BatchItem(proof: items[1].proof, publicInputs: inputs)
        let r = key.batchVerify(items)
        #expect(!r.combinedCheckPassed)
        #expect(r.invalidIndices == [1])
        // A swapped proof (valid points, wrong statement) is caught too.
        items[1] = Groth16BatchItem(proof: items[2].proof, publicInputs: items[0].publicInputs)
        #expect(key.batchVerify(items).invalidIndices == [1])
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func batchReportsWrongInputCountAsInvalid() throws {
        var (key, items) = try Self.sp1Batch()
        items[2] = Groth16BatchItem(proof: items[2].proof, publicInputs: [Fr(1)])
        #expect(key.batchVerify(items).invalidIndices == [2])
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func batchRejectsMissingOrZeroScalars() throws {
        let (key, items) = try Self.sp1Batch()
        #expect(throws: Groth16Error.self) { try key.batchVerify(items, scalars: [Fr(1)]) }
        #expect(throws: Groth16Error.self) { try key.batchVerify(items, scalars: [Fr(1), .zero, Fr(2)]) }
        #expect(try key.batchVerify([], scalars: []).allValid)
    }

    @Test func batchScalarsAreDeterministic128BitAndNonZero() {
        let a = PreparedVerifyingKey.batchScalars(seed: Fr(1), count: 5)
        #expect(a == PreparedVerifyingKey.batchScalars(seed: Fr(1), count: 5))
        #expect(a != PreparedVerifyingKey.batchScalars(seed: Fr(2), count: 5))
        #expect(a.allSatisfy { !$0.isZero && $0.value.bitWidth <= 128 })
        #expect(Set(a.map { $0.value }).count == 5)
    }

    /// A key of the x³ + x + 5 = y circuit and two valid proofs under it (no vector files needed).
    static func localBatch() throws -> (PreparedVerifyingKey, [Groth16BatchItem]) {
        let cs1 = ProverTests.cubic(x: 3), cs2 = ProverTests.cubic(x: 4)
        let pk = try Groth16Setup.generate(cs1, randomness: Groth16SetupRandomness(seed: ProverTests.setupSeed))
        let (p1, x1) = try Groth16Prover.prove(pk, cs1, r: Fr(3), s: Fr(5))
        let (p2, x2) = try Groth16Prover.prove(pk, cs2, r: Fr(7), s: Fr(11))
        return (PreparedVerifyingKey(pk.verifyingKey), [
            Groth16BatchItem(proof: p1, publicInputs: x1), Groth16BatchItem(proof: p2, publicInputs: x2),
        ])
    }

    /// Two invalid proofs that cancel under known coefficients r₁, r₂: C₁' = C₁ + r₂·D and
    /// C₂' = C₂ − r₁·D, so r₁·C₁' + r₂·C₂' = r₁·C₁ + r₂·C₂ and the combined equation still holds.
    static func cancellingPair(_ items: [Groth16BatchItem], knowing r: [Fr]) throws -> [Groth16BatchItem] {
        let d = G1Projective.generator.multiplied(by: UInt256(987_654_321))
        let c1 = (G1Projective(items[0].proof.c) + d.multiplied(by: r[1].value)).affine
        let c2 = (G1Projective(items[1].proof.c) - d.multiplied(by: r[0].value)).affine
        return [
            Groth16BatchItem(proof: try Groth16Proof(a: items[0].proof.a, b: items[0].proof.b, c: c1), publicInputs: items[0].publicInputs),
            Groth16BatchItem(proof: try Groth16Proof(a: items[1].proof.a, b: items[1].proof.b, c: c2), publicInputs: items[1].publicInputs),
        ]
    }

    /// The attack on the old API: whoever knows the seed knows r_i (they depend on the seed and the
    /// position only) and makes two invalid proofs pass as a batch. The public API derives the
    /// coefficients from the batch itself, so the crafted pair changes them and is refused, even
    /// when the attacker crafted it against the coefficients of the honest batch.
    @Test func invalidProofsCancelOnlyUnderCoefficientsTheAttackerKnows() throws {
        let (key, honest) = try Self.localBatch()
        #expect(key.batchVerify(honest).allValid)

        // Old, seed-based scheme: the seed is known, so are the coefficients.
        let seed = Fr(42)
        let forged = try Self.cancellingPair(honest, knowing: PreparedVerifyingKey.batchScalars(seed: seed, count: 2))
        for item in forged { #expect(try key.verify(item.proof, publicInputs: item.publicInputs) == false) }
        let fooled = try key.batchVerify(forged, seed: seed)
        #expect(fooled.combinedCheckPassed && fooled.allValid, "the attack works when the coefficients are known")
        let caught = try key.batchVerify(forged, seed: Fr(43))
        #expect(!caught.combinedCheckPassed && caught.invalidIndices == [0, 1], "and only then")

        // Public API: coefficients from (circuit id, proof, inputs) of every item.
        let r = key.batchVerify(forged)
        #expect(!r.combinedCheckPassed && r.invalidIndices == [0, 1])

        // Crafted against the public derivation of the honest batch: the crafted proofs would
        // cancel under those coefficients, but they are not the coefficients of the crafted batch.
        let honestR = PreparedVerifyingKey.batchCoefficients(for: honest.map { (circuitID: key.circuitID, item: $0) })
        let forged2 = try Self.cancellingPair(honest, knowing: honestR)
        #expect(try key.batchVerify(forged2, scalars: honestR).allValid, "the pair cancels under the honest batch's coefficients")
        let r2 = key.batchVerify(forged2)
        #expect(!r2.combinedCheckPassed && r2.invalidIndices == [0, 1])
    }

    /// The Fiat-Shamir seed is exactly Docs/ZK.md's transcript, and every part of every item moves it.
    @Test func batchCoefficientsHashEveryItemInOrder() throws {
        let (key, items) = try Self.localBatch()
        let tagged = items.map { (circuitID: key.circuitID, item: $0) }
        var bytes: [UInt8] = [0x16, 0, 0, 0, 2]
        for item in items {
            bytes += key.circuitID.bytes
            bytes += EIP197.encodeG1(item.proof.a) + EIP197.encodeG2(item.proof.b) + EIP197.encodeG1(item.proof.c)
            bytes += [0, 0, 0, UInt8(item.publicInputs.count)]
            for x in item.publicInputs { bytes += x.value.bigEndianBytes }
        }
        let seed = PreparedVerifyingKey.batchSeed(for: tagged)
        #expect(seed == Hash256.sha256(bytes))
        let r = PreparedVerifyingKey.batchCoefficients(for: tagged)
        for (i, ri) in r.enumerated() {
            let h = Hash256.sha256(seed.bytes + [0, 0, 0, UInt8(i)]).bytes
            #expect(ri.value == UInt256(bigEndian: [UInt8](repeating: 0, count: 16) + Array(h[0..<16])))
            #expect(!ri.isZero && ri.value.bitWidth <= 128)
        }
        #expect(r[0] != r[1])

        let otherID = Hash256.sha256([1, 2, 3])
        var changedInput = items
        changedInput[1] = Groth16BatchItem(proof: items[1].proof, publicInputs: [items[1].publicInputs[0] + .one])
        let variants: [[(circuitID: Hash256, item: Groth16BatchItem)]] = [
            [(circuitID: otherID, item: items[0]), tagged[1]],  // another circuit
            changedInput.map { (circuitID: key.circuitID, item: $0) },  // another public input
            [tagged[0], (circuitID: key.circuitID, item: Groth16BatchItem(proof: items[0].proof, publicInputs: items[1].publicInputs))],  // another proof
            [tagged[1], tagged[0]],  // another order
            [tagged[0]],  // fewer items
        ]
        for v in variants {
            #expect(PreparedVerifyingKey.batchSeed(for: v) != seed)
            #expect(PreparedVerifyingKey.batchCoefficients(for: v).first != r.first)
        }
    }

    /// proof = A g1 ‖ B g2 ‖ C g1 (Docs/PROTOCOL.md), decoded with the same checks as the JSON path.
    @Test func proofCanonicalEncodingRoundTripsAndIsChecked() throws {
        let (_, items) = try Self.localBatch()
        let proof = items[0].proof
        let bytes = proof.canonicalBytes
        #expect(bytes == EIP197.encodeG1(proof.a) + EIP197.encodeG2(proof.b) + EIP197.encodeG1(proof.c))
        #expect(bytes.count == 256)
        #expect(try Groth16Proof(canonicalBytes: bytes) == proof)
        #expect(throws: (any Error).self) { try Groth16Proof(canonicalBytes: bytes + [0]) }
        #expect(throws: (any Error).self) { try Groth16Proof(canonicalBytes: Array(bytes.dropLast())) }
        var infinityA = bytes
        for i in 0..<64 { infinityA[i] = 0 }
        #expect(throws: Groth16Error.notAffine(field: "pi_a")) { try Groth16Proof(canonicalBytes: infinityA) }
        let outside = CurveTests.twistPointOutsideSubgroup()
        var badB = bytes
        badB.replaceSubrange(64..<192, with: EIP197.encodeG2(outside))
        #expect(throws: Groth16Error.pointNotInSubgroup(field: "pi_b")) { try Groth16Proof(canonicalBytes: badB) }
        var bigC = bytes
        bigC.replaceSubrange(192..<224, with: Fp.modulus.bigEndianBytes)
        #expect(throws: Groth16Error.coordinateNotInField(field: "pi_c")) { try Groth16Proof(canonicalBytes: bigC) }
    }

    @Test func msmMatchesNaiveSum() {
        var rng = TestRNG(seed: 11)
        for n in [1, 7, 40, 300] {
            let bases = (0..<n).map { _ in G1Projective.generator.multiplied(by: rng.fr().value).affine.projective }
            let scalars = (0..<n).map { _ in rng.fr().value }
            var naive = G1Projective.identity
            for i in 0..<n { naive = naive + bases[i].multiplied(by: scalars[i]) }
            #expect(MultiScalarMultiplication.compute(bases: bases, scalars: scalars) == naive, "n = \(n)")
        }
        // Extreme scalars exercise the signed-digit carry into the top window.
        let extremes: [UInt256] = [
            UInt256(.max, .max, .max, .max), UInt256(0, 0, 0, 1 << 63), Fr.modulus, UInt256(.max, .max, .max, .max >> 2),
        ]
        for n in [12, 64] {
            let bases = (0..<n).map { i in G1Projective.generator.multiplied(by: UInt256(UInt64(i + 1))).affine.projective }
            let scalars = (0..<n).map { extremes[$0 % extremes.count] }
            var naive = G1Projective.identity
            for i in 0..<n { naive = naive + bases[i].multiplied(by: scalars[i]) }
            #expect(MultiScalarMultiplication.compute(bases: bases, scalars: scalars) == naive, "extremes, n = \(n)")
        }
        let g2 = (0..<20).map { i in G2Projective.generator.multiplied(by: UInt256(UInt64(i + 1))).affine.projective }
        let s = (0..<20).map { _ in rng.fr().value }
        var naive2 = G2Projective.identity
        for i in 0..<20 { naive2 = naive2 + g2[i].multiplied(by: s[i]) }
        #expect(MultiScalarMultiplication.compute(bases: g2, scalars: s) == naive2)
    }
}
