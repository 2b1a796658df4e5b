import Testing
import WaggleCore
import WaggleTesting

@Suite struct CodecTests {
    let chainID = "waggle-test"

    func sampleTransaction(_ body: TransactionBody = .transfer(to: TestKeys.signer(2).address, amount: 5)) -> Transaction {
        Transaction.sign(chainID: chainID, signer: TestKeys.signer(1), nonce: 7, fee: 3, body: body)
    }

    @Test func integersAreFixedWidthBigEndian() {
        var e = CanonicalEncoder()
        e.u16(0x0102)
        e.u32(0x0304_0506)
        e.u64(0x0708_090a_0b0c_0d0e)
        e.i64(-1)
        #expect(e.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] + [UInt8](repeating: 0xff, count: 8))
    }

    @Test func byteStringsAndStringsAreLengthPrefixed() {
        var e = CanonicalEncoder()
        e.bytes([0xaa, 0xbb])
        e.string("hi")
        #expect(e.bytes == [0, 0, 0, 2, 0xaa, 0xbb, 0, 0, 0, 2, 0x68, 0x69])
    }

    @Test func everyTransactionKindRoundTrips() throws {
        let bodies: [TransactionBody] = [
            .transfer(to: TestKeys.signer(2).address, amount: 5),
            .createValidator(publicKey: TestKeys.signer(3).publicKey, selfBond: 1000),
            .bond(validator: TestKeys.signer(3).address, amount: 10),
            .unbond(validator: TestKeys.signer(3).address, amount: 4),
        ]
        for b in bodies {
            let tx = sampleTransaction(b)
            let decoded = try Transaction(canonicalBytes: tx.canonicalBytes)
            #expect(decoded == tx)
            #expect(decoded.verifySignature(chainID: chainID))
        }
    }

    @Test func decoderRejectsTrailingBytes() {
        let bytes = sampleTransaction().canonicalBytes + [0]
        #expect(throws: CodecError(.trailingBytes, "")) { try Transaction(canonicalBytes: bytes) }
    }

    @Test func decoderRejectsEveryTruncation() {
        let bytes = sampleTransaction().canonicalBytes
        for n in 0..<bytes.count {
            #expect(throws: CodecError(.truncated, "")) { try Transaction(canonicalBytes: Array(bytes[0..<n])) }
        }
    }

    @Test func decoderRejectsUnknownTransactionTag() {
        var bytes = sampleTransaction().canonicalBytes
        bytes[32 + 8 + 8] = 0x7f  // the body tag follows sender, nonce and fee
        #expect(throws: CodecError(.unknownTag, "")) { try Transaction(canonicalBytes: bytes) }
    }

    @Test func decoderRejectsNonCanonicalBooleanAndOptionTags() {
        var d = CanonicalDecoder([2])
        #expect(throws: CodecError(.nonCanonical, "")) { try d.bool() }
        let vote = Vote.sign(chainID: chainID, type: .prevote, height: 1, round: 0, blockID: nil, signer: TestKeys.signer(0))
        var bytes = vote.canonicalBytes
        bytes[1 + 8 + 4] = 2  // the option tag of the block id
        #expect(throws: CodecError(.nonCanonical, "")) { try Vote(canonicalBytes: bytes) }
    }

    @Test func decoderRejectsLengthsOverTheLimit() {
        var e = CanonicalEncoder()
        e.bytes([UInt8](repeating: 1, count: 10))
        var d = CanonicalDecoder(e.bytes)
        #expect(throws: CodecError(.lengthOverLimit, "")) { try d.bytes(maxLength: 9) }
        var huge = CanonicalDecoder([0xff, 0xff, 0xff, 0xff])
        #expect(throws: CodecError(.lengthOverLimit, "")) { try huge.bytes(maxLength: .max) }
    }

    @Test func decoderRejectsInvalidUTF8() {
        var e = CanonicalEncoder()
        e.bytes([0xff, 0xfe])
        var d = CanonicalDecoder(e.bytes)
        #expect(throws: CodecError(.nonCanonical, "")) { try d.string(maxLength: 10) }
    }

    @Test func blockWithCommitAndEvidenceRoundTrips() throws {
        let signer = TestKeys.signer(0)
        let set = try ValidatorSet([Validator(publicKey: signer.publicKey, votingPower: 10)])
        let prevID = Hash256.sha256([1])
        let commit = Commit(
            height: 1, round: 0, blockID: prevID,
            precommits: [Vote.sign(chainID: chainID, type: .precommit, height: 1, round: 0, blockID: prevID, signer: signer)],
            validators: set)
        let a = Vote.sign(chainID: chainID, type: .prevote, height: 1, round: 0, blockID: prevID, signer: signer)
        let b = Vote.sign(chainID: chainID, type: .prevote, height: 1, round: 0, blockID: nil, signer: signer)
        let ev = try DuplicateVoteEvidence(a, b)
        let txs = [sampleTransaction()]
        let header = Header(
            chainID: chainID, height: 2, timeMs: 1000, lastBlockID: prevID, lastCommitHash: commit.hash,
            transactionsRoot: Block.transactionsRoot(txs), stateRoot: .zero, validatorsHash: set.hash, nextValidatorsHash: set.hash,
            proposer: signer.address, evidenceRoot: Block.evidenceRoot([ev]))
        let block = Block(header: header, transactions: txs, evidence: [ev], lastCommit: commit)
        let decoded = try Block(canonicalBytes: block.canonicalBytes)
        #expect(decoded == block)
        #expect(decoded.id == block.id)
        try decoded.validateBody()
    }

