import Testing
import WaggleCore
import WaggleTesting

@testable import WaggleP2P

/// The block-sync channel's messages (Docs/PROTOCOL.md, "Block sync"): byte layout, round trips,
/// and garbage or truncated input refused with a typed error.
struct BlockSyncMessageTests {
    static func sampleBlock(txs: Int = 2) -> (Block, Commit) {
        let signer = TestKeys.signer(3)
        let transactions = (0..<txs).map { i in
            Transaction.sign(chainID: "sync-test", signer: signer, nonce: UInt64(i), fee: 1,
                             body: .transfer(to: TestKeys.signer(4).address, amount: 7))
        }
        let header = Header(
            chainID: "sync-test", height: 9, timeMs: 1_767_225_600_000, lastBlockID: Hash256.sha256([1]),
            lastCommitHash: Hash256.sha256([2]), transactionsRoot: MerkleRoot.of(transactions.map(\.hash.bytes)),
            stateRoot: Hash256.sha256([3]), validatorsHash: Hash256.sha256([4]), nextValidatorsHash: Hash256.sha256([4]),
            proposer: signer.address, evidenceRoot: Hash256.sha256([5]))
        let block = Block(header: header, transactions: transactions, evidence: [], lastCommit: nil)
        let commit = Commit(height: 9, round: 0, blockID: block.id, signatures: [.absent])
        return (block, commit)
    }

    static var allMessages: [BlockSyncMessage] {
        let (block, commit) = sampleBlock()
        return [
            .statusRequest, .statusResponse(base: 1, height: 0x0102_0304_0506_0708), .blockRequest(height: 42),
            .blockResponse(block: block, commit: commit), .noBlockResponse(height: 43),
        ]
    }

    @Test func eachMessageHasItsDocumentedBytes() {
        #expect(BlockSyncMessage.statusRequest.canonicalBytes == [0x01])
        #expect(BlockSyncMessage.statusResponse(base: 1, height: 0x0102_0304_0506_0708).canonicalBytes
            == [0x02, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8])
        #expect(BlockSyncMessage.blockRequest(height: 0x1234).canonicalBytes == [0x03, 0, 0, 0, 0, 0, 0, 0x12, 0x34])
        #expect(BlockSyncMessage.noBlockResponse(height: 5).canonicalBytes == [0x05, 0, 0, 0, 0, 0, 0, 0, 5])
        let (block, commit) = Self.sampleBlock()
        #expect(BlockSyncMessage.blockResponse(block: block, commit: commit).canonicalBytes
            == [0x04] + block.canonicalBytes + commit.canonicalBytes)
    }

    @Test func everyMessageRoundTrips() throws {
        for m in Self.allMessages {
            #expect(try BlockSyncMessage(canonicalBytes: m.canonicalBytes) == m)
        }
    }

    @Test func everyTruncationAndTrailingByteIsRefused() {
        for m in Self.allMessages {
            let bytes = m.canonicalBytes
            for cut in 0..<bytes.count {
                #expect(throws: CodecError.self, "\(m) cut at \(cut)") { try BlockSyncMessage(canonicalBytes: Array(bytes.prefix(cut))) }
            }
            #expect(throws: CodecError.self) { try BlockSyncMessage(canonicalBytes: bytes + [0]) }
        }
    }

    @Test func unknownTagsAreRefused() {
        for tag in [UInt8(0x00), 0x06, 0x40, 0xff] {
            #expect(throws: CodecError.self) { try BlockSyncMessage(canonicalBytes: [tag] + [UInt8](repeating: 0, count: 16)) }
        }
    }

    @Test func randomAndMutatedBytesNeverCrashAndWhatDecodesReEncodesIdentically() {
        var rng = SplitMix64(seed: 0xb10c)
        let seeds = Self.allMessages.map(\.canonicalBytes)
        for i in 0..<3_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = rng.bytes(Int(rng.next() % 64))
            } else {
                bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
                for _ in 0..<(1 + Int(rng.next() % 4)) where !bytes.isEmpty {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            if let m = try? BlockSyncMessage(canonicalBytes: bytes) {
                #expect(m.canonicalBytes == bytes)
            }
        }
    }
}
