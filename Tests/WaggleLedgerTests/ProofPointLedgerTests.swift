import Testing
import WaggleCore
import WaggleLedger
import WaggleTesting

@testable import WaggleZK

/// A contribution's proof points are checked (subgroup, infinity, field) before any pairing,
/// each refused as `invalid_proof` with the failing check named, and nothing changes.
@Suite struct ProofPointLedgerTests {
    /// A point on the twist E'(Fp2) whose order is not r (found deterministically).
    static func twistPointOutsideSubgroup() -> G2Affine {
        var x = Fp2(Fp(1), Fp(1))
        while true {
            let rhs = x.squared() * x + BN254Constants.twistB
            if let y = rhs.squareRoot() {
                let q = G2Affine(x: x, y: y)
                if !G2Projective(q).isInSubgroupByOrder { return q }
            }
            x = x + Fp2.one
        }
    }

    @Test func proofPointsOutsideTheSubgroupAtInfinityOrAbovePAreRefusedBeforeThePairing() throws {
        var f = try LedgerFixture { b in
            b.circuits = [GenesisCircuit(verifyingKey: BindingCircuit.key, bindingInput: 0, name: "square", approved: true)]
        }
        try f.apply(
            f.keys[0], .createTask(TaskSpec(circuit: BindingCircuit.id, reward: 10, maxContributions: 1, reputationCredit: 1, deadline: 9)))
        let c = TestKeys.signer(50)
        let binding = BindingCircuit.binding(c.address, task: 1, nonce: 0)
        let (good, inputs) = BindingCircuit.prove(binding: binding, x: 3)
        var badB = good
        badB.replaceSubrange(64..<192, with: EIP197.encodeG2(Self.twistPointOutsideSubgroup()))
        var infinityA = good
        infinityA.replaceSubrange(0..<64, with: [UInt8](repeating: 0, count: 64))
        var bigC = good
        bigC.replaceSubrange(192..<224, with: Fp.modulus.bigEndianBytes)
        for (proof, why) in [(badB, "subgroup"), (infinityA, "affine"), (bigC, "field modulus")] {
            let before = f.state.changes
            do {
                try f.ledger.apply(f.tx(c, .contribute(task: 1, proof: proof, publicInputs: inputs), nonce: 0), height: 2, state: &f.state)
                Issue.record("accepted a proof with a bad point (\(why))")
            } catch {
                #expect(error.code == .invalidProof)
                #expect(error.reason.contains(why), "\(error.reason)")
            }
            #expect(f.state.changes == before)
        }
        // A payout that would overflow a balance is refused after the pairing, and changes nothing.
        let saved = try #require(try f.ledger.account(c.address, in: f.state))
        var rich = saved
        rich.balance = .max - 5
        f.state.set(.account(c.address), rich.canonicalBytes)
        let before = f.state.changes
        #expect(throws: LedgerError(.overflow, "")) {
            try f.ledger.apply(f.tx(c, .contribute(task: 1, proof: good, publicInputs: inputs), nonce: 0), height: 2, state: &f.state)
        }
        #expect(f.state.changes == before)
        f.state.set(.account(c.address), saved.canonicalBytes)
        // The unmodified proof is accepted.
        try f.apply(c, .contribute(task: 1, proof: good, publicInputs: inputs), height: 2)
        #expect(try f.ledger.task(1, in: f.state)?.accepted == 1)
    }
}
