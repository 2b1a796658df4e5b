import Foundation
import Testing
import WaggleConsensus
import WaggleCore
import WaggleSimulation

@Suite struct SignGuardTests {
    let signer = Signer(seed: [UInt8](repeating: 7, count: 32))!

    func guardOver(_ disk: InMemorySignStatePersistence) throws -> SignGuard<InMemorySignStatePersistence> {
        try SignGuard(signer: signer, persistence: disk)
    }

    @Test func refusesLowerHeightRoundOrStep() throws {
        let g = try guardOver(InMemorySignStatePersistence())
        _ = try g.sign(height: 5, round: 2, step: .prevote, signBytes: [1])
        #expect(throws: SignRefusal(.heightRegression, "")) { try g.sign(height: 4, round: 9, step: .precommit, signBytes: [2]) }
        #expect(throws: SignRefusal(.roundRegression, "")) { try g.sign(height: 5, round: 1, step: .precommit, signBytes: [2]) }
        #expect(throws: SignRefusal(.stepRegression, "")) { try g.sign(height: 5, round: 2, step: .proposal, signBytes: [2]) }
        _ = try g.sign(height: 5, round: 2, step: .precommit, signBytes: [3])
        _ = try g.sign(height: 5, round: 3, step: .proposal, signBytes: [4])
        _ = try g.sign(height: 6, round: 0, step: .prevote, signBytes: [5])
    }

    @Test func sameStepSameBytesReturnsTheSameSignatureDifferentBytesIsRefused() throws {
        let g = try guardOver(InMemorySignStatePersistence())
        let first = try g.sign(height: 1, round: 0, step: .prevote, signBytes: [1, 2, 3])
        #expect(try g.sign(height: 1, round: 0, step: .prevote, signBytes: [1, 2, 3]) == first)
        #expect(throws: SignRefusal(.conflictingSignBytes, "")) { try g.sign(height: 1, round: 0, step: .prevote, signBytes: [9]) }
    }

    @Test func aNewGuardOverTheSamePersistedStateStillRefuses() throws {
        let disk = InMemorySignStatePersistence()
        let g = try guardOver(disk)
        let sig = try g.sign(height: 3, round: 1, step: .precommit, signBytes: [7])
        let restarted = try guardOver(disk)
        #expect(restarted.last?.height == 3)
        #expect(throws: SignRefusal(.conflictingSignBytes, "")) { try restarted.sign(height: 3, round: 1, step: .precommit, signBytes: [8]) }
        #expect(throws: SignRefusal(.roundRegression, "")) { try restarted.sign(height: 3, round: 0, step: .precommit, signBytes: [8]) }
        #expect(try restarted.sign(height: 3, round: 1, step: .precommit, signBytes: [7]) == sig)
    }

    @Test func nothingIsReleasedWhenPersistenceFails() throws {
        let disk = InMemorySignStatePersistence()
        let g = try guardOver(disk)
        disk.setFailing(true)
        #expect(throws: SignRefusal(.persistenceFailed, "")) { try g.sign(height: 1, round: 0, step: .prevote, signBytes: [1]) }
        #expect(try disk.load() == nil)
        #expect(g.last == nil)
    }

    @Test func lastSignStateRoundTripsThroughJSON() throws {
        let s = LastSignState(height: 12, round: 3, step: 2, signBytes: [0xde, 0xad], signature: signer.sign([1]))
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(LastSignState.self, from: data) == s)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"sign_bytes\":\"dead\""))
        let unsigned = LastSignState(height: 1, round: 0, step: 1, signBytes: [], signature: nil)
        #expect(try JSONDecoder().decode(LastSignState.self, from: JSONEncoder().encode(unsigned)) == unsigned)
    }

    @Test func restartedEngineRecastsItsEarlierVoteInsteadOfAConflictingOne() throws {
        let f = try ConsensusFixture(powers: [10, 10, 10, 10])
        let me = f.nonProposer(round: 0)
        let disk = InMemorySignStatePersistence()
        var m = ConsensusStateMachine(chainID: f.chainID, signer: try SignGuard(signer: f.signers[me], persistence: disk))
        _ = m.handle(f.start())
        let first = m.handle(.proposal(f.proposal(round: 0, ConsensusFixture.block(1)), blockIsValid: true))
        let earlier = try #require(first.votes.first)
        // Restart without the checkpoint: the engine would now prevote nil, the guard refuses, and
        // the engine casts again the prevote it signed before the crash.
        var again = ConsensusStateMachine(chainID: f.chainID, signer: try SignGuard(signer: f.signers[me], persistence: disk))
        _ = again.handle(f.start())
        let out = again.handle(.timeout(ConsensusTimeout(height: 1, round: 0, step: .propose)))
        #expect(out.votes == [earlier])
        #expect(out.contains { if case .signingRefused = $0 { return true } else { return false } })
        #expect(again.step == .prevote)
        #expect(again.voteSet?.prevotes(0)?.vote(of: f.signers[me].address) == earlier)
    }

    @Test func restartedProposerReproposesTheBlockItSignedBefore() throws {
        let f = try ConsensusFixture(powers: [10, 10, 10, 10])
        let me = f.proposerIndex(round: 0)
        let disk = InMemorySignStatePersistence()
        var m = ConsensusStateMachine(chainID: f.chainID, signer: try SignGuard(signer: f.signers[me], persistence: disk))
        _ = m.handle(f.start())
        let earlier = try #require(m.drive(.proposeValue(height: 1, round: 0, blockID: ConsensusFixture.block(1))).proposals.first)
        // The guard's last state is the prevote; re-proposing is a step regression and refused.
        var again = ConsensusStateMachine(chainID: f.chainID, signer: try SignGuard(signer: f.signers[me], persistence: disk))
        _ = again.handle(f.start())
        #expect(again.handle(.proposeValue(height: 1, round: 0, blockID: ConsensusFixture.block(2))).proposals.isEmpty)
        // A guard whose last signature is the proposal returns that proposal again.
        let disk2 = InMemorySignStatePersistence(
            LastSignState(height: 1, round: 0, step: SignStep.proposal.rawValue, signBytes: earlier.signBytes(chainID: f.chainID), signature: earlier.signature))
        var third = ConsensusStateMachine(chainID: f.chainID, signer: try SignGuard(signer: f.signers[me], persistence: disk2))
        _ = third.handle(f.start())
        #expect(third.handle(.proposeValue(height: 1, round: 0, blockID: ConsensusFixture.block(2))).proposals == [earlier])
    }
}

@Suite struct EvidenceParamsTests {
    @Test func evidenceExpiresOnlyWhenOlderThanBothBounds() {
        let p = EvidenceParams(maxAgeBlocks: 10, maxAgeMs: 1000)
        #expect(!p.isExpired(evidenceHeight: 5, evidenceTimeMs: 0, currentHeight: 15, currentTimeMs: 5000))
        #expect(!p.isExpired(evidenceHeight: 5, evidenceTimeMs: 0, currentHeight: 100, currentTimeMs: 1000))
        #expect(p.isExpired(evidenceHeight: 5, evidenceTimeMs: 0, currentHeight: 16, currentTimeMs: 1001))
        #expect(!p.isExpired(evidenceHeight: 50, evidenceTimeMs: 9000, currentHeight: 16, currentTimeMs: 1001))
    }
}
