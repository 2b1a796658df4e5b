import Testing
import WaggleCore
import WaggleLedger
import WaggleTesting

/// A ledger over genesis state with helpers to sign and apply transactions.
struct LedgerFixture {
    let ledger: Ledger
    var base: MemoryState
    var state: StateOverlay
    let keys: [Signer]
    var nonces: [Address: UInt64] = [:]

    init(validators: Int = 1, configure: (inout GenesisBuilder) -> Void = { _ in }) throws {
        var b = GenesisBuilder(validators: validators)
        b.extraAccounts = [GenesisAccount(address: TestKeys.signer(50).address, balance: 10_000)]
        configure(&b)
        let (ledger, mem, _) = try b.buildState()
        self.ledger = ledger
        base = mem
        state = StateOverlay(base: mem)
        keys = b.validatorKeys
    }

    func tx(_ signer: Signer, _ body: TransactionBody, nonce: UInt64, fee: UInt64 = 1) -> Transaction {
        Transaction.sign(chainID: ledger.chainID, signer: signer, nonce: nonce, fee: fee, body: body)
    }

    mutating func apply(_ signer: Signer, _ body: TransactionBody, fee: UInt64 = 1, height: UInt64 = 1) throws(LedgerError) {
        let n = nonces[signer.address] ?? 0
        try ledger.apply(tx(signer, body, nonce: n, fee: fee), height: height, state: &state)
        nonces[signer.address] = n + 1
    }

    /// Folds the overlay into the base, as committing a block does; `state` starts empty again.
    mutating func commit() {
        base.apply(state.changes)
        state = StateOverlay(base: base)
    }

    func balance(_ a: Address) throws -> UInt64 { try ledger.account(a, in: state)?.balance ?? 0 }
    func info() throws -> ChainInfo { try ledger.chainInfo(in: state) }

    /// Sum of every token the state holds; must always equal the recorded total supply.
    func accountedSupply() throws -> UInt64 {
        var total = try info().pendingFees
        for k in keys + [TestKeys.signer(50), TestKeys.signer(51), TestKeys.signer(52)] {
            total += try balance(k.address)
        }
        for v in keys + [TestKeys.signer(51)] {
            if let r = try ledger.validatorRecord(v.address, in: state) { total += r.totalBond }
        }
        // Tokens on their way back to delegators (the tests use heights below 64).
        for h in UInt64(0)..<64 {
            total += try ledger.unbondingQueue(height: h, in: state).reduce(0) { $0 + $1.amount }
        }
        return total
    }
}

@Suite struct LedgerTransferTests {
    @Test func transferMovesAmountAndChargesFee() throws {
        var f = try LedgerFixture()
        let from = f.keys[0], to = TestKeys.signer(51).address
        let before = try f.balance(from.address)
        try f.apply(from, .transfer(to: to, amount: 500), fee: 3)
        #expect(try f.balance(from.address) == before - 503)
        #expect(try f.balance(to) == 500)
        #expect(try f.ledger.account(from.address, in: f.state)?.nonce == 1)
        #expect(try f.info().pendingFees == 3)
        #expect(try f.accountedSupply() == f.info().totalSupply)
    }

