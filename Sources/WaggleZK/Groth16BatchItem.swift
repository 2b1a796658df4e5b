/// One proof and its public inputs, for batch verification.
public struct Groth16BatchItem: Sendable {
    public let proof: Groth16Proof
    public let publicInputs: [Fr]

    public init(proof: Groth16Proof, publicInputs: [Fr]) {
        self.proof = proof
        self.publicInputs = publicInputs
    }
}
