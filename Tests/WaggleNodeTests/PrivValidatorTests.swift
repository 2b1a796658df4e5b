import Testing
import WaggleCore
import WaggleNode
import WaggleTesting

@Suite struct PrivValidatorTests {
    let chainID = "waggle-test"
    let signer = TestKeys.signer(0)

    @Test func refusesConflictingVoteAtTheSameStep() throws {
        let dir = TempDir()
        let pv = try PrivValidator(signer: signer, chainID: chainID, persistence: try FileSignStatePersistence(path: dir.path + "/s.json"))
        let a = try pv.signVote(type: .precommit, height: 5, round: 0, blockID: Hash256.sha256([1]))
        let again = try pv.signVote(type: .precommit, height: 5, round: 0, blockID: Hash256.sha256([1]))
        #expect(again.signature == a.signature, "identical bytes are re-signed with the same signature")
        #expect(throws: NodeError(.keys, "")) { try pv.signVote(type: .precommit, height: 5, round: 0, blockID: Hash256.sha256([2])) }
        #expect(throws: NodeError(.keys, "")) { try pv.signVote(type: .prevote, height: 5, round: 0, blockID: Hash256.sha256([1])) }
        #expect(throws: NodeError(.keys, "")) { try pv.signVote(type: .precommit, height: 4, round: 9, blockID: nil) }
        _ = try pv.signVote(type: .prevote, height: 5, round: 1, blockID: Hash256.sha256([2]))
    }

    @Test func refusalSurvivesARestart() throws {
        let dir = TempDir()
        let path = dir.path + "/s.json"
        do {
            let pv = try PrivValidator(signer: signer, chainID: chainID, persistence: try FileSignStatePersistence(path: path))
            _ = try pv.signProposal(height: 3, round: 2, polRound: nil, blockID: Hash256.sha256([1]))
        }
        let restarted = try PrivValidator(signer: signer, chainID: chainID, persistence: try FileSignStatePersistence(path: path))
        #expect(throws: NodeError(.keys, "")) { try restarted.signProposal(height: 3, round: 2, polRound: nil, blockID: Hash256.sha256([9])) }
        #expect(restarted.nextRound(at: 3) == 3)
        #expect(restarted.nextRound(at: 4) == 0)
    }

    @Test func corruptStateFileMeansNoSigning() throws {
        let dir = TempDir()
        let path = dir.path + "/s.json"
        try FileIO.writeAtomically(Array("{\"height\": ".utf8), to: path)
        #expect(throws: NodeError(.keys, "")) { try PrivValidator(signer: signer, chainID: chainID, persistence: try FileSignStatePersistence(path: path)) }
    }
}