    @Test func rejectsWrongNonceInBothDirections() throws {
        var f = try LedgerFixture()
        let s = f.keys[0]
        #expect(throws: LedgerError(.badNonce, "")) {
            try f.ledger.apply(f.tx(s, .transfer(to: TestKeys.signer(51).address, amount: 1), nonce: 1), height: 1, state: &f.state)
        }
        try f.apply(s, .transfer(to: TestKeys.signer(51).address, amount: 1))
        #expect(throws: LedgerError(.badNonce, "")) {
            try f.ledger.apply(f.tx(s, .transfer(to: TestKeys.signer(51).address, amount: 1), nonce: 0), height: 1, state: &f.state)
        }
    }

    @Test func rejectsInsufficientFundsIncludingTheFee() throws {
        var f = try LedgerFixture()
        let poor = TestKeys.signer(50)  // balance 10_000
        #expect(throws: LedgerError(.insufficientFunds, "")) { try f.apply(poor, .transfer(to: f.keys[0].address, amount: 10_000), fee: 1) }
        try f.apply(poor, .transfer(to: f.keys[0].address, amount: 9_999), fee: 1)
        #expect(try f.balance(poor.address) == 0)
    }

    @Test func rejectsFeeBelowMinimum() throws {
        var f = try LedgerFixture { $0.ledgerParams.minFee = 5 }
        #expect(throws: LedgerError(.feeTooLow, "")) { try f.apply(f.keys[0], .transfer(to: TestKeys.signer(51).address, amount: 1), fee: 4) }
    }

    @Test func rejectsUnknownSenderAndZeroAmount() throws {
        var f = try LedgerFixture()
        #expect(throws: LedgerError(.unknownAccount, "")) { try f.apply(TestKeys.signer(99), .transfer(to: f.keys[0].address, amount: 1)) }
        #expect(throws: LedgerError(.zeroAmount, "")) { try f.apply(f.keys[0], .transfer(to: TestKeys.signer(51).address, amount: 0)) }
    }

    @Test func rejectsAmountPlusFeeOverflow() throws {
        var f = try LedgerFixture()
        #expect(throws: LedgerError(.overflow, "")) { try f.apply(f.keys[0], .transfer(to: TestKeys.signer(51).address, amount: .max), fee: 1) }
    }

    @Test func failedTransactionLeavesNoWrites() throws {
        var f = try LedgerFixture()
        let before = f.state.changes
        #expect(throws: LedgerError(.zeroAmount, "")) { try f.apply(f.keys[0], .transfer(to: TestKeys.signer(51).address, amount: 0)) }
        #expect(f.state.changes == before)
    }
}

@Suite struct LedgerStakingTests {
    @Test func createValidatorBondsAndJoinsTheSetAtTheEpochBoundary() throws {
        var f = try LedgerFixture()  // epoch length 10
        let newcomer = TestKeys.signer(51)
        try f.apply(f.keys[0], .transfer(to: newcomer.address, amount: 100_000))
        try f.apply(newcomer, .createValidator(publicKey: newcomer.publicKey, selfBond: 5_000))
        #expect(try f.ledger.validatorRecord(newcomer.address, in: f.state)?.totalBond == 5_000)
        #expect(try f.ledger.bond(delegator: newcomer.address, validator: newcomer.address, in: f.state) == 5_000)
        // Not in the set before the epoch ends.
        #expect(try f.ledger.endBlock(height: 9, state: &f.state).count == 1)
        let next = try f.ledger.endBlock(height: 10, state: &f.state)
        #expect(next.count == 2)
        #expect(next.validator(newcomer.address)?.votingPower == 5_000)
        #expect(try f.accountedSupply() == f.info().totalSupply)
    }

