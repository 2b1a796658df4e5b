/// The demonstration circuit of Genesis/local.json, `poseidon-preimage`: "I know x with
/// Poseidon(x) = h", bound to one contribution.
///
/// Public inputs: [0] the binding input b (Poseidon(sender, task id, nonce), ../shared/DESIGN.md
/// "Useful work"), [1] h (a task fixes it with `--fixed-input 1=h`). Witness: x. Constraints:
/// circomlib's Poseidon with one input (t = 2, 8 full and 56 partial rounds, x⁵ S-box) computed
/// in R1CS, its output equal to h, and b · b = b² (the binding input must appear in a
/// constraint, or its IC point would be infinity and any binding would verify).
///
/// DEMO ONLY: its setup randomness is derived from the published `demoSetupSeed`, so anyone can
/// forge proofs for it. It exists so a new user can make a real contribution on a local chain.
/// A network's circuits come from a setup with secret randomness (a snarkjs ceremony).
public enum PoseidonPreimageCircuit {
    public static let name = "poseidon-preimage"
    public static let bindingInput: UInt32 = 0
    public static let hashInput: UInt32 = 1
    /// Published, so the demo key can be regenerated and checked (and forged: see above).
    public static let demoSetupSeed: UInt64 = 20_261_125

    /// The constraint system with its assignment for `binding` and preimage `x`.
    public static func system(binding: Fr, preimage x: Fr) -> ConstraintSystem {
        var cs = ConstraintSystem()
        let b = cs.addPublicInput(binding)
        // Poseidon of one input fails only for an unsupported width; 1 input (t = 2) is supported.
        let h = cs.addPublicInput((try? Poseidon.hash([x])) ?? .zero)
        let xv = cs.addWitness(x)
        let bsq = cs.addWitness(binding * binding)
        cs.enforce(LinearCombination(b), LinearCombination(b), LinearCombination(bsq), name: "binding")
        // Poseidon of one input (t = 2) has parameters, so the in-circuit hash cannot fail.
        let out = (try? Poseidon.hash([LinearCombination(xv)], in: &cs)) ?? .zero
        cs.enforce(out, LinearCombination(constant: .one), LinearCombination(h), name: "poseidon(x) = h")
        return cs
    }

    /// The demo proving key: a setup from `demoSetupSeed` (deterministic; anyone can redo it).
    public static func demoProvingKey() throws(Groth16SetupError) -> Groth16ProvingKey {
        try Groth16Setup.generate(system(binding: .one, preimage: .one), randomness: Groth16SetupRandomness(seed: Fr(demoSetupSeed)))
    }
}
