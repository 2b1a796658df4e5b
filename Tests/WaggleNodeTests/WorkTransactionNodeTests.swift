import Testing
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleTesting

/// The useful-work transactions travel the node's ordinary path: mempool admission runs the
/// ledger's rules (with their codes), and a produced block executes and commits them.
@Suite struct WorkTransactionNodeTests {
    @Test func workTransactionsAreAdmittedExecutedAndCommitted() async throws {
        let f = try ChainFixture()
        let owner = TestKeys.signer(50)
        let register = Transaction.sign(
            chainID: f.chainID, signer: owner, nonce: 0, fee: 1, body: .registerDataset(commitment: ScalarBytes(42), samples: 10, name: "d")
        )
        _ = try await f.chain.submit(try Transaction(canonicalBytes: register.canonicalBytes))
        try await f.produce()
        let ledger = f.genesis.ledger
        let dataset = try await f.chain.read { store, _ in try ledger.dataset(1, in: StateOverlay(base: store)) }
        #expect(dataset?.owner == owner.address && dataset?.commitment == ScalarBytes(42))
    }

    @Test func aContributionToAnUnknownTaskIsRefusedAtAdmissionWithItsCode() async throws {
        let f = try ChainFixture()
        let c = TestKeys.signer(50)
        let tx = Transaction.sign(
            chainID: f.chainID, signer: c, nonce: 0, fee: 1,
            body: .contribute(task: 9, proof: [UInt8](repeating: 0, count: 256), publicInputs: [ScalarBytes(1)]))
        do {
            _ = try await f.chain.submit(tx)
            Issue.record("accepted a contribution to a task that does not exist")
        } catch {
            #expect(error.ledgerError?.code == .unknownTask)
            #expect(error.rpcCode == 1027)
        }
        #expect(await f.chain.mempoolCount == 0)
    }
}
