import Testing
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleTesting

@Suite struct MempoolTests {
    @Test func queuesConsecutiveNoncesFromOneSender() async throws {
        let f = try ChainFixture()
        for n in 0..<5 {
            _ = try await f.chain.submit(f.transfer(f.validator, to: TestKeys.signer(70).address, amount: 1, nonce: UInt64(n)))
        }
        #expect(await f.chain.mempoolCount == 5)
        try await f.produce()
        #expect(await f.chain.mempoolCount == 0)
        #expect(try await f.balance(TestKeys.signer(70).address) == 5)
    }

    @Test func rejectsDuplicatesBadSignaturesAndCommittedTransactions() async throws {
        let f = try ChainFixture()
        let tx = f.transfer(f.validator, to: TestKeys.signer(71).address, amount: 1, nonce: 0)
        _ = try await f.chain.submit(tx)
        await #expect(throws: MempoolError(.duplicate, "")) { try await f.chain.submit(tx) }
        var forged = f.transfer(f.validator, to: TestKeys.signer(71).address, amount: 1, nonce: 1)
        forged.fee = 9
        await #expect(throws: MempoolError(.invalidSignature, "")) { try await f.chain.submit(forged) }
        let otherChain = Transaction.sign(chainID: "other", signer: f.validator, nonce: 1, fee: 1, body: .transfer(to: TestKeys.signer(71).address, amount: 1))
        await #expect(throws: MempoolError(.invalidSignature, "")) { try await f.chain.submit(otherChain) }
        try await f.produce()
        await #expect(throws: MempoolError(.alreadyCommitted, "")) { try await f.chain.submit(tx) }
    }

    @Test func ledgerRejectionsCarryTheLedgerCode() async throws {
        let f = try ChainFixture()
        let poor = TestKeys.signer(50)  // 10_000 tokens
        do {
            _ = try await f.chain.submit(f.transfer(poor, to: f.validator.address, amount: 20_000, nonce: 0))
            Issue.record("accepted an unaffordable transfer")
        } catch {
            #expect(error.ledgerError?.code == .insufficientFunds)
            #expect(error.rpcCode == 1003)
        }
        await #expect(throws: MempoolError(LedgerError(.badNonce, ""))) {
            try await f.chain.submit(f.transfer(poor, to: f.validator.address, amount: 1, nonce: 3))
        }
    }

    @Test func capsOnCountAndBytesAreEnforced() throws {
        let (ledger, mem, _) = try GenesisBuilder(validators: 1).buildState()
        let signer = TestKeys.signer(0)
        var pool = Mempool(ledger: ledger, limits: .init(maxTransactions: 2, maxBytes: 1_000_000, maxTransactionBytes: 200), base: mem, nextHeight: 1)
        for n in 0..<2 {
            let tx = Transaction.sign(chainID: ledger.chainID, signer: signer, nonce: UInt64(n), fee: 1, body: .transfer(to: TestKeys.signer(72).address, amount: 1))
            try pool.add(tx, hash: tx.hash, size: tx.canonicalBytes.count)
        }
        let third = Transaction.sign(chainID: ledger.chainID, signer: signer, nonce: 2, fee: 1, body: .transfer(to: TestKeys.signer(72).address, amount: 1))
        #expect(throws: MempoolError(.full, "")) { try pool.add(third, hash: third.hash, size: third.canonicalBytes.count) }
        #expect(throws: MempoolError(.tooLarge, "")) { try pool.add(third, hash: third.hash, size: 201) }
        var byBytes = Mempool(ledger: ledger, limits: .init(maxTransactions: 10, maxBytes: 250, maxTransactionBytes: 200), base: mem, nextHeight: 1)
        let a = Transaction.sign(chainID: ledger.chainID, signer: signer, nonce: 0, fee: 1, body: .transfer(to: TestKeys.signer(72).address, amount: 1))
        try byBytes.add(a, hash: a.hash, size: a.canonicalBytes.count)
        let b = Transaction.sign(chainID: ledger.chainID, signer: signer, nonce: 1, fee: 1, body: .transfer(to: TestKeys.signer(72).address, amount: 1))
        #expect(throws: MempoolError(.full, "")) { try byBytes.add(b, hash: b.hash, size: b.canonicalBytes.count) }
    }

    @Test func recheckAfterABlockDropsTransactionsThatNoLongerApply() throws {
        let (ledger, mem, _) = try GenesisBuilder(validators: 1).buildState()
        let signer = TestKeys.signer(0)
        var pool = Mempool(ledger: ledger, limits: .init(), base: mem, nextHeight: 1)
        let a = Transaction.sign(chainID: ledger.chainID, signer: signer, nonce: 0, fee: 1, body: .transfer(to: TestKeys.signer(73).address, amount: 1))
        let b = Transaction.sign(chainID: ledger.chainID, signer: signer, nonce: 1, fee: 1, body: .transfer(to: TestKeys.signer(73).address, amount: 1))
        try pool.add(a, hash: a.hash, size: 100)
        try pool.add(b, hash: b.hash, size: 100)
        // Another block consumed nonces 0 and 1 with different transactions: both pooled ones are stale.
        var overlay = StateOverlay(base: mem)
        for n in 0..<2 {
            let other = Transaction.sign(chainID: ledger.chainID, signer: signer, nonce: UInt64(n), fee: 2, body: .transfer(to: TestKeys.signer(74).address, amount: 1))
            try ledger.apply(other, height: 1, state: &overlay)
        }
        var next = mem
        next.apply(overlay.changes)
        let dropped = pool.update(committed: [], base: next, nextHeight: 2)
        #expect(dropped.count == 2)
        #expect(pool.count == 0)
        #expect(pool.reap(maxTransactions: 10, maxBytes: 10_000).isEmpty)
    }

    @Test func reapRespectsBlockLimitsInArrivalOrder() throws {
        let (ledger, mem, _) = try GenesisBuilder(validators: 1).buildState()
        let signer = TestKeys.signer(0)
        var pool = Mempool(ledger: ledger, limits: .init(), base: mem, nextHeight: 1)
        var txs: [Transaction] = []
        for n in 0..<5 {
            let tx = Transaction.sign(chainID: ledger.chainID, signer: signer, nonce: UInt64(n), fee: 1, body: .transfer(to: TestKeys.signer(75).address, amount: 1))
            try pool.add(tx, hash: tx.hash, size: 100)
            txs.append(tx)
        }
        #expect(pool.reap(maxTransactions: 3, maxBytes: 10_000) == Array(txs.prefix(3)))
        #expect(pool.reap(maxTransactions: 10, maxBytes: 250) == Array(txs.prefix(2)))
    }
}
