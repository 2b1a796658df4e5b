import Foundation
import Testing
@testable import WaggleZK

/// The demo circuit of Genesis/local.json: Poseidon in R1CS, the statement, the binding.
struct PoseidonPreimageCircuitTests {
    @Test func theR1CSPoseidonEqualsThePoseidonHashAndEveryConstraintHolds() throws {
        for x: UInt64 in [0, 1, 42, 1 << 40] {
            var cs = ConstraintSystem()
            let xv = cs.addWitness(Fr(x))
            let out = try Poseidon.hash([LinearCombination(xv)], in: &cs)
            #expect(cs.value(of: out) == (try Poseidon.hash([Fr(x)])))
            try cs.checkSatisfied()
        }
        let cs = PoseidonPreimageCircuit.system(binding: Fr(9), preimage: Fr(42))
        #expect(cs.publicValues == [Fr(9), try Poseidon.hash([Fr(42)])])
        // 1 binding constraint, 3 per S-box (8 full rounds × 2 + 56 partial), 1 output equality.
        #expect(cs.constraints.count == 1 + 3 * (8 * 2 + 56) + 1)
    }

    @Test func aWrongPreimageOrAForgedWitnessLeavesAConstraintUnsatisfied() throws {
        // The system claims h = Poseidon(42) but is built with x = 43 by swapping the public value.
        let honest = PoseidonPreimageCircuit.system(binding: Fr(9), preimage: Fr(42))
        var forged = ConstraintSystem()
        let b = forged.addPublicInput(Fr(9))
        let h = forged.addPublicInput(honest.publicValues[1])
        let x = forged.addWitness(Fr(43))
        let bsq = forged.addWitness(Fr(81))
        forged.enforce(LinearCombination(b), LinearCombination(b), LinearCombination(bsq))
        let out = try Poseidon.hash([LinearCombination(x)], in: &forged)
        forged.enforce(out, LinearCombination(constant: .one), LinearCombination(h))
        #expect(forged.firstUnsatisfiedConstraint() != nil)
        #expect(honest.firstUnsatisfiedConstraint() == nil)
    }

    @Test func aDemoProofVerifiesOnlyWithItsOwnBindingAndHash() throws {
        let pk = try PoseidonPreimageCircuit.demoProvingKey()
        #expect(pk.verifyingKey.forgeabilityReason == nil, "the demo key has a δ of its own")
        let (proof, inputs) = try Groth16Prover.prove(pk, PoseidonPreimageCircuit.system(binding: Fr(77), preimage: Fr(42)), r: Fr(3), s: Fr(4))
        let key = PreparedVerifyingKey(pk.verifyingKey)
        #expect(try key.verify(proof, publicInputs: inputs))
        #expect(try !key.verify(proof, publicInputs: [Fr(78), inputs[1]]), "another binding")
        #expect(try !key.verify(proof, publicInputs: [inputs[0], inputs[1] + .one]), "another hash")
        // The setup is deterministic: its key is the one Genesis/ ships (and local.json approves).
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Genesis/demo/verification_key.json")
        #expect(try SnarkJS.parseVerifyingKey(Data(contentsOf: shipped)) == pk.verifyingKey)
    }
}