    @Test func blockBodyMismatchIsDetected() throws {
        let signer = TestKeys.signer(0)
        let header = Header(
            chainID: chainID, height: 1, timeMs: 1, lastBlockID: .zero, lastCommitHash: .zero,
            transactionsRoot: Block.transactionsRoot([]), stateRoot: .zero, validatorsHash: .zero, nextValidatorsHash: .zero,
            proposer: signer.address, evidenceRoot: Block.evidenceRoot([]))
        let block = Block(header: header, transactions: [sampleTransaction()], evidence: [], lastCommit: nil)
        #expect(throws: Block.Failure.transactionsRootMismatch) { try block.validateBody() }
    }

    @Test func hashesChangeWithEveryHeaderField() {
        let base = Header(
            chainID: chainID, height: 1, timeMs: 1, lastBlockID: .zero, lastCommitHash: .zero, transactionsRoot: .zero,
            stateRoot: .zero, validatorsHash: .zero, nextValidatorsHash: .zero, proposer: TestKeys.signer(0).address,
            evidenceRoot: .zero)
        var variants: [Header] = []
        let one = Hash256.sha256([1])
        var h = base; h.height = 2; variants.append(h)
        h = base; h.timeMs = 2; variants.append(h)
        h = base; h.chainID = "other"; variants.append(h)
        h = base; h.lastBlockID = one; variants.append(h)
        h = base; h.lastCommitHash = one; variants.append(h)
        h = base; h.transactionsRoot = one; variants.append(h)
        h = base; h.stateRoot = one; variants.append(h)
        h = base; h.validatorsHash = one; variants.append(h)
        h = base; h.nextValidatorsHash = one; variants.append(h)
        h = base; h.proposer = TestKeys.signer(1).address; variants.append(h)
        h = base; h.evidenceRoot = one; variants.append(h)
        let ids = Set(variants.map(\.blockID) + [base.blockID])
        #expect(ids.count == variants.count + 1)
    }

    @Test func merkleRootMatchesRFC6962Shape() {
        let a: [UInt8] = [1], b: [UInt8] = [2], c: [UInt8] = [3]
        let leaf = { (x: [UInt8]) in Hash256.sha256(parts: [[0], x]) }
        let node = { (l: Hash256, r: Hash256) in Hash256.sha256(parts: [[1], l.bytes, r.bytes]) }
        #expect(MerkleRoot.of([]) == Hash256.sha256([]))
        #expect(MerkleRoot.of([a]) == leaf(a))
        #expect(MerkleRoot.of([a, b]) == node(leaf(a), leaf(b)))
        #expect(MerkleRoot.of([a, b, c]) == node(node(leaf(a), leaf(b)), leaf(c)))
    }

    @Test func hexAndAddressParsingIsStrict() {
        #expect(Hex.decode("0x0aFf") == [0x0a, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        let addr = TestKeys.signer(0).address
        #expect(Address(hex: addr.hex) == addr)
        #expect(Address(hex: String(addr.hex.dropFirst(2))) == nil, "the 0x prefix is required")
        #expect(Address(hex: addr.hex + "00") == nil)
        #expect(addr.bytes == Array(Hash256.sha256(TestKeys.signer(0).publicKey.bytes).bytes.prefix(20)))
    }

    @Test func timestampsParseAndFormatRFC3339() {
        #expect(Timestamp.parseRFC3339("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.parseRFC3339("2026-01-01T00:00:00Z") == 1_767_225_600_000)
        #expect(Timestamp.parseRFC3339("2026-01-01T01:00:00.5+01:00") == 1_767_225_600_500)
        #expect(Timestamp.parseRFC3339("2024-02-29T12:00:00.123456Z") == 1_709_208_000_123)
        #expect(Timestamp.parseRFC3339("2023-02-29T12:00:00Z") == nil)
        #expect(Timestamp.parseRFC3339("2026-01-01 00:00:00Z") == nil)
        #expect(Timestamp.parseRFC3339("2026-01-01T00:00:00") == nil)
        #expect(Timestamp.formatRFC3339(ms: 1_709_208_000_123) == "2024-02-29T12:00:00.123Z")
        #expect(Timestamp.formatRFC3339(ms: -1) == "1969-12-31T23:59:59.999Z")
    }
}
