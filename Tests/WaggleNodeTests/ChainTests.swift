import Foundation
import Logging
import Testing
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleTesting

@Suite struct ChainTests {
    @Test func producedBlocksCarryTransactionsAndChainTogether() async throws {
        let f = try ChainFixture()
        let to = TestKeys.signer(60).address
        _ = try await f.chain.submit(f.transfer(f.validator, to: to, amount: 250, nonce: 0))
        try await f.produce()
        try await f.produce()
        let head = await f.chain.head
        #expect(head.height == 2)
        #expect(try await f.balance(to) == 250)
        let (b1, b2, c1) = try await f.chain.read { s, _ in (try s.block(at: 1)!, try s.block(at: 2)!, try s.commit(at: 1)!) }
        #expect(b1.transactions.count == 1)
        #expect(b2.header.lastBlockID == b1.id)
        #expect(b2.lastCommit == c1)
        try c1.verify(chainID: f.chainID, validators: head.validators, height: 1, blockID: b1.id)
        #expect(await f.chain.mempoolCount == 0)
    }

    @Test func restartResumesAtTheLastCommittedHeightWithTheSameState() async throws {
        let dir = TempDir()
        var root: Hash256
        do {
            let f = try ChainFixture(dir: dir)
            _ = try await f.chain.submit(f.transfer(f.validator, to: TestKeys.signer(61).address, amount: 5, nonce: 0))
            try await f.produce()
            try await f.produce()
            root = await f.chain.head.stateRoot
            f.chain.store.close()
        }
        let g = try ChainFixture(dir: dir)
        let head = await g.chain.head
        #expect(head.height == 2)
        #expect(head.stateRoot == root)
        #expect(try await g.balance(TestKeys.signer(61).address) == 5)
        try await g.produce()
        #expect(await g.chain.head.height == 3)
    }

    @Test func reopeningWithADifferentGenesisIsRefused() async throws {
        let dir = TempDir()
        do {
            let f = try ChainFixture(dir: dir)
            f.chain.store.close()
        }
        #expect(throws: NodeError(.chain, "")) { try ChainFixture(dir: dir) { $0.chainID = "another-chain" } }
    }

    func validBlock(_ f: ChainFixture) async throws -> Block {
        _ = try await f.chain.submit(f.transfer(f.validator, to: TestKeys.signer(62).address, amount: 7, nonce: 0))
        return try await f.chain.buildBlock(proposer: f.validator.address, timeMs: f.genesis.genesisTimeMs + 1000, lastCommit: nil)
    }

