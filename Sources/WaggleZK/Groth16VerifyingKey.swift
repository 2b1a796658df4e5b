/// A Groth16 verifying key: alpha (G1), beta, gamma, delta (G2), IC = [IC_0, …, IC_n] (G1) for n
/// public inputs, and optionally the key's claimed e(alpha, beta) (snarkjs `vk_alphabeta_12`).
public struct Groth16VerifyingKey: Sendable, Hashable {
    public let alpha: G1Affine
    public let beta: G2Affine
    public let gamma: G2Affine
    public let delta: G2Affine
    public let ic: [G1Affine]
    /// The claimed e(alpha, beta), checked (never trusted) when the key is prepared.
    public let claimedAlphaBeta: Fp12?

    public var publicInputCount: Int { ic.count - 1 }

    /// Validates every point (on curve; G2 points in the subgroup) and that IC is non-empty.
    public init(
        alpha: G1Affine, beta: G2Affine, gamma: G2Affine, delta: G2Affine, ic: [G1Affine],
        claimedAlphaBeta: Fp12? = nil
    ) throws(Groth16Error) {
        try Groth16Proof.checkG1(alpha, "vk_alpha_1")
        try Groth16Proof.checkG2(beta, "vk_beta_2")
        try Groth16Proof.checkG2(gamma, "vk_gamma_2")
        try Groth16Proof.checkG2(delta, "vk_delta_2")
        if ic.isEmpty { throw .malformed("IC is empty") }
        for (i, p) in ic.enumerated() { try Groth16Proof.checkG1(p, "IC[\(i)]") }
        self.alpha = alpha; self.beta = beta; self.gamma = gamma; self.delta = delta
        self.ic = ic
        self.claimedAlphaBeta = claimedAlphaBeta
    }
}
