import Foundation

extension PreparedVerifyingKey {
    /// Parses, validates and prepares a snarkjs verification_key.json.
    public init(snarkjsJSON data: Data) throws(Groth16Error) {
        try self.init(SnarkJS.parseVerifyingKey(data))
    }

    /// Verifies snarkjs proof.json and public.json bytes against this key.
    public func verify(proofJSON: Data, publicJSON: Data) throws(Groth16Error) -> Bool {
        let proof = try SnarkJS.parseProof(proofJSON)
        let inputs = try SnarkJS.parsePublicInputs(publicJSON)
        return try verify(proof, publicInputs: inputs)
    }
}
