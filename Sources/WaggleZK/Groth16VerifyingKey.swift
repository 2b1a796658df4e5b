/// A Groth16 verifying key: alpha (G1), beta, gamma, delta (G2) and IC = [IC_0, …, IC_n] (G1) for
/// n public inputs. e(alpha, beta) is not part of the key: `PreparedVerifyingKey` computes it, so a
/// snarkjs `vk_alphabeta_12` (whatever convention wrote it) is never read.
public struct Groth16VerifyingKey: Sendable, Hashable {
    public let alpha: G1Affine
    public let beta: G2Affine
    public let gamma: G2Affine
    public let delta: G2Affine
    public let ic: [G1Affine]

    public var publicInputCount: Int { ic.count - 1 }

    /// Validates every point (on curve, not infinity; G2 points in the subgroup) and that IC is
    /// non-empty. It does not refuse forgeable keys (see `requireSecretDelta()`): such a key is
    /// still a well-formed key whose equation can be checked.
    public init(alpha: G1Affine, beta: G2Affine, gamma: G2Affine, delta: G2Affine, ic: [G1Affine]) throws(Groth16Error) {
        try Groth16Proof.checkG1(alpha, "vk_alpha_1")
        try Groth16Proof.checkG2(beta, "vk_beta_2")
        try Groth16Proof.checkG2(gamma, "vk_gamma_2")
        try Groth16Proof.checkG2(delta, "vk_delta_2")
        if ic.isEmpty { throw .malformed("IC is empty") }
        for (i, p) in ic.enumerated() { try Groth16Proof.checkG1(p, "IC[\(i)]") }
        self.alpha = alpha; self.beta = beta; self.gamma = gamma; self.delta = delta
        self.ic = ic
    }
}

/// Why a verifying key is forgeable: its δ is one that a setup without a secret phase-2
/// contribution produces, so whoever knows the (public) relation can make proofs for any public
/// input.
public enum Groth16ForgeableKeyReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// δ = γ: A = α, B = β, C = −vk_x satisfies the equation for every public input.
    case deltaEqualsGamma
    /// δ = −γ: A = α, B = β, C = vk_x satisfies the equation for every public input.
    case deltaEqualsNegatedGamma
    /// δ is the G2 generator: its discrete logarithm (1) is public, so δ hides nothing (and with
    /// snarkjs's γ = generator it is also δ = γ).
    case deltaIsGenerator
    /// δ is minus the G2 generator (discrete logarithm r − 1).
    case deltaIsNegatedGenerator

    public var description: String {
        switch self {
        case .deltaEqualsGamma: "δ = γ"
        case .deltaEqualsNegatedGamma: "δ = −γ"
        case .deltaIsGenerator: "δ is the G2 generator"
        case .deltaIsNegatedGenerator: "δ is minus the G2 generator"
        }
    }
}

extension Groth16VerifyingKey {
    /// Why this key is forgeable, or nil when its δ is none of ±γ, ±(the G2 generator).
    ///
    /// A key with such a δ came from a setup with no secret δ contribution (snarkjs always uses
    /// γ = the generator, and a key that skipped its phase-2 contribution has δ = γ = the
    /// generator). Anyone can forge a proof for any public input against it (for δ = γ:
    /// A = α, B = β, C = −vk_x), so the mathematical verdict of `verify` means nothing for it.
    /// When several apply, δ = ±γ is reported first.
    public var forgeabilityReason: Groth16ForgeableKeyReason? {
        if delta == gamma { return .deltaEqualsGamma }
        if delta == -gamma { return .deltaEqualsNegatedGamma }
        if delta == G2Affine.generator { return .deltaIsGenerator }
        if delta == -G2Affine.generator { return .deltaIsNegatedGenerator }
        return nil
    }

    public var isForgeable: Bool { forgeabilityReason != nil }

    /// Throws `Groth16Error.forgeableKey` when `forgeabilityReason` is not nil.
    ///
    /// The chain calls this wherever a key is admitted: `register_circuit` and genesis `circuits`
    /// must refuse a forgeable key with this error. Verification itself (`PreparedVerifyingKey`,
    /// `waggle zk verify`) does not call it: it gives the mathematical verdict and lets the caller
    /// warn.
    public func requireSecretDelta() throws(Groth16Error) {
        if let reason = forgeabilityReason { throw .forgeableKey(reason) }
    }
}
