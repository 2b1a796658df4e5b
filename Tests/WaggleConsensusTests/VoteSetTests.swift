import Testing
import WaggleConsensus
import WaggleCore

@Suite struct VoteSetTests {
    let f: ConsensusFixture
    let A = ConsensusFixture.block(1)

    init() throws { f = try ConsensusFixture(powers: [40, 30, 20, 10]) }

    @Test func rejectedVotesAllocateNoVoteSetForTheirRound() throws {
        var h = HeightVoteSet(chainID: f.chainID, height: 1, validators: f.set)
        var forged = f.vote(1, .prevote, round: 5, A)
        forged.blockID = ConsensusFixture.block(2)
        #expect(h.add(forged) == .rejected(.invalidSignature))
        let outsider = try #require(Signer(seed: [UInt8](repeating: 9, count: 32)))
        let stranger = Vote.sign(chainID: f.chainID, type: .precommit, height: 1, round: 6, blockID: A, signer: outsider)
        #expect(h.add(stranger) == .rejected(.unknownValidator))
        #expect(h.prevotes(5) == nil && h.precommits(6) == nil)
        #expect(h.add(f.vote(1, .prevote, round: 5, A)) == .added)
        #expect(h.prevotes(5)?.power(for: A) == 30)
    }

    @Test func quorumNeedsStrictlyMoreThanTwoThirdsOfThePower() {
        var set = VoteSet(chainID: f.chainID, height: 1, round: 0, type: .precommit, validators: f.set)
        #expect(set.add(f.vote(0, .precommit, round: 0, A)) == .added)  // 40
        #expect(set.add(f.vote(2, .precommit, round: 0, A)) == .added)  // 60
        #expect(!set.hasTwoThirds(for: A))
        #expect(set.add(f.vote(3, .precommit, round: 0, A)) == .added)  // 70 > 66.6
        #expect(set.hasTwoThirds(for: A))
        #expect(set.twoThirdsMajority == .some(A))
        #expect(set.makeCommit(for: A) != nil)
        #expect(set.makeCommit(for: ConsensusFixture.block(9)) == nil)
    }

    @Test func commitFromTheVoteSetVerifiesWithCoreCommitVerify() throws {
        var set = VoteSet(chainID: f.chainID, height: 1, round: 2, type: .precommit, validators: f.set)
        _ = set.add(f.vote(0, .precommit, round: 2, A))
        _ = set.add(f.vote(1, .precommit, round: 2, A))
        _ = set.add(f.vote(3, .precommit, round: 2, nil))
        let commit = try #require(set.makeCommit(for: A))
        try commit.verify(chainID: f.chainID, validators: f.set, height: 1, blockID: A)
        #expect(commit.round == 2)
        #expect(commit.signers(in: f.set).count == 2)
        #expect(throws: Commit.Failure.self) { try commit.verify(chainID: "other-chain", validators: f.set, height: 1, blockID: A) }
    }

    @Test func wrongRoundTypeOrStrangerIsRejected() throws {
        var set = VoteSet(chainID: f.chainID, height: 1, round: 0, type: .prevote, validators: f.set)
        #expect(set.add(f.vote(0, .precommit, round: 0, A)) == .rejected(.wrongHeightRoundOrType))
        #expect(set.add(f.vote(0, .prevote, round: 1, A)) == .rejected(.wrongHeightRoundOrType))
        let stranger = try #require(Signer(seed: [UInt8](repeating: 0xAB, count: 32)))
        let v = Vote.sign(chainID: f.chainID, type: .prevote, height: 1, round: 0, blockID: A, signer: stranger)
        #expect(set.add(v) == .rejected(.unknownValidator))
        #expect(set.add(f.vote(0, .prevote, round: 0, A)) == .added)
        #expect(set.add(f.vote(0, .prevote, round: 0, A)) == .duplicate)
    }

    @Test func oneThirdOfSendersIsCountedOncePerValidatorAcrossTypes() {
        var h = HeightVoteSet(chainID: f.chainID, height: 1, validators: f.set)
        _ = h.add(f.vote(2, .prevote, round: 3, nil))  // 20
        _ = h.add(f.vote(2, .precommit, round: 3, nil))  // still 20
        #expect(!h.hasOneThirdSenders(round: 3))
        _ = h.add(f.vote(3, .prevote, round: 3, A))  // 30 of 100 (not > 1/3)
        #expect(!h.hasOneThirdSenders(round: 3))
        h.noteSender(index: 1, round: 3)  // + 30 (a proposal)
        #expect(h.hasOneThirdSenders(round: 3))
    }

    @Test func epochChangeCarriesPrioritiesLikeUpdateWithChangeSet() throws {
        // Validator 3 leaves, a newcomer joins: the newcomer starts at -(P + P/8) relative to the
        // carried priorities and is centred; the set for the next height is then incremented once.
        let newcomer = try #require(Signer(seed: [UInt8](repeating: 0xCD, count: 32)))
        let old = f.selection
        let next = try ValidatorSet([
            Validator(publicKey: f.signers[0].publicKey, votingPower: 40),
            Validator(publicKey: f.signers[1].publicKey, votingPower: 30),
            Validator(publicKey: f.signers[2].publicKey, votingPower: 25),
            Validator(publicKey: newcomer.publicKey, votingPower: 10),
        ])
        let changes = old.changes(to: next)
        #expect(changes.count == 3)  // removal, power change, newcomer
        #expect(changes.contains { $0.key == f.signers[3].address && $0.votingPower == 0 })
        var manual = old
        try manual.update(with: changes)
        #expect(manual.members.count == 4)
        #expect(manual.members.allSatisfy { next.index(of: $0.key) != nil })
        let newcomerPriority = try #require(manual.priority(of: newcomer.address))
        #expect(newcomerPriority == manual.members.map(\.priority).min())
        manual.incrementProposerPriority(times: 1)
        #expect(old.advanced(to: next) == manual)
        // Without a change, advancing is one increment.
        var plain = old
        plain.incrementProposerPriority(times: 1)
        #expect(old.advanced() == plain)
    }
}