    @Test func createValidatorRejectsSmallBondAndDuplicates() throws {
        var f = try LedgerFixture()
        let v = f.keys[0]
        #expect(throws: LedgerError(.validatorExists, "")) { try f.apply(v, .createValidator(publicKey: v.publicKey, selfBond: 5_000)) }
        #expect(throws: LedgerError(.bondTooSmall, "")) {
            try f.apply(v, .createValidator(publicKey: TestKeys.signer(60).publicKey, selfBond: 999))
        }
    }

    @Test func bondToUnknownValidatorIsRejected() throws {
        var f = try LedgerFixture()
        #expect(throws: LedgerError(.unknownValidator, "")) { try f.apply(f.keys[0], .bond(validator: TestKeys.signer(77).address, amount: 5)) }
    }

    @Test func unbondReturnsTokensOnlyAfterTheUnbondingPeriod() throws {
        var f = try LedgerFixture()  // unbonding period 5
        let d = TestKeys.signer(50), v = f.keys[0].address
        try f.apply(d, .bond(validator: v, amount: 4_000), height: 3)
        #expect(try f.balance(d.address) == 10_000 - 4_000 - 1)
        #expect(throws: LedgerError(.insufficientBond, "")) { try f.apply(d, .unbond(validator: v, amount: 4_001), height: 3) }
        try f.apply(d, .unbond(validator: v, amount: 3_000), height: 3)
        #expect(try f.ledger.bond(delegator: d.address, validator: v, in: f.state) == 1_000)
        let afterUnbond = try f.balance(d.address)
        try f.ledger.beginBlock(height: 7, lastCommit: nil, state: &f.state)
        #expect(try f.balance(d.address) == afterUnbond, "not yet matured")
        try f.ledger.beginBlock(height: 8, lastCommit: nil, state: &f.state)
        #expect(try f.balance(d.address) == afterUnbond + 3_000)
        #expect(try f.ledger.unbondingQueue(height: 8, in: f.state).isEmpty)
        #expect(try f.accountedSupply() == f.info().totalSupply)
    }

    @Test func toppingUpOrSlashingABondLeavesTheDelegatorListAlone() throws {
        var f = try LedgerFixture(validators: 2)
        let d = TestKeys.signer(50), v = f.keys[1]
        try f.apply(d, .bond(validator: v.address, amount: 100))
        #expect(f.state.changes.contains { $0.key == .delegators(of: v.address) }, "a new delegator joins the list")
        f.commit()
        try f.apply(d, .bond(validator: v.address, amount: 100))
        #expect(!f.state.changes.contains { $0.key == .delegators(of: v.address) })
        #expect(try f.ledger.bond(delegator: d.address, validator: v.address, in: f.state) == 200)
        f.commit()
        let a = Vote.sign(chainID: f.ledger.chainID, type: .prevote, height: 1, round: 0, blockID: Hash256.sha256([1]), signer: v)
        let b = Vote.sign(chainID: f.ledger.chainID, type: .prevote, height: 1, round: 0, blockID: Hash256.sha256([2]), signer: v)
        try f.ledger.punishDoubleSign(try DuplicateVoteEvidence(a, b), state: &f.state)
        #expect(!f.state.changes.contains { $0.key == .delegators(of: v.address) }, "slashing changes amounts, not membership")
        #expect(try f.ledger.bond(delegator: d.address, validator: v.address, in: f.state) == 190)
        f.commit()
        try f.apply(d, .unbond(validator: v.address, amount: 190), height: 2)
        let list = try #require(try f.state.get(.delegators(of: v.address)))
        #expect(!(try AddressList(canonicalBytes: list)).addresses.contains(d.address), "a bond going to zero leaves the list")
    }

    @Test func aValidatorsDelegatorListIsCapped() throws {
        var f = try LedgerFixture(validators: 2)
        let v = f.keys[1].address
        var full = (0..<Ledger.maxDelegatorsPerValidator - 1).map { i -> Address in
            var bytes = [UInt8](repeating: 0xEE, count: 20)
            bytes[16] = UInt8(i >> 24 & 0xff); bytes[17] = UInt8(i >> 16 & 0xff); bytes[18] = UInt8(i >> 8 & 0xff); bytes[19] = UInt8(i & 0xff)
            return Address(bytes)!
        }
        full.append(v)  // the operator's self-bond
        f.state.set(.delegators(of: v), AddressList(full.sorted()).canonicalBytes)
        let d = TestKeys.signer(50)
        #expect(throws: LedgerError(.tooManyDelegators, "")) { try f.apply(d, .bond(validator: v, amount: 10)) }
        // A member can still top up.
        try f.apply(f.keys[1], .bond(validator: v, amount: 10))
        // The operator is exempt: after leaving the full list it can always bond again.
        try f.apply(f.keys[1], .unbond(validator: v, amount: 1_000_010), height: 2)
        f.state.set(.delegators(of: v), AddressList((Array(full.dropLast()) + [TestKeys.signer(51).address]).sorted()).canonicalBytes)
        try f.apply(f.keys[1], .bond(validator: v, amount: 5), height: 3)
        #expect(try f.ledger.bond(delegator: v, validator: v, in: f.state) == 5)
    }

    @Test func aNewDelegationMustReachTheMinimumButTopUpsMayBeSmall() throws {
        var f = try LedgerFixture(validators: 2) { $0.ledgerParams.minDelegation = 500 }
        let d = TestKeys.signer(50), v = f.keys[1].address
        #expect(throws: LedgerError(.bondTooSmall, "")) { try f.apply(d, .bond(validator: v, amount: 499)) }
        try f.apply(d, .bond(validator: v, amount: 500))
        try f.apply(d, .bond(validator: v, amount: 1))
        #expect(try f.ledger.bond(delegator: d.address, validator: v, in: f.state) == 501)
        // The operator is exempt, also when it bonds again from zero.
        try f.apply(f.keys[1], .unbond(validator: v, amount: 1_000_000), height: 2)
        #expect(try f.ledger.bond(delegator: v, validator: v, in: f.state) == 0)
        try f.apply(f.keys[1], .bond(validator: v, amount: 1), height: 3)
        #expect(try f.ledger.bond(delegator: v, validator: v, in: f.state) == 1)
    }

    @Test func fullUnbondDropsTheValidatorFromTheNextSet() throws {
        var f = try LedgerFixture(validators: 2)
        let v = f.keys[1]
        try f.apply(v, .unbond(validator: v.address, amount: 1_000_000), height: 2)
        let next = try f.ledger.endBlock(height: 10, state: &f.state)
        #expect(next.count == 1)
        #expect(next.validator(v.address) == nil)
    }

    @Test func lastValidatorLeavingKeepsTheOldSet() throws {
        var f = try LedgerFixture()
        let v = f.keys[0]
        try f.apply(v, .unbond(validator: v.address, amount: 1_000_000), height: 2)
        let next = try f.ledger.endBlock(height: 10, state: &f.state)
        #expect(next.count == 1, "a chain never derives an empty validator set")
    }

    @Test func reputationAmplifiesVotingPowerUpToTheMultiplier() throws {
        var f = try LedgerFixture(validators: 2) {
            $0.ledgerParams.maxReputation = 100
            $0.ledgerParams.reputationRetentionPpm = 1_000_000  // no decay: the amplification alone
        }
        let op = f.keys[1].address
        var acct = try #require(try f.ledger.account(op, in: f.state))
        acct.reputation.points = 50
        f.state.set(.account(op), acct.canonicalBytes)
        let next = try f.ledger.endBlock(height: 10, state: &f.state)
        #expect(next.validator(op)?.votingPower == 1_500_000)
        #expect(next.validator(f.keys[0].address)?.votingPower == 1_000_000)
        #expect(next.validators.first?.address == op, "higher power sorts first")
    }
}

