import Foundation
import Testing
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
        let r = try key.batchVerify(items + items, seed: Fr(42))
        #expect(r.allValid && r.combinedCheckPassed)
        let r2 = try key.batchVerify(items, scalars: [Fr(3), Fr(5), Fr(7)])
        #expect(r2.allValid && r2.combinedCheckPassed)
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func failingBatchNamesTheBadProofs() throws {
        var (key, items) = try Self.sp1Batch()
        var inputs = items[1].publicInputs
        inputs[0] = inputs[0] + .one
        items[1] = Groth16BatchItem(proof: items[1].proof, publicInputs: inputs)
        let r = try key.batchVerify(items, seed: Fr(7))
        #expect(!r.combinedCheckPassed)
        #expect(r.invalidIndices == [1])
        // A swapped proof (valid points, wrong statement) is caught too.
        items[1] = Groth16BatchItem(proof: items[2].proof, publicInputs: items[0].publicInputs)
        #expect(try key.batchVerify(items, seed: Fr(8)).invalidIndices == [1])
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func batchReportsWrongInputCountAsInvalid() throws {
        var (key, items) = try Self.sp1Batch()
        items[2] = Groth16BatchItem(proof: items[2].proof, publicInputs: [Fr(1)])
        #expect(try key.batchVerify(items, seed: Fr(9)).invalidIndices == [2])
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
