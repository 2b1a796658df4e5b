import Foundation

extension SnarkJS {
    /// Writes `proof.json` and `public.json` (snarkjs format) into `directory`.
    public static func writeProof(_ proof: Groth16Proof, publicInputs: [Fr], to directory: URL) throws {
        try encode(proof).write(to: directory.appendingPathComponent("proof.json"))
        try encode(publicInputs: publicInputs).write(to: directory.appendingPathComponent("public.json"))
    }

    /// Writes `verification_key.json` (snarkjs format, with `vk_alphabeta_12`) and
    /// `proving_key.json` (see `encode(_: Groth16ProvingKey)`) into `directory`.
    public static func writeKeys(_ pk: Groth16ProvingKey, to directory: URL) throws {
        try encode(pk.verifyingKey).write(to: directory.appendingPathComponent("verification_key.json"))
        try encode(pk).write(to: directory.appendingPathComponent("proving_key.json"))
    }

    /// The proving key as JSON, with the field names of `snarkjs zkey export json` where one exists
    /// (vk_alpha_1, vk_beta_1, vk_beta_2, vk_delta_1, vk_delta_2, A, B1, B2, C, hExps) plus
    /// `domainSize`, `nConstraints`, `nWitness` (private variables). Points are affine decimal
    /// strings in the same layout as the verification key; `C` lists only the private variables.
    public static func encode(_ pk: Groth16ProvingKey) -> Data {
        func g1s(_ ps: [G1Projective]) -> OrderedJSON { .array(ps.map { g1Value($0.affine) }) }
        let v = OrderedJSON.object([
            ("protocol", .string("groth16")),
            ("curve", .string("bn128")),
            ("nPublic", .number(pk.publicInputCount)),
            ("nConstraints", .number(pk.constraintCount)),
            ("nWitness", .number(pk.witnessCount)),
            ("domainSize", .number(pk.domainSize)),
            ("vk_alpha_1", g1Value(pk.alphaG1)),
            ("vk_beta_1", g1Value(pk.betaG1)),
            ("vk_beta_2", g2Value(pk.betaG2)),
            ("vk_gamma_2", g2Value(pk.verifyingKey.gamma)),
            ("vk_delta_1", g1Value(pk.deltaG1)),
            ("vk_delta_2", g2Value(pk.deltaG2)),
            ("A", g1s(pk.aQuery)),
            ("B1", g1s(pk.bG1Query)),
            ("B2", .array(pk.bG2Query.map { g2Value($0.affine) })),
            ("C", g1s(pk.lQuery)),
            ("hExps", g1s(pk.hQuery)),
        ])
        return Data(v.rendered().utf8)
    }
}