@Suite struct LedgerRewardAndPenaltyTests {
    @Test func blockRewardAndFeesAreSharedByPowerAmongCommitSigners() throws {
        var f = try LedgerFixture(validators: 3)
        let set = try f.info().lastValidators
        try f.apply(f.keys[0], .transfer(to: TestKeys.signer(51).address, amount: 1), fee: 11)
        _ = try f.ledger.endBlock(height: 1, state: &f.state)
        let before = try set.validators.map { try f.balance($0.address) }
        let id = Hash256.sha256([1])
        // Two of three sign: the pool (100 reward + 11 fees) splits 55/55 with 1 left over.
        let votes = set.validators.prefix(2).map { v in
            Vote.sign(chainID: f.ledger.chainID, type: .precommit, height: 1, round: 0, blockID: id, signer: f.keys.first { $0.address == v.address }!)
        }
        let commit = Commit(height: 1, round: 0, blockID: id, precommits: votes, validators: set)
        let supplyBefore = try f.info().totalSupply
        try f.ledger.beginBlock(height: 2, lastCommit: commit, state: &f.state)
        let after = try set.validators.map { try f.balance($0.address) }
        #expect(after[0] - before[0] == 56)
        #expect(after[1] - before[1] == 55)
        #expect(after[2] == before[2])
        #expect(try f.info().totalSupply == supplyBefore + 100)
        #expect(try f.info().pendingFees == 0)
        #expect(try f.accountedSupply() == f.info().totalSupply)
    }

