import WaggleCore
import WaggleLedger
import WaggleTesting
import WaggleZK

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
