import Foundation

extension PreparedVerifyingKey {
    /// Parses, validates and prepares a snarkjs verification_key.json (its `vk_alphabeta_12`, if
    /// any, is ignored). Forgeable keys are accepted: see `Groth16VerifyingKey.requireSecretDelta()`.
    public init(snarkjsJSON data: Data) throws(Groth16Error) {
        self.init(try SnarkJS.parseVerifyingKey(data))
    }

    /// Verifies snarkjs proof.json and public.json bytes against this key.
    public func verify(proofJSON: Data, publicJSON: Data) throws(Groth16Error) -> Bool {
        let proof = try SnarkJS.parseProof(proofJSON)
        let inputs = try SnarkJS.parsePublicInputs(publicJSON)
        return try verify(proof, publicInputs: inputs)
    }
}
