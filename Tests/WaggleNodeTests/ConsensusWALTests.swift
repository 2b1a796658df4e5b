import Foundation
import Testing
import WaggleConsensus
import WaggleCore
import WaggleNode

@Suite struct ConsensusWALTests {
    static let chainID = "waggle-wal-test"
    static let signer = Signer(seed: [UInt8](repeating: 0x42, count: 32))!

    /// One record of every kind, for heights 1 and 2 with an end marker between them.
    static var sample: [WALRecord] {
        let id = Hash256.sha256([1])
        let p = Proposal.sign(chainID: chainID, height: 1, round: 0, polRound: nil, blockID: id, signer: signer)
        let v = Vote.sign(chainID: chainID, type: .prevote, height: 1, round: 0, blockID: id, signer: signer)
        let nilVote = Vote.sign(chainID: chainID, type: .precommit, height: 2, round: 3, blockID: nil, signer: signer)
        return [
            .proposeValue(height: 1, round: 0, blockID: id), .ownProposal(p), .ownVote(v), .proposal(p, blockIsValid: false), .vote(v),
            .timeout(ConsensusTimeout(height: 1, round: 0, step: .prevote)), .endHeight(1), .vote(nilVote), .ownVote(nilVote),
            .timeout(ConsensusTimeout(height: 2, round: 3, step: .precommit)),
        ]
    }

    func write(_ records: [WALRecord], to path: String) throws {
        let (wal, _) = try ConsensusWAL.open(path: path)
        for (i, r) in records.enumerated() {
            if case .endHeight(let h) = r { try wal.endHeight(h) } else { try wal.append(r, sync: i % 2 == 0) }
        }
    }

    @Test func everyRecordKindRoundTripsThroughItsCanonicalEncoding() throws {
        for r in Self.sample {
            #expect(try WALRecord(canonicalBytes: r.canonicalBytes) == r)
        }
        #expect(throws: CodecError.self) { try WALRecord(canonicalBytes: [0x09]) }
        #expect(throws: CodecError.self) { try WALRecord(canonicalBytes: [0x05, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 9]) }
        #expect(throws: CodecError.self) { try WALRecord(canonicalBytes: WALRecord.endHeight(3).canonicalBytes + [0]) }
    }

    @Test func crc32cMatchesTheCastagnoliCheckValue() {
        // The standard check value of CRC-32C over "123456789" (RFC 3720, appendix B.4).
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func aReopenedLogReplaysTheRecordsAfterTheLastEndOfHeight() throws {
        let dir = TempDir("wal")
        let path = ConsensusWAL.defaultPath(home: dir.path)
        try write(Self.sample, to: path)
        let (_, recovery) = try ConsensusWAL.open(path: path)
        #expect(recovery.lastEndedHeight == 1)
        #expect(recovery.replay == Array(Self.sample.suffix(3)))
        #expect(recovery.truncatedBytes == 0 && recovery.truncationReason == nil)
        #expect(recovery.replay.compactMap(\.input).count == 3)
    }

    /// A crash can stop the file at any byte: at a record boundary the log is intact, inside a
    /// record the torn tail is cut, and the records before it always replay.
    @Test func aCrashAtEveryByteOfTheLogRecoversTheCompleteRecordsBeforeIt() throws {
        let dir = TempDir("wal")
        let path = ConsensusWAL.defaultPath(home: dir.path)
        try write(Self.sample, to: path)
        let full = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var boundaries = [0]
        for r in Self.sample { boundaries.append(boundaries.last! + WALFraming.frame(r).count) }
        #expect(boundaries.last == full.count)
        let cutPath = "\(dir.path)/cut/wal"
        for cut in 0...full.count {
            try? FileManager.default.removeItem(atPath: "\(dir.path)/cut")
            try FileManager.default.createDirectory(atPath: "\(dir.path)/cut", withIntermediateDirectories: true)
            try Data(full.prefix(cut)).write(to: URL(fileURLWithPath: cutPath))
            let complete = boundaries.lastIndex { $0 <= cut }!
            let (wal, recovery) = try ConsensusWAL.open(path: cutPath)
            let kept = Array(Self.sample.prefix(complete))
            let afterMarker = kept.lastIndex(of: .endHeight(1)).map { Array(kept[($0 + 1)...]) } ?? kept
            #expect(recovery.replay == afterMarker, "cut at \(cut)")
            #expect(recovery.truncatedBytes == cut - boundaries[complete], "cut at \(cut)")
            #expect((recovery.truncationReason != nil) == (cut != boundaries[complete]), "cut at \(cut)")
            #expect(wal.size == boundaries[complete])
            // The log goes on after the cut: a new record lands right after the last good one.
            try wal.append(.endHeight(9), sync: true)
            let (_, again) = try ConsensusWAL.open(path: cutPath)
            #expect(again.lastEndedHeight == 9 && again.replay.isEmpty && again.truncatedBytes == 0, "cut at \(cut)")
        }
    }

    @Test func aCorruptRecordCutsTheLogThereAndKeepsWhatCameBefore() throws {
        let dir = TempDir("wal")
        let path = ConsensusWAL.defaultPath(home: dir.path)
        try write(Self.sample, to: path)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let third = WALFraming.frame(Self.sample[0]).count + WALFraming.frame(Self.sample[1]).count
        bytes[third + WALFraming.headerSize + 5] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (wal, recovery) = try ConsensusWAL.open(path: path)
        #expect(recovery.replay == Array(Self.sample.prefix(2)))
        #expect(recovery.truncationReason?.contains("checksum") == true)
        #expect(wal.size == third)
    }

    @Test func garbageOrAnOversizedLengthIsATornTailNotACrash() throws {
        let dir = TempDir("wal")
        let path = ConsensusWAL.defaultPath(home: dir.path)
        try FileManager.default.createDirectory(atPath: "\(dir.path)/data/cs.wal", withIntermediateDirectories: true)
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<50 {
            var junk = (0..<Int.random(in: 0..<300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if trial == 0 { junk = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] + junk }
            try Data(junk).write(to: URL(fileURLWithPath: path))
            let (wal, recovery) = try ConsensusWAL.open(path: path)
            #expect(recovery.replay.count <= junk.count / WALFraming.headerSize)
            #expect(wal.size + recovery.truncatedBytes == junk.count)
        }
    }

    @Test func aLogPastItsSizeIsRewrittenToItsLastMarkerAtTheEndOfAHeight() throws {
        let dir = TempDir("wal")
        let path = ConsensusWAL.defaultPath(home: dir.path)
        let (wal, _) = try ConsensusWAL.open(path: path, rotateBytes: 1024)
        for r in Self.sample + Self.sample where r != .endHeight(1) { try wal.append(r, sync: false) }
        #expect(wal.size > 1024)
        try wal.endHeight(5)
        #expect(wal.size == WALFraming.frame(.endHeight(5)).count)
        try wal.append(Self.sample[2], sync: true)
        let (_, recovery) = try ConsensusWAL.open(path: path)
        #expect(recovery.lastEndedHeight == 5 && recovery.replay == [Self.sample[2]])
    }
}
