import Foundation
import Testing
import WaggleCore
@testable import WaggleZK

/// Keys with δ = ±γ or δ = ±(the G2 generator) had no secret δ contribution: anyone forges proofs
/// for them. Verification gives the mathematical verdict; `requireSecretDelta()` (what the chain
/// calls at circuit registration and in genesis) refuses the key.
struct ForgeableKeyTests {
    static let g1 = G1Projective.generator
    static let g2 = G2Projective.generator

    /// A key with random-looking α, β, IC (two public inputs) and the given γ, δ.
    static func key(gamma: G2Affine, delta: G2Affine) throws -> Groth16VerifyingKey {
        try Groth16VerifyingKey(
            alpha: g1.multiplied(by: UInt256(1_000_003)).affine, beta: g2.multiplied(by: UInt256(2_000_003)).affine,
            gamma: gamma, delta: delta,
            ic: [UInt256(11), UInt256(13), UInt256(17)].map { g1.multiplied(by: $0).affine })
    }

    /// An arbitrary public input nobody proved anything about.
    static let anyInputs: [Fr] = [Fr(123_456_789), Fr(reducing: UInt256(0xdead_beef, 0xfeed, 0xc0ffee, 0x0bad))]

    /// The forgery: A = α, B = β, C = ∓vk_x (− for δ = γ, + for δ = −γ).
    static func forge(_ vk: PreparedVerifyingKey, _ inputs: [Fr], negate: Bool) throws -> Groth16Proof {
        let vkX = vk.linearCombination(inputs)
        return try Groth16Proof(a: vk.key.alpha, b: vk.key.beta, c: (negate ? -vkX : vkX).affine)
    }

    static func expectRefused(_ key: Groth16VerifyingKey, _ reason: Groth16ForgeableKeyReason) {
        #expect(key.forgeabilityReason == reason)
        #expect(key.isForgeable)
        #expect(throws: Groth16Error.forgeableKey(reason)) { try key.requireSecretDelta() }
        #expect("\(Groth16Error.forgeableKey(reason))".contains("had no secret δ contribution"))
    }

    @Test func deltaEqualToGammaLetsAnyoneForgeAndIsRefused() throws {
        let gamma = Self.g2.multiplied(by: UInt256(7)).affine
        let key = try Self.key(gamma: gamma, delta: gamma)
        let vk = PreparedVerifyingKey(key)
        let forged = try Self.forge(vk, Self.anyInputs, negate: true)
        #expect(try vk.verify(forged, publicInputs: Self.anyInputs), "the forged proof verifies mathematically")
        #expect(vk.batchVerify([Groth16BatchItem(proof: forged, publicInputs: Self.anyInputs)]).allValid)
        Self.expectRefused(key, .deltaEqualsGamma)
    }

    @Test func deltaEqualToMinusGammaLetsAnyoneForgeAndIsRefused() throws {
        let gamma = Self.g2.multiplied(by: UInt256(7)).affine
        let key = try Self.key(gamma: gamma, delta: -gamma)
        let vk = PreparedVerifyingKey(key)
        let forged = try Self.forge(vk, Self.anyInputs, negate: false)
        #expect(try vk.verify(forged, publicInputs: Self.anyInputs))
        Self.expectRefused(key, .deltaEqualsNegatedGamma)
    }

    @Test func deltaEqualToTheGeneratorIsRefused() throws {
        // snarkjs without a phase-2 contribution: γ = δ = the generator, forgeable as δ = γ.
        let snarkjsLike = try Self.key(gamma: G2Affine.generator, delta: G2Affine.generator)
        let vk = PreparedVerifyingKey(snarkjsLike)
        #expect(try vk.verify(try Self.forge(vk, Self.anyInputs, negate: true), publicInputs: Self.anyInputs))
        Self.expectRefused(snarkjsLike, .deltaEqualsGamma)
        // δ = ±generator with another γ: its discrete logarithm is public all the same.
        let gamma = Self.g2.multiplied(by: UInt256(7)).affine
        Self.expectRefused(try Self.key(gamma: gamma, delta: G2Affine.generator), .deltaIsGenerator)
        Self.expectRefused(try Self.key(gamma: gamma, delta: -G2Affine.generator), .deltaIsNegatedGenerator)
        Self.expectRefused(try Self.key(gamma: G2Affine.generator, delta: -G2Affine.generator), .deltaEqualsNegatedGamma)
    }

    @Test func keyWithASecretDeltaIsAcceptedAndTheForgeryFails() throws {
        let gamma = Self.g2.multiplied(by: UInt256(7)).affine
        let key = try Self.key(gamma: gamma, delta: Self.g2.multiplied(by: UInt256(5)).affine)
        #expect(key.forgeabilityReason == nil)
        #expect(!key.isForgeable)
        try key.requireSecretDelta()
        let vk = PreparedVerifyingKey(key)
        for negate in [true, false] {
            #expect(try vk.verify(try Self.forge(vk, Self.anyInputs, negate: negate), publicInputs: Self.anyInputs) == false)
        }
        // Keys from this module's setup have a secret δ.
        let pk = try Groth16Setup.generate(ProverTests.cubic(x: 3), randomness: Groth16SetupRandomness(seed: ProverTests.setupSeed))
        #expect(pk.verifyingKey.forgeabilityReason == nil)
    }

    /// The shared fixture circom-compat-b64f038 skipped its phase-2 contribution (δ = γ = the
    /// generator): its proof verifies, and so does a forgery for any input.
    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func circomCompatFixtureIsForgeable() throws {
        let base = "groth16/circom-compat-b64f038"
        let vk = try PreparedVerifyingKey(snarkjsJSON: try Vectors.data("\(base)/verification_key.json"))
        #expect(vk.key.gamma == G2Affine.generator && vk.key.delta == G2Affine.generator)
        Self.expectRefused(vk.key, .deltaEqualsGamma)
        #expect(try vk.verify(proofJSON: try Vectors.data("\(base)/proof.json"), publicJSON: try Vectors.data("\(base)/public.json")))
        let inputs = [Fr(424_242)]
        #expect(try vk.verify(try Self.forge(vk, inputs, negate: true), publicInputs: inputs))
    }
}
