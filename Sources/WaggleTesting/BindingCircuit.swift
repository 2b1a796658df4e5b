import WaggleCore
import WaggleLedger
import WaggleZK

/// A tiny circuit with a binding input, set up once with WaggleZK (test randomness), for the tests
/// and benchmarks of useful work:
/// public inputs [binding b, y], witnesses x and b²; constraints x · x = y and b · b = b².
/// (The binding input must appear in a constraint, or its IC point would be infinity.)
public enum BindingCircuit {
    public static let bindingIndex: UInt32 = 0

    public static func system(binding: Fr, x: Fr) -> ConstraintSystem {
        var cs = ConstraintSystem()
        let b = cs.addPublicInput(binding)
        let y = cs.addPublicInput(x * x)
        let xv = cs.addWitness(x)
        let bsq = cs.addWitness(binding * binding)
        cs.enforce(LinearCombination(xv), LinearCombination(xv), LinearCombination(y), name: "x*x")
        cs.enforce(LinearCombination(b), LinearCombination(b), LinearCombination(bsq), name: "b*b")
        return cs
    }

    public static let provingKey: Groth16ProvingKey = {
        do {
            return try Groth16Setup.generate(system(binding: .one, x: Fr(3)), randomness: Groth16SetupRandomness(seed: Fr(424_242)))
        } catch { fatalError("setup failed: \(error)") }
    }()

    public static var key: Groth16VerifyingKey { provingKey.verifyingKey }
    public static var keyBytes: [UInt8] { key.canonicalBytes }
    public static var id: Hash256 { key.circuitID }

    /// A key with δ = γ: anyone can forge proofs for it.
    public static var forgeableKey: Groth16VerifyingKey {
        do { return try Groth16VerifyingKey(alpha: key.alpha, beta: key.beta, gamma: key.gamma, delta: key.gamma, ic: key.ic) } catch {
            fatalError("a key with delta = gamma is still a valid key: \(error)")
        }
    }

    public static func fr(_ s: ScalarBytes) -> Fr { Fr(reducing: UInt256(bigEndian: s.bytes)) }
    public static func scalar(_ f: Fr) -> ScalarBytes { ScalarBytes(f.value.bigEndianBytes)! }

    /// A proof that x² = y with binding `binding`, and its public inputs [binding, x²].
    public static func prove(binding: ScalarBytes, x: UInt64, r: UInt64 = 11, s: UInt64 = 13) -> (proof: [UInt8], inputs: [ScalarBytes]) {
        do {
            let (proof, pub) = try Groth16Prover.prove(provingKey, system(binding: fr(binding), x: Fr(x)), r: Fr(r), s: Fr(s))
            return (proof.canonicalBytes, pub.map(scalar))
        } catch { fatalError("prove failed: \(error)") }
    }

    /// The binding a contribution by `sender` to `task` with `nonce` must carry.
    public static func binding(_ sender: Address, task: UInt64, nonce: UInt64) -> ScalarBytes {
        Ledger.bindingInput(sender: sender, task: task, nonce: nonce)
    }
}
