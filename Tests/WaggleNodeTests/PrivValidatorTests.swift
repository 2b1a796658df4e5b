import Foundation
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

    @Test func aLinkedStateFileStaysLinkedAndItsTargetIsWhatGetsUpdated() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.path + "/persistent", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path + "/data", withIntermediateDirectories: true)
        let target = dir.path + "/persistent/state.json", link = dir.path + "/data/state.json"
        let first = try PrivValidator(signer: signer, chainID: chainID, persistence: try FileSignStatePersistence(path: target))
        _ = try first.signVote(type: .prevote, height: 1, round: 0, blockID: nil)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let pv = try PrivValidator(signer: signer, chainID: chainID, persistence: try FileSignStatePersistence(path: link))
        _ = try pv.signVote(type: .precommit, height: 2, round: 0, blockID: nil)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target, "still a link")
        #expect(try FileSignStatePersistence(path: target).load()?.height == 2, "the target holds the newest state")
        // A link to nothing is refused outright.
        try FileManager.default.removeItem(atPath: target)
        #expect(throws: NodeError(.keys, "")) { try FileSignStatePersistence(path: link) }
    }

    @Test func aHostileSignStateIsAnErrorNotATrap() throws {
        let dir = TempDir()
        let exhausted = dir.path + "/exhausted.json"
        try FileIO.writeAtomically(Array(#"{"height": 7, "round": 4294967295, "step": 3, "sign_bytes": ""}"#.utf8), to: exhausted)
        let pv = try PrivValidator(signer: signer, chainID: chainID, persistence: try FileSignStatePersistence(path: exhausted))
        #expect(pv.nextRound(at: 7) == nil)
        #expect(pv.nextRound(at: 8) == 0)
        let badStep = dir.path + "/step.json"
        try FileIO.writeAtomically(Array(#"{"height": 7, "round": 0, "step": 9, "sign_bytes": ""}"#.utf8), to: badStep)
        #expect(throws: NodeError(.keys, "")) { try PrivValidator(signer: signer, chainID: chainID, persistence: try FileSignStatePersistence(path: badStep)) }
    }

    @Test func keyringAddNeverOverwritesAKey() async throws {
        let dir = TempDir()
        let ring = Keyring(directory: dir.path + "/keyring")
        let results = await withTaskGroup(of: Address?.self) { group in
            for _ in 0..<8 { group.addTask { try? ring.add("alice").signer.address } }
            var out: [Address?] = []
            for await r in group { out.append(r) }
            return out
        }
        let winners = results.compactMap { $0 }
        #expect(winners.count == 1, "exactly one concurrent add succeeds")
        #expect(try ring.get("alice").signer.address == winners.first)
        #expect(throws: NodeError(.keys, "")) { try ring.add("alice") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/keyring") == ["alice.json"], "no temporary files left")
    }
}
