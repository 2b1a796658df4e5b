import WaggleCore

/// One proof and its public inputs, for batch verification.
public struct Groth16BatchItem: Sendable {
    public let proof: Groth16Proof
    public let publicInputs: [Fr]

    public init(proof: Groth16Proof, publicInputs: [Fr]) {
        self.proof = proof
        self.publicInputs = publicInputs
    }
}

extension Groth16BatchItem {
    /// The identity of the statement "this proof verifies for these inputs under circuit
    /// `circuitID`": the Fiat-Shamir seed of the one-item batch,
    /// SHA-256(0x16 ‖ u32 1 ‖ circuit id ‖ proof ‖ u32 k ‖ x_1 ‖ … ‖ x_k). A proof's validity
    /// depends on nothing else, so a node that verified a statement once may remember this digest
    /// instead of verifying it again (the mempool's re-checks after a block do).
    public func statementDigest(circuitID: Hash256) -> Hash256 {
        PreparedVerifyingKey.batchSeed(for: [(circuitID: circuitID, item: self)])
    }
}
