/// A Groth16 proving key (arkworks layout) together with its verifying key.
public struct Groth16ProvingKey: Sendable {
    public let verifyingKey: Groth16VerifyingKey
    public let constraintCount: Int
    public let publicInputCount: Int
    public let witnessCount: Int
    public let domainSize: Int
    let alphaG1: G1Affine
    let betaG1: G1Affine
    let betaG2: G2Affine
    let deltaG1: G1Affine
    let deltaG2: G2Affine
    /// u_k(τ)·G1 for every variable k.
    let aQuery: [G1Projective]
    /// v_k(τ)·G1 and v_k(τ)·G2.
    let bG1Query: [G1Projective]
    let bG2Query: [G2Projective]
    /// τ^i·Z(τ)/δ·G1, i < domainSize - 1.
    let hQuery: [G1Projective]
    /// (β·u_k + α·v_k + w_k)/δ·G1 for the witness variables.
    let lQuery: [G1Projective]
}
