import WaggleCore
import WaggleLedger
import WaggleTesting
import WaggleZK

/// A tiny circuit with a binding input, set up once with WaggleZK (test randomness):
/// public inputs [binding b, y], witnesses x and b²; constraints x · x = y and b · b = b².
/// (The binding input must appear in a constraint, or its IC point would be infinity.)
enum BindingCircuit {
    static let bindingIndex: UInt32 = 0

    static func system(binding: Fr, x: Fr) -> ConstraintSystem {
        var cs = ConstraintSystem()
        let b = cs.addPublicInput(binding)
        let y = cs.addPublicInput(x * x)
        let xv = cs.addWitness(x)
        let bsq = cs.addWitness(binding * binding)
        cs.enforce(LinearCombination(xv), LinearCombination(xv), LinearCombination(y), name: "x*x")
        cs.enforce(LinearCombination(b), LinearCombination(b), LinearCombination(bsq), name: "b*b")
        return cs
    }

    static let provingKey: Groth16ProvingKey = {
        do {
            return try Groth16Setup.generate(system(binding: .one, x: Fr(3)), randomness: Groth16SetupRandomness(seed: Fr(424_242)))
        } catch { fatalError("setup failed: \(error)") }
    }()

    static var key: Groth16VerifyingKey { provingKey.verifyingKey }
    static var keyBytes: [UInt8] { key.canonicalBytes }
    static var id: Hash256 { key.circuitID }

    /// A key with δ = γ: anyone can forge proofs for it.
    static var forgeableKey: Groth16VerifyingKey {
        do { return try Groth16VerifyingKey(alpha: key.alpha, beta: key.beta, gamma: key.gamma, delta: key.gamma, ic: key.ic) } catch {
            fatalError("a key with delta = gamma is still a valid key: \(error)")
        }
    }

    static func fr(_ s: ScalarBytes) -> Fr { Fr(reducing: UInt256(bigEndian: s.bytes)) }
    static func scalar(_ f: Fr) -> ScalarBytes { ScalarBytes(f.value.bigEndianBytes)! }

    /// A proof that x² = y with binding `binding`, and its public inputs [binding, x²].
    static func prove(binding: ScalarBytes, x: UInt64, r: UInt64 = 11, s: UInt64 = 13) -> (proof: [UInt8], inputs: [ScalarBytes]) {
        do {
            let (proof, pub) = try Groth16Prover.prove(provingKey, system(binding: fr(binding), x: Fr(x)), r: Fr(r), s: Fr(s))
            return (proof.canonicalBytes, pub.map(scalar))
        } catch { fatalError("prove failed: \(error)") }
    }

    /// The binding a contribution by `sender` to `task` with `nonce` must carry.
    static func binding(_ sender: Address, task: UInt64, nonce: UInt64) -> ScalarBytes {
        Ledger.bindingInput(sender: sender, task: task, nonce: nonce)
    }
}

extension LedgerFixture {
    /// The next nonce `signer` will use.
    func nonce(_ signer: Signer) -> UInt64 { nonces[signer.address] ?? 0 }

    /// Applies and expects a rejection with `code` that changes no state.
    mutating func expectRejected(
        _ code: LedgerError.Code, _ signer: Signer, _ body: TransactionBody, fee: UInt64 = 1, height: UInt64 = 1
    ) -> LedgerError? {
        let before = state.changes
        let tx = tx(signer, body, nonce: nonce(signer), fee: fee)
        do {
            try ledger.apply(tx, height: height, state: &state)
            return LedgerError(.corruptState, "accepted: expected \(code)")
        } catch {
            if error.code != code { return LedgerError(.corruptState, "got \(error.code) (\(error.reason)), expected \(code)") }
            if state.changes != before { return LedgerError(.corruptState, "the rejected transaction changed state") }
            return nil
        }
    }

    /// Every token: balances of the fixture's accounts, bonds, unbondings, pending fees and the
    /// pools of every task.
    func supplyWithPools() throws -> UInt64 {
        var total = try accountedSupply()
        let next = try ledger.workCounters(in: state).nextTask
        var id: UInt64 = 1
        while id < next {
            total += try ledger.task(id, in: state)?.pool ?? 0
            id += 1
        }
        return total
    }
}