    @Test func doubleSignSlashesFivePercentZeroesReputationAndTombstones() throws {
        var f = try LedgerFixture(validators: 2)
        let bad = f.keys[1]
        var acct = try #require(try f.ledger.account(bad.address, in: f.state))
        acct.reputation.points = 500
        f.state.set(.account(bad.address), acct.canonicalBytes)
        let a = Vote.sign(chainID: f.ledger.chainID, type: .precommit, height: 1, round: 0, blockID: Hash256.sha256([1]), signer: bad)
        let b = Vote.sign(chainID: f.ledger.chainID, type: .precommit, height: 1, round: 0, blockID: Hash256.sha256([2]), signer: bad)
        let ev = try DuplicateVoteEvidence(a, b)
        let supply = try f.info().totalSupply
        try f.ledger.punishDoubleSign(ev, state: &f.state)
        let record = try #require(try f.ledger.validatorRecord(bad.address, in: f.state))
        #expect(record.totalBond == 950_000)
        #expect(record.tombstoned)
        #expect(try f.ledger.account(bad.address, in: f.state)?.reputation.points == 0)
        #expect(try f.info().totalSupply == supply - 50_000)
        #expect(try f.ledger.endBlock(height: 10, state: &f.state).validator(bad.address) == nil)
        #expect(throws: LedgerError(.validatorTombstoned, "")) { try f.ledger.punishDoubleSign(ev, state: &f.state) }
        #expect(throws: LedgerError(.validatorTombstoned, "")) { try f.apply(f.keys[0], .bond(validator: bad.address, amount: 10)) }
        #expect(try f.accountedSupply() == f.info().totalSupply)
    }

    @Test func doubleSignAlsoSlashesStakeThatStartedUnbondingAtOrAfterTheInfraction() throws {
        var f = try LedgerFixture(validators: 2)  // unbonding period 5
        let bad = f.keys[1], d = TestKeys.signer(50)
        try f.apply(d, .bond(validator: bad.address, amount: 4_000), height: 1)
        try f.apply(d, .unbond(validator: bad.address, amount: 1_000), height: 2)  // completes at 7: before the infraction
        try f.apply(d, .unbond(validator: bad.address, amount: 1_000), height: 4)  // completes at 9: at the infraction
        try f.apply(bad, .unbond(validator: bad.address, amount: 200_000), height: 5)  // completes at 10: after it
        #expect(try f.ledger.unbondingHeights(of: bad.address, in: f.state) == [7, 9, 10])
        let a = Vote.sign(chainID: f.ledger.chainID, type: .prevote, height: 4, round: 0, blockID: Hash256.sha256([1]), signer: bad)
        let b = Vote.sign(chainID: f.ledger.chainID, type: .prevote, height: 4, round: 0, blockID: Hash256.sha256([2]), signer: bad)
        let supply = try f.info().totalSupply
        try f.ledger.punishDoubleSign(try DuplicateVoteEvidence(a, b), state: &f.state)

        #expect(try f.ledger.unbondingQueue(height: 7, in: f.state).map(\.amount) == [1_000])
        #expect(try f.ledger.unbondingQueue(height: 9, in: f.state).map(\.amount) == [950])
        #expect(try f.ledger.unbondingQueue(height: 10, in: f.state).map(\.amount) == [190_000])
        #expect(try f.ledger.bond(delegator: d.address, validator: bad.address, in: f.state) == 1_900)
        #expect(try f.ledger.bond(delegator: bad.address, validator: bad.address, in: f.state) == 760_000)
        #expect(try f.info().totalSupply == supply - (100 + 40_000 + 50 + 10_000))
        #expect(try f.accountedSupply() == f.info().totalSupply)

        // Maturing pays out what is left and empties the validator's index of unbonding heights.
        let dBefore = try f.balance(d.address), badBefore = try f.balance(bad.address)
        for h in UInt64(6)...10 { try f.ledger.beginBlock(height: h, lastCommit: nil, state: &f.state) }
        #expect(try f.balance(d.address) == dBefore + 1_000 + 950)
        #expect(try f.balance(bad.address) == badBefore + 190_000)
        #expect(try f.ledger.unbondingHeights(of: bad.address, in: f.state).isEmpty)
        #expect(try f.state.get(.unbondingHeights(of: bad.address)) == nil, "an empty index leaves no state entry behind")
        #expect(try f.accountedSupply() == f.info().totalSupply)
    }

