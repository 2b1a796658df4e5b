import Testing
import WaggleCore
import WaggleTesting

@Suite struct SignatureTests {
    let chainID = "waggle-test"

    @Test func transactionSignatureDoesNotVerifyOnAnotherChain() {
        let tx = Transaction.sign(chainID: chainID, signer: TestKeys.signer(0), nonce: 0, fee: 1, body: .transfer(to: TestKeys.signer(1).address, amount: 1))
        #expect(tx.verifySignature(chainID: chainID))
        #expect(!tx.verifySignature(chainID: "other-chain"))
    }

    @Test func signBytesOfDifferentKindsNeverCollide() {
        let id = Hash256.sha256([1])
        let prevote = Vote.signBytes(chainID: chainID, type: .prevote, height: 1, round: 0, blockID: id)
        let precommit = Vote.signBytes(chainID: chainID, type: .precommit, height: 1, round: 0, blockID: id)
        let proposal = Proposal.signBytes(chainID: chainID, height: 1, round: 0, polRound: nil, blockID: id)
        #expect(Set([prevote, precommit, proposal]).count == 3)
        #expect(prevote.starts(with: SignDomain.vote.prefix(chainID: chainID).bytes))
    }

    @Test func tamperedTransactionFieldsInvalidateTheSignature() {
        let tx = Transaction.sign(chainID: chainID, signer: TestKeys.signer(0), nonce: 0, fee: 1, body: .transfer(to: TestKeys.signer(1).address, amount: 1))
        var t = tx; t.nonce = 1
        #expect(!t.verifySignature(chainID: chainID))
        t = tx; t.fee = 2
        #expect(!t.verifySignature(chainID: chainID))
        t = tx; t.body = .transfer(to: TestKeys.signer(1).address, amount: 2)
        #expect(!t.verifySignature(chainID: chainID))
        t = tx; t.sender = TestKeys.signer(1).publicKey
        #expect(!t.verifySignature(chainID: chainID))
    }

    @Test func voteVerificationChecksAddressAndSignature() {
        let s = TestKeys.signer(0)
        let v = Vote.sign(chainID: chainID, type: .precommit, height: 3, round: 1, blockID: nil, signer: s)
        #expect(v.verify(chainID: chainID, publicKey: s.publicKey))
        #expect(!v.verify(chainID: chainID, publicKey: TestKeys.signer(1).publicKey))
        var moved = v
        moved.round = 2
        #expect(!moved.verify(chainID: chainID, publicKey: s.publicKey))
    }
}
