import Testing
import WaggleCore
import WaggleTesting

@testable import WaggleLedger

/// Validator duty at epoch boundaries: duty credit, downtime jail and reputation cut, `unjail`.
@Suite struct DutyTests {
    /// Runs blocks `from...to` (begin with a commit of the previous block signed by the members of
    /// the last set whose key index is in `signers`, end), as a chain would.
    func run(_ f: inout LedgerFixture, from: UInt64, to: UInt64, signers: Set<Int>) throws {
        for h in from...to {
            let set = try f.info().lastValidators
            let id = Hash256.sha256(Array("block \(h - 1)".utf8))
            let votes = set.validators.compactMap { v -> Vote? in
                guard let i = f.keys.firstIndex(where: { $0.address == v.address }), signers.contains(i) else { return nil }
                return Vote.sign(chainID: f.ledger.chainID, type: .precommit, height: h - 1, round: 0, blockID: id, signer: f.keys[i])
            }
            let commit =
                h == f.ledger.initialHeight ? nil : Commit(height: h - 1, round: 0, blockID: id, precommits: votes, validators: set)
            try f.ledger.beginBlock(height: h, lastCommit: commit, state: &f.state)
            _ = try f.ledger.endBlock(height: h, state: &f.state)
        }
    }

    func reputation(_ f: LedgerFixture, _ i: Int) throws -> ReputationRecord {
        try f.ledger.account(f.keys[i].address, in: f.state)?.reputation ?? ReputationRecord()
    }

    @Test func signersEarnDutyCreditAndAnAbsentValidatorIsJailedWithAReputationCut() throws {
        var f = try LedgerFixture(validators: 4) {
            $0.ledgerParams.validatorDutyCredit = 100
            $0.ledgerParams.minSignedPerEpochBps = 5_000
            $0.ledgerParams.downtimeReputationCutBps = 1_000
            $0.ledgerParams.jailEpochs = 2
        }
        var acct = try #require(try f.ledger.account(f.keys[3].address, in: f.state))
        acct.reputation = ReputationRecord(points: 10_000, lastEpoch: 0)
        f.state.set(.account(f.keys[3].address), acct.canonicalBytes)
        // Epoch 0 is heights 1...10: nine commits (heights 2...10) with validators 0, 1, 2 signing.
        try run(&f, from: 1, to: 10, signers: [0, 1, 2])
        for i in 0..<3 {
            #expect(try reputation(f, i) == ReputationRecord(points: 100, lastEpoch: 0), "validator \(i)")
            #expect(try f.ledger.validatorRecord(f.keys[i].address, in: f.state)?.jailed == false)
        }
        #expect(try f.ledger.validatorRecord(f.keys[3].address, in: f.state)?.jailed == true)
        #expect(try f.ledger.jailRelease(f.keys[3].address, in: f.state) == 3)
        #expect(try reputation(f, 3).points == 9_000, "10% cut")
        let next = try f.info().currentValidators
        #expect(next.count == 3 && next.validator(f.keys[3].address) == nil, "a jailed validator leaves the next set")
        #expect(try f.ledger.liveness(f.keys[0].address, in: f.state) == nil, "counters are cleared at the epoch end")
    }

    /// Whether validator 2 is jailed after signing 4 of the 9 commits of epoch 0 (44.44…%).
    func jailedAfterSigningFourOfNine(bps: UInt64) throws -> Bool {
        var f = try LedgerFixture(validators: 4) { $0.ledgerParams.minSignedPerEpochBps = bps }
        try run(&f, from: 1, to: 5, signers: [0, 1, 2, 3])  // commits at heights 2...5
        try run(&f, from: 6, to: 10, signers: [0, 1, 3])  // commits at heights 6...10
        #expect(try f.ledger.validatorRecord(f.keys[3].address, in: f.state)?.jailed == false)
        return try #require(try f.ledger.validatorRecord(f.keys[2].address, in: f.state)).jailed
    }

    @Test func theRequiredShareIsComparedExactlyInIntegers() throws {
        // 4 · 10,000 ≥ 9 · 4,444 = 39,996, but < 9 · 4,445 = 40,005.
        #expect(try jailedAfterSigningFourOfNine(bps: 4_444) == false)
        #expect(try jailedAfterSigningFourOfNine(bps: 4_445) == true)
    }

    @Test func unjailWorksOnlyForTheOperatorAfterTheJailPeriod() throws {
        var f = try LedgerFixture(validators: 4) { $0.ledgerParams.jailEpochs = 2 }
        try run(&f, from: 1, to: 10, signers: [0, 1, 2])  // validator 3 jailed until epoch 3 (height 31)
        let v = f.keys[3]
        #expect(f.expectRejected(.notValidatorOperator, f.keys[0], .unjail(validator: v.address), height: 31) == nil)
        #expect(f.expectRejected(.unknownValidator, v, .unjail(validator: TestKeys.signer(77).address), height: 31) == nil)
        #expect(f.expectRejected(.notJailed, f.keys[0], .unjail(validator: f.keys[0].address), height: 31) == nil)
        #expect(f.expectRejected(.jailPeriodNotOver, v, .unjail(validator: v.address), height: 30) == nil)
        try f.apply(v, .unjail(validator: v.address), height: 31)
        #expect(try f.ledger.validatorRecord(v.address, in: f.state)?.jailed == false)
        #expect(try f.ledger.jailRelease(v.address, in: f.state) == nil)
        #expect(f.expectRejected(.notJailed, v, .unjail(validator: v.address), height: 31) == nil)
        _ = try f.ledger.endBlock(height: 40, state: &f.state)
        #expect(try f.info().currentValidators.validator(v.address) != nil, "back in the set at the next epoch boundary")
    }

    @Test func dutyCreditSharesThePerEpochCapWithContributions() throws {
        var f = try LedgerFixture(validators: 1) {
            $0.ledgerParams.validatorDutyCredit = 100
            $0.ledgerParams.maxReputationGainPerEpoch = 150
        }
        try f.ledger.creditReputation(f.keys[0].address, 120, epoch: 0, state: &f.state)
        try run(&f, from: 1, to: 10, signers: [0])
        #expect(try reputation(f, 0).points == 150)
        #expect(try f.ledger.reputationGain(f.keys[0].address, in: f.state) == ReputationGain(epoch: 0, gained: 150))
    }
}