    func expectRejected(_ f: ChainFixture, _ block: Block, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            _ = try await f.chain.validate(block)
            Issue.record("block was accepted", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func validationRejectsEachBrokenHeaderRule() async throws {
        let f = try ChainFixture()
        let good = try await validBlock(f)
        _ = try await f.chain.validate(good)

        var b = good; b.header.height = 2
        await expectRejected(f, b, "expected height 1")
        b = good; b.header.chainID = "other"
        await expectRejected(f, b, "chain id")
        b = good; b.header.lastBlockID = Hash256.sha256([1])
        await expectRejected(f, b, "last block id")
        b = good; b.header.timeMs = f.genesis.genesisTimeMs
        await expectRejected(f, b, "time")
        b = good; b.header.stateRoot = Hash256.sha256([2])
        await expectRejected(f, b, "state root")
        b = good; b.header.proposer = TestKeys.signer(63).address
        await expectRejected(f, b, "not a validator")
        b = good; b.header.validatorsHash = .zero
        await expectRejected(f, b, "validators hash")
        b = good; b.header.nextValidatorsHash = .zero
        await expectRejected(f, b, "next validators hash")
        b = good; b.transactions = []
        await expectRejected(f, b, "transactions root")
        // Validated once, a block with the same header but another body is still checked in full.
        _ = try await f.chain.validate(good)
        await expectRejected(f, b, "transactions root")
    }

    @Test func validationRejectsForgedTransactionsAndBadLastCommit() async throws {
        let f = try ChainFixture()
        let first = try await validBlock(f)
        var forged = first
        var tx = forged.transactions[0]
        tx.fee += 1  // signature no longer matches
        forged.transactions = [tx]
        forged.header.transactionsRoot = Block.transactionsRoot([tx])
        await expectRejected(f, forged, "invalid signature")

        var withCommit = first
        withCommit.lastCommit = Commit(height: 0, round: 0, blockID: .zero, signatures: [.absent])
        withCommit.header.lastCommitHash = withCommit.lastCommit!.hash
        await expectRejected(f, withCommit, "first block carries no last commit")
    }

    @Test func commitWithoutQuorumIsRefusedAndNothingIsWritten() async throws {
        let f = try ChainFixture()
        let block = try await validBlock(f)
        let bogus = Commit(height: 1, round: 0, blockID: block.id, signatures: [.absent])
        await #expect(throws: Commit.Failure.self) { try await f.chain.commit(block, commit: bogus) }
        #expect(await f.chain.head.height == 0)
        #expect(try await f.chain.read { s, _ in try s.block(at: 1) } == nil)
    }

    @Test func stateProofVerifiesAgainstTheHeaderStateRoot() async throws {
        let f = try ChainFixture()
        let to = TestKeys.signer(64).address
        _ = try await f.chain.submit(f.transfer(f.validator, to: to, amount: 99, nonce: 0))
        try await f.produce()
        let (header, value, proof, absentProof) = try await f.chain.read { s, head in
            (try s.block(at: head.height)!.header, try s.get(.account(to)), try s.stateProof(.account(to), atHeight: head.height),
             try s.stateProof(.account(TestKeys.signer(65).address), atHeight: head.height))
        }
        #expect(proof.verify(root: header.stateRoot, key: StateKey.account(to).treeKey, value: value))
        #expect(!proof.verify(root: header.stateRoot, key: StateKey.account(to).treeKey, value: [1, 2, 3]))
        #expect(absentProof.verify(root: header.stateRoot, key: StateKey.account(TestKeys.signer(65).address).treeKey, value: nil))
        #expect(!absentProof.verify(root: header.stateRoot, key: StateKey.account(TestKeys.signer(65).address).treeKey, value: [0]))
    }

    @Test func historicalStateIsReadableByHeight() async throws {
        let f = try ChainFixture()
        let to = TestKeys.signer(66).address
        _ = try await f.chain.submit(f.transfer(f.validator, to: to, amount: 10, nonce: 0))
        try await f.produce()
        _ = try await f.chain.submit(f.transfer(f.validator, to: to, amount: 5, nonce: 1))
        try await f.produce()
        let (at0, at1, at2) = try await f.chain.read { s, _ in
            (try s.stateValue(.account(to), atHeight: 0), try s.stateValue(.account(to), atHeight: 1), try s.stateValue(.account(to), atHeight: 2))
        }
        #expect(at0 == nil)
        #expect(try at1.map { try Account(canonicalBytes: $0).balance } == 10)
        #expect(try at2.map { try Account(canonicalBytes: $0).balance } == 15)
    }
}

@Suite struct ProducerQuorumTests {
    @Test func aSecondValidatorWithLittleStakeDoesNotHaltTheProducer() async throws {
        let f = try ChainFixture()  // epochs of 10 blocks
        let joiner = TestKeys.signer(50)
        _ = try await f.chain.submit(Transaction.sign(
            chainID: f.chainID, signer: joiner, nonce: 0, fee: 1, body: .createValidator(publicKey: joiner.publicKey, selfBond: 1_000)))
        for _ in 0..<10 { try await f.produce() }
        let head = await f.chain.head
        #expect(head.validators.count == 2, "the joiner is in the set from the next epoch")
        #expect(f.producer.canCommitAlone(head), "1,000,000 of 1,001,000 is still a quorum")
        try await f.produce()
        let after = await f.chain.head
        #expect(after.height == 11)
        let commit = try await f.chain.read { s, _ in try s.commit(at: 11) }
        let c = try #require(commit)
        try c.verify(chainID: f.chainID, validators: head.validators, height: 11, blockID: after.blockID)
    }

    @Test func aValidatorWithoutAQuorumDoesNotProduceAlone() async throws {
        let f = try ChainFixture { $0.extraAccounts = [GenesisAccount(address: TestKeys.signer(50).address, balance: 10_000_000)] }
        // A producer for a key outside the set never produces.
        let stranger = try BlockProducer(
            chain: f.chain, signer: TestKeys.signer(77), persistence: try FileSignStatePersistence(path: f.dir.path + "/other.json"),
            interval: .seconds(1), logger: Logger(label: "test"))
        #expect(!stranger.canCommitAlone(await f.chain.head))
        // A member that holds two thirds or less of the power does not produce alone either.
        let joiner = TestKeys.signer(50)
        _ = try await f.chain.submit(Transaction.sign(
            chainID: f.chainID, signer: joiner, nonce: 0, fee: 1, body: .createValidator(publicKey: joiner.publicKey, selfBond: 600_000)))
        for _ in 0..<10 { try await f.produce() }
        let head = await f.chain.head
        #expect(head.validators.count == 2)
        #expect(!f.producer.canCommitAlone(head), "1,000,000 of 1,600,000 is not more than two thirds")
        let fast = try BlockProducer(
            chain: f.chain, signer: f.validator, persistence: try FileSignStatePersistence(path: f.dir.path + "/fast.json"),
            interval: .milliseconds(5), logger: Logger(label: "test"))
        let running = Task { try await fast.run() }
        try await Task.sleep(for: .milliseconds(200))
        running.cancel()
        _ = try? await running.value
        #expect(await f.chain.head.height == head.height, "no block without a quorum")
    }
}

@Suite struct InclusionWaitTests {
    @Test func aCancelledWaitEndsAsCancelledAndAnotherSeesTheInclusion() async throws {
        let f = try ChainFixture()
        let hash = try await f.chain.submit(f.transfer(f.validator, to: TestKeys.signer(69).address, amount: 3, nonce: 0))
        let chain = f.chain
        let cancelled = Task { await chain.waitForInclusion(hash, timeoutMs: 600_000) }
        let included = Task { await chain.waitForInclusion(hash, timeoutMs: 600_000) }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        #expect(await cancelled.value == .cancelled)
        try await f.produce()
        #expect(await included.value == .included(TxLocation(height: 1, index: 0)))
        // Already committed: answered at once.
        #expect(await chain.waitForInclusion(hash, timeoutMs: 600_000) == .included(TxLocation(height: 1, index: 0)))
        // Cancelled before it starts waiting.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await chain.waitForInclusion(Hash256.sha256([9]), timeoutMs: 600_000)
        }
        #expect(await early.value == .cancelled)
    }

    @Test func aWaitEndsWithTheReasonWhenANewBlockMakesTheTransactionInvalid() async throws {
        // Two nodes of one chain: the other commits a different transaction with the same sender
        // and nonce, and this node commits that block from the network.
        let f = try ChainFixture()
        let other = try ChainFixture()
        #expect(f.genesis == other.genesis)
        let mine = f.transfer(f.validator, to: TestKeys.signer(70).address, amount: 1, nonce: 0)
        let hash = try await f.chain.submit(mine)
        let chain = f.chain
        let waiting = Task { await chain.waitForInclusion(hash, timeoutMs: 600_000) }
        _ = try await other.chain.submit(other.transfer(other.validator, to: TestKeys.signer(71).address, amount: 2, nonce: 0))
        try await other.produce()
        let (block, commit) = try await other.chain.read { s, _ in (try s.block(at: 1)!, try s.commit(at: 1)!) }
        try await f.chain.commit(block, commit: commit)
        guard case .dropped(let why) = await waiting.value else { Issue.record("expected .dropped"); return }
        #expect(why.rpcCode == 1002, "\(why)")
        // A wait that starts after the drop still learns why.
        guard case .dropped(let again) = await chain.waitForInclusion(hash, timeoutMs: 600_000) else { Issue.record("expected .dropped"); return }
        #expect(again.rpcCode == 1002)
        // A transaction the node never saw is simply not pooled.
        #expect(await chain.waitForInclusion(Hash256.sha256([7]), timeoutMs: 600_000) == .dropped(MempoolError(.notPooled, "")))
    }
}
