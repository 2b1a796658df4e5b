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
        let out = cs.poseidon([(LinearCombination(xv), x)])
        cs.enforce(out.lc, LinearCombination(constant: .one), LinearCombination(h), name: "poseidon(x) = h")
        return cs
    }

    /// The demo proving key: a setup from `demoSetupSeed` (deterministic; anyone can redo it).
    public static func demoProvingKey() throws(Groth16SetupError) -> Groth16ProvingKey {
        try Groth16Setup.generate(system(binding: .one, preimage: .one), randomness: Groth16SetupRandomness(seed: Fr(demoSetupSeed)))
    }
}

extension ConstraintSystem {
    /// circomlib's Poseidon (Poseidon.hash) of `inputs` (linear combinations with their values)
    /// as constraints: 3 per S-box (u², u⁴, u⁵); round constants and MDS mixing are linear.
    /// Returns the output as a linear combination and its value.
    public mutating func poseidon(_ inputs: [(lc: LinearCombination, value: Fr)]) -> (lc: LinearCombination, value: Fr) {
        guard let p = PoseidonParameters.forWidth(inputs.count + 1) else {
            preconditionFailure("Poseidon has no parameters for \(inputs.count) inputs")
        }
        let t = p.width
        let half = PoseidonParameters.fullRounds / 2
        var lcs = [LinearCombination.zero] + inputs.map(\.lc)
        var values = [Fr.zero] + inputs.map(\.value)
        for r in 0..<(PoseidonParameters.fullRounds + p.partialRounds) {
            for i in 0..<t {
                let c = p.roundConstants[r * t + i]
                lcs[i] = lcs[i] + LinearCombination(constant: c)
                values[i] = values[i] + c
            }
            let full = r < half || r >= half + p.partialRounds
            for i in 0..<(full ? t : 1) {
                (lcs[i], values[i]) = sbox(lcs[i], values[i])
            }
            var nextLCs: [LinearCombination] = []
            var nextValues: [Fr] = []
            for i in 0..<t {
                var lc = LinearCombination.zero
                var v = Fr.zero
                for j in 0..<t {
                    lc = lc + lcs[j] * p.mds[i][j]
                    v = v + p.mds[i][j] * values[j]
                }
                nextLCs.append(lc)
                nextValues.append(v)
            }
            lcs = nextLCs
            values = nextValues
        }
        return (lcs[0], values[0])
    }

    /// u⁵ through the witnesses u², u⁴ and u⁵.
    private mutating func sbox(_ u: LinearCombination, _ v: Fr) -> (LinearCombination, Fr) {
        let v2 = v * v, v4 = v2 * v2, v5 = v4 * v
        let w2 = addWitness(v2), w4 = addWitness(v4), w5 = addWitness(v5)
        enforce(u, u, LinearCombination(w2))
        enforce(LinearCombination(w2), LinearCombination(w2), LinearCombination(w4))
        enforce(LinearCombination(w4), u, LinearCombination(w5))
        return (LinearCombination(w5), v5)
    }
}