    @Test func unbondingHeightIndexRejectsNonCanonicalEncodings() throws {
        #expect(try HeightList(canonicalBytes: HeightList([3, 9, 12]).canonicalBytes).heights == [3, 9, 12])
        var e = CanonicalEncoder()
        e.list([UInt64(9), 3])
        #expect(throws: CodecError.self) { try HeightList(canonicalBytes: e.bytes) }
        var dup = CanonicalEncoder()
        dup.list([UInt64(3), 3])
        #expect(throws: CodecError.self) { try HeightList(canonicalBytes: dup.bytes) }
    }

    @Test func evidenceSignedByAnotherKeyIsRejected() throws {
        var f = try LedgerFixture(validators: 2)
        let impostor = TestKeys.signer(70)
        var a = Vote.sign(chainID: f.ledger.chainID, type: .prevote, height: 1, round: 0, blockID: Hash256.sha256([1]), signer: impostor)
        var b = Vote.sign(chainID: f.ledger.chainID, type: .prevote, height: 1, round: 0, blockID: Hash256.sha256([2]), signer: impostor)
        a.validator = f.keys[1].address
        b.validator = f.keys[1].address
        let ev = try DuplicateVoteEvidence(a, b)
        #expect(throws: LedgerError(.invalidBlock, "")) { try f.ledger.punishDoubleSign(ev, state: &f.state) }
    }

    @Test func executionIsDeterministicAndOrderIndependentOfInsertion() throws {
        // Two senders' transfers, interleaved or one sender's first: the effects commute, so the
        // state changes (sorted by key, whatever order they were written in) must be identical.
        func run(interleaved: Bool) throws -> [StateChange] {
            var f = try LedgerFixture(validators: 2)
            let bySender = (0..<2).map { s in
                (0..<10).map { n in
                    f.tx(f.keys[s], .transfer(to: TestKeys.signer(80 + (s * 10 + n) % 5).address, amount: UInt64(10 + s * 10 + n)), nonce: UInt64(n))
                }
            }
            let txs = interleaved ? zip(bySender[0], bySender[1]).flatMap { [$0, $1] } : bySender[0] + bySender[1]
            _ = try f.ledger.executeBlock(height: 1, lastCommit: nil, evidence: [], transactions: txs, state: &f.state)
            return f.state.changes
        }
        let a = try run(interleaved: true), b = try run(interleaved: false)
        #expect(a == b)
        #expect(a == a.sorted { $0.key < $1.key }, "changes come out in key order")
        #expect(a.count > 5)
    }

    @Test func blockWithOneFailingTransactionFailsWithItsIndex() throws {
        var f = try LedgerFixture()
        let good = f.tx(f.keys[0], .transfer(to: TestKeys.signer(51).address, amount: 1), nonce: 0)
        let bad = f.tx(f.keys[0], .transfer(to: TestKeys.signer(51).address, amount: 1), nonce: 5)
        #expect {
            try f.ledger.executeBlock(height: 1, lastCommit: nil, evidence: [], transactions: [good, bad], state: &f.state)
        } throws: { error in
            (error as? LedgerError)?.code == .badNonce && "\(error)".hasPrefix("transaction 1 ")
        }
    }
}
