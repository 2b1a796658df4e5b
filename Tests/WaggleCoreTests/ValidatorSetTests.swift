import Testing
import WaggleCore
import WaggleTesting

@Suite struct ValidatorSetTests {
    let chainID = "waggle-test"

    func set(_ powers: [UInt64]) throws -> (ValidatorSet, [Signer]) {
        let signers = TestKeys.signers(powers.count)
        let set = try ValidatorSet(zip(signers, powers).map { Validator(publicKey: $0.publicKey, votingPower: $1) })
        return (set, signers)
    }

    @Test func membersAreOrderedByPowerThenAddress() throws {
        let (s, _) = try set([5, 10, 5, 1])
        #expect(s.validators.map(\.votingPower) == [10, 5, 5, 1])
        #expect(s.validators[1].address < s.validators[2].address)
        #expect(s.totalVotingPower == 21)
    }

    @Test func invalidSetsAreRejected() throws {
        #expect(throws: ValidatorSet.Failure.empty) { try ValidatorSet([]) }
        let k = TestKeys.signer(0).publicKey
        #expect(throws: ValidatorSet.Failure.zeroPower(k.address)) { try ValidatorSet([Validator(publicKey: k, votingPower: 0)]) }
        #expect(throws: ValidatorSet.Failure.duplicate(k.address)) {
            try ValidatorSet([Validator(publicKey: k, votingPower: 1), Validator(publicKey: k, votingPower: 2)])
        }
        #expect(throws: ValidatorSet.Failure.totalPowerTooLarge) {
            try ValidatorSet([Validator(publicKey: k, votingPower: 1 << 60)])
        }
    }

    @Test func decodingRejectsNonCanonicalOrder() throws {
        let (s, _) = try set([10, 5])
        var e = CanonicalEncoder()
        e.list(s.validators.reversed())
        #expect(throws: CodecError(.nonCanonical, "")) { try ValidatorSet(canonicalBytes: e.bytes) }
        #expect(try ValidatorSet(canonicalBytes: s.canonicalBytes) == s)
    }

    @Test func decodingAPowerSumThatOverflowsIsAnErrorNotATrap() throws {
        var e = CanonicalEncoder()
        e.list([Validator(publicKey: TestKeys.signer(1).publicKey, votingPower: 1),
                Validator(publicKey: TestKeys.signer(2).publicKey, votingPower: .max)])
        #expect(throws: CodecError.self) { try ValidatorSet(canonicalBytes: e.bytes) }
    }

    @Test func quorumNeedsStrictlyMoreThanTwoThirds() throws {
        let (s, _) = try set([1, 1, 1])
        #expect(!s.isQuorum(2), "exactly two thirds is not enough")
        #expect(s.isQuorum(3))
        let (t, _) = try set([3, 3, 3, 3])  // total 12: 8 is exactly 2/3
        #expect(!t.isQuorum(8))
        #expect(t.isQuorum(9))
        #expect(!t.exceedsOneThird(4))
        #expect(t.exceedsOneThird(5))
    }

    @Test func commitVerifiesWithQuorumAndFailsWithout() throws {
        let (s, signers) = try set([10, 10, 10, 10])
        let id = Hash256.sha256([7])
        let votes = signers.prefix(3).map { Vote.sign(chainID: chainID, type: .precommit, height: 5, round: 2, blockID: id, signer: $0) }
        let commit = Commit(height: 5, round: 2, blockID: id, precommits: votes, validators: s)
        try commit.verify(chainID: chainID, validators: s, height: 5, blockID: id)
        #expect(commit.signers(in: s).count == 3)

        let weak = Commit(height: 5, round: 2, blockID: id, precommits: Array(votes.prefix(2)), validators: s)
        #expect(throws: Commit.Failure.insufficientVotingPower(signed: 20, total: 40)) {
            try weak.verify(chainID: chainID, validators: s, height: 5, blockID: id)
        }
        #expect(throws: Commit.Failure.wrongBlockID) { try commit.verify(chainID: chainID, validators: s, height: 5, blockID: .zero) }
        #expect(throws: Commit.Failure.wrongHeight(expected: 6, got: 5)) {
            try commit.verify(chainID: chainID, validators: s, height: 6, blockID: id)
        }
        #expect(throws: (any Error).self) { try commit.verify(chainID: "other", validators: s, height: 5, blockID: id) }
    }

    @Test func commitWithForgedSignatureIsRejected() throws {
        let (s, signers) = try set([10, 10, 10])
        let id = Hash256.sha256([7])
        let votes = signers.map { Vote.sign(chainID: chainID, type: .precommit, height: 1, round: 0, blockID: id, signer: $0) }
        var commit = Commit(height: 1, round: 0, blockID: id, precommits: votes, validators: s)
        var bytes = commit.signatures[1].signature!.bytes
        bytes[0] ^= 0xff
        commit.signatures[1] = .commit(Signature(bytes)!)
        #expect(throws: Commit.Failure.invalidSignature(s.validators[1].address)) {
            try commit.verify(chainID: chainID, validators: s, height: 1, blockID: id)
        }
    }

    @Test func nilPrecommitsAreKeptButDoNotCountTowardsQuorum() throws {
        let (s, signers) = try set([10, 10, 10])
        let id = Hash256.sha256([7])
        var votes = signers.prefix(2).map { Vote.sign(chainID: chainID, type: .precommit, height: 1, round: 0, blockID: id, signer: $0) }
        votes.append(Vote.sign(chainID: chainID, type: .precommit, height: 1, round: 0, blockID: nil, signer: signers[2]))
        let commit = Commit(height: 1, round: 0, blockID: id, precommits: votes, validators: s)
        #expect(throws: Commit.Failure.insufficientVotingPower(signed: 20, total: 30)) {
            try commit.verify(chainID: chainID, validators: s, height: 1, blockID: id)
        }
        #expect(commit.signatures.contains { if case .nil = $0 { true } else { false } })
    }

    @Test func duplicateVoteEvidenceIsCanonicalAndVerifiable() throws {
        let s = TestKeys.signer(0)
        let a = Vote.sign(chainID: chainID, type: .prevote, height: 4, round: 1, blockID: Hash256.sha256([1]), signer: s)
        let b = Vote.sign(chainID: chainID, type: .prevote, height: 4, round: 1, blockID: Hash256.sha256([2]), signer: s)
        let e1 = try DuplicateVoteEvidence(a, b), e2 = try DuplicateVoteEvidence(b, a)
        #expect(e1 == e2)
        #expect(e1.hash == e2.hash)
        try e1.verify(chainID: chainID, publicKey: s.publicKey)
        #expect(throws: DuplicateVoteEvidence.Failure.invalidSignature) { try e1.verify(chainID: chainID, publicKey: TestKeys.signer(1).publicKey) }
        #expect(try DuplicateVoteEvidence(canonicalBytes: e1.canonicalBytes) == e1)
        // Same block id, different rounds, different validators: not evidence.
        #expect(throws: (any Error).self) { try DuplicateVoteEvidence(a, a) }
        let otherRound = Vote.sign(chainID: chainID, type: .prevote, height: 4, round: 2, blockID: Hash256.sha256([2]), signer: s)
        #expect(throws: (any Error).self) { try DuplicateVoteEvidence(a, otherRound) }
        let otherValidator = Vote.sign(chainID: chainID, type: .prevote, height: 4, round: 1, blockID: Hash256.sha256([2]), signer: TestKeys.signer(1))
        #expect(throws: (any Error).self) { try DuplicateVoteEvidence(a, otherValidator) }
        // Swapped order on the wire is non-canonical.
        var e = CanonicalEncoder()
        e.encode(e1.voteB)
        e.encode(e1.voteA)
        #expect(throws: CodecError(.nonCanonical, "")) { try DuplicateVoteEvidence(canonicalBytes: e.bytes) }
    }

    @Test func votingPowerIsStakeAmplifiedByBoundedReputation() {
        #expect(VotingPower.compute(stake: 1000, reputation: 0, maxReputation: 100, multiplier: 2) == 1000)
        #expect(VotingPower.compute(stake: 1000, reputation: 50, maxReputation: 100, multiplier: 2) == 1500)
        #expect(VotingPower.compute(stake: 1000, reputation: 100, maxReputation: 100, multiplier: 2) == 2000)
        #expect(VotingPower.compute(stake: 1000, reputation: 500, maxReputation: 100, multiplier: 2) == 2000, "reputation is clamped to R_max")
        #expect(VotingPower.compute(stake: 0, reputation: 100, maxReputation: 100, multiplier: 2) == 0, "reputation without stake gives no power")
        #expect(VotingPower.compute(stake: 1000, reputation: 33, maxReputation: 100, multiplier: 3) == 1660)
        #expect(VotingPower.compute(stake: 7, reputation: 1, maxReputation: 3, multiplier: 2) == 9, "floor(7 * 4 / 3)")
        let big = UInt64(1) << 62
        #expect(VotingPower.compute(stake: big, reputation: 1 << 40, maxReputation: 1 << 40, multiplier: 4) == .max, "saturates")
        #expect(VotingPower.compute(stake: big, reputation: (1 << 40) / 2, maxReputation: 1 << 40, multiplier: 2) == big + big / 2)
    }
}
