import Testing
@testable import WaggleZK

struct PoseidonR1CSTests {
    @Test func inCircuitPoseidonEqualsTheNativeHashForEveryWidth() throws {
        var rng = TestRNG(seed: 77)
        for n in 1...16 {
            var cs = ConstraintSystem()
            let inputs = (0..<n).map { _ in rng.fr() }
            let vars = inputs.map { LinearCombination(cs.addWitness($0)) }
            let out = try Poseidon.hash(vars, in: &cs)
            #expect(cs.value(of: out) == (try Poseidon.hash(inputs)), "width \(n + 1)")
            #expect(cs.firstUnsatisfiedConstraint() == nil)
            let p = PoseidonParameters.forWidth(n + 1)!
            #expect(cs.constraints.count == 3 * (PoseidonParameters.fullRounds * (n + 1) + p.partialRounds))
            // A forged S-box output fails.
            var forged = cs
            forged.overwriteValueForTesting(Variable(.witness(n + 2)), with: .one)
            #expect(forged.firstUnsatisfiedConstraint() != nil)
        }
        var cs = ConstraintSystem()
        #expect(throws: PoseidonError.unsupportedInputCount(17)) {
            try Poseidon.hash(Array(repeating: LinearCombination.zero, count: 17), in: &cs)
        }
    }

    @Test func simplifiedMergesTermsPerVariable() {
        var cs = ConstraintSystem()
        let a = cs.addWitness(Fr(3)), b = cs.addWitness(Fr(5))
        let lc = (LinearCombination(a) + LinearCombination(b) + LinearCombination(a) - LinearCombination(b)).simplified()
        #expect(lc.terms.count == 1)
        #expect(cs.value(of: lc) == Fr(6))
    }

    @Test func provingKeyBinaryRoundTripsAndRefusesDamage() throws {
        let cs = ProverTests.cubic(x: 3, extra: 5)
        let pk = try Groth16Setup.generate(cs, randomness: Groth16SetupRandomness(seed: Fr(9)))
        let bytes = pk.binaryBytes
        let back = try Groth16ProvingKey(binaryBytes: bytes)
        #expect(back.binaryBytes == bytes)
        let (proof, pub) = try Groth16Prover.prove(back, cs, r: Fr(3), s: Fr(4))
        #expect(try PreparedVerifyingKey(pk.verifyingKey).verify(proof, publicInputs: pub))
        #expect(throws: (any Error).self) { try Groth16ProvingKey(binaryBytes: Array(bytes.dropLast())) }
        #expect(throws: (any Error).self) { try Groth16ProvingKey(binaryBytes: bytes + [0]) }
        var bad = bytes
        bad[0] = 0x58
        #expect(throws: (any Error).self) { try Groth16ProvingKey(binaryBytes: bad) }
        var offCurve = bytes
        offCurve[offCurve.count - 1] ^= 1
        #expect(throws: (any Error).self) { try Groth16ProvingKey(binaryBytes: offCurve) }
    }
}
