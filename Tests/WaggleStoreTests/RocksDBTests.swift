import Foundation
import Testing
@testable import WaggleStore

@Suite struct RocksDBTests {
    static let blocks = RocksDB.ColumnFamily("blocks")
    static let state = RocksDB.ColumnFamily("state")

    private func open(_ path: String, _ families: [RocksDB.ColumnFamily] = [blocks, state]) throws -> RocksDB {
        try RocksDB(path: path, columnFamilies: families)
    }

    @Test func putGetDeleteRoundTripsPerColumnFamily() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        try db.put([1, 2], [10], in: Self.blocks)
        try db.put([1, 2], [20], in: Self.state)
        #expect(try db.get([1, 2], in: Self.blocks) == [10])
        #expect(try db.get([1, 2], in: Self.state) == [20])
        #expect(try db.get([1, 2], in: .default) == nil)
        try db.delete([1, 2], in: Self.blocks)
        #expect(try db.get([1, 2], in: Self.blocks) == nil)
        #expect(try db.get([1, 2], in: Self.state) == [20])
    }

    @Test func emptyKeyAndEmptyValueAreStoredAndDistinguishedFromAbsent() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        try db.put([], [7, 7], in: Self.blocks)
        try db.put([9], [], in: Self.blocks)
        #expect(try db.get([], in: Self.blocks) == [7, 7])
        #expect(try db.get([9], in: Self.blocks) == [])
        #expect(try db.get([8], in: Self.blocks) == nil)
        let all = try db.entries(in: Self.blocks)
        #expect(all.map(\.key) == [[], [9]])
        #expect(all.map(\.value) == [[7, 7], []])
        try db.delete([], in: Self.blocks)
        #expect(try db.get([], in: Self.blocks) == nil)
    }

    @Test func reopenKeepsDataAndColumnFamilies() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try open(dir.path("db"))
            try db.put([1], [1], in: Self.state, sync: true)
            try db.close()
            #expect(db.isClosed)
            #expect(throws: RocksDBError(.closed, "")) { try db.get([1], in: Self.state) }
            try db.close()
        }
        let db = try open(dir.path("db"))
        #expect(try db.get([1], in: Self.state) == [1])
        #expect(db.columnFamilies.map(\.name) == ["default", "blocks", "state"])
    }

    @Test func reopenWithAnAdditionalColumnFamilyCreatesIt() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try open(dir.path("db"), [Self.blocks]).close()
        let db = try open(dir.path("db"), [Self.blocks, Self.state])
        try db.put([1], [2], in: Self.state)
        #expect(try db.get([1], in: Self.state) == [2])
    }

    @Test func openRefusesDatabaseWithUndeclaredColumnFamily() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try open(dir.path("db"), [Self.blocks, Self.state]).close()
        #expect(throws: RocksDBError(.unknownColumnFamily, "")) { try open(dir.path("db"), [Self.blocks]) }
    }

    @Test func undeclaredColumnFamilyInAnOperationIsRejected() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        #expect(throws: RocksDBError(.unknownColumnFamily, "")) {
            try db.put([1], [1], in: RocksDB.ColumnFamily("nope"))
        }
    }

    @Test func openFailsWithTypedErrorWhenPathIsAFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.path("file")
        _ = FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3]))
        let error = #expect(throws: RocksDBError.self) { try open(file) }
        #expect(error?.code == .io)
    }

    @Test func secondOpenOfALockedDatabaseFailsWithLocked() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        #expect(throws: RocksDBError(.locked, "")) { try open(dir.path("db")) }
        try db.close()
        let again = try open(dir.path("db"))
        try again.close()
    }

    @Test func writeBatchAppliesAcrossColumnFamiliesAtomically() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        try db.put([5], [5], in: Self.state)
        let batch = WriteBatch()
        batch.put([1], [1], in: Self.blocks)
        batch.put([2], [2], in: Self.state)
        batch.delete([5], in: Self.state)
        #expect(batch.count == 3)
        try db.write(batch, sync: true)
        #expect(try db.get([1], in: Self.blocks) == [1])
        #expect(try db.get([2], in: Self.state) == [2])
        #expect(try db.get([5], in: Self.state) == nil)
    }

    @Test func writeBatchWithUnknownColumnFamilyWritesNothing() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        let batch = WriteBatch()
        batch.put([1], [1], in: Self.blocks)
        batch.put([2], [2], in: RocksDB.ColumnFamily("missing"))
        #expect(throws: RocksDBError(.unknownColumnFamily, "")) { try db.write(batch, sync: true) }
        #expect(try db.get([1], in: Self.blocks) == nil)
    }

    @Test func iteratorStopsAtUpperBoundAndStartsAtLowerBound() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        for i: UInt8 in 0..<10 { try db.put([i], [i &* 2], in: Self.blocks) }
        let got = try db.entries(in: Self.blocks, lowerBound: [3], upperBound: [7])
        #expect(got.map(\.key) == [[3], [4], [5], [6]])
        #expect(got.map(\.value) == [[6], [8], [10], [12]])
        #expect(try db.entries(in: Self.blocks, lowerBound: [3], upperBound: [7], limit: 2).count == 2)
    }

    @Test func iteratorBoundsOutliveTemporariesAtTheCallSite() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        for i: UInt8 in 0..<32 { try db.put([0xAA, i], [i], in: Self.blocks) }
        func makeBounds(_ lo: UInt8, _ hi: UInt8) -> ([UInt8], [UInt8]) { ([0xAA, lo], [0xAA, hi]) }
        let it = try db.iterator(in: Self.blocks, lowerBound: makeBounds(4, 9).0, upperBound: makeBounds(4, 9).1)
        // Churn the heap so that freed temporaries would be overwritten.
        var junk: [[UInt8]] = []
        for i in 0..<1000 { junk.append([UInt8](repeating: 0xFF, count: 2 + i % 7)) }
        #expect(junk.count == 1000)
        var keys: [[UInt8]] = []
        it.seekToFirst()
        while let k = it.key {
            keys.append(k)
            it.next()
        }
        try it.checkStatus()
        #expect(keys == (4..<9).map { [0xAA, UInt8($0)] })
    }

    @Test func reverseIterationFindsTheLatestKeyWithinBounds() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        for h: UInt8 in 1...5 { try db.put([0x01, h], [h], in: Self.blocks) }
        try db.put([0x02, 0], [0], in: Self.blocks)
        let last = try db.lastEntry(in: Self.blocks, lowerBound: [0x01], upperBound: [0x02])
        #expect(last?.key == [0x01, 5])
        let it = try db.iterator(in: Self.blocks, upperBound: [0x02])
        #expect(try it.collectBackward().map(\.key) == (1...5).reversed().map { [0x01, UInt8($0)] })
        it.seek(forPrevious: [0x01, 3, 0xFF])
        #expect(it.key == [0x01, 3])
        it.previous()
        #expect(it.key == [0x01, 2])
        it.seek(to: [0x01, 4])
        #expect(it.key == [0x01, 4])
        #expect(try db.lastEntry(in: Self.state) == nil)
    }

    @Test func snapshotReadsIgnoreLaterWrites() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        try db.put([1], [1], in: Self.state)
        let snap = try db.snapshot()
        try db.put([1], [2], in: Self.state)
        try db.put([2], [2], in: Self.state)
        #expect(try snap.get([1], in: Self.state) == [1])
        #expect(try snap.get([2], in: Self.state) == nil)
        #expect(try snap.entries(in: Self.state).map(\.key) == [[1]])
        #expect(try db.get([1], in: Self.state) == [2])
    }

    @Test func closeIsRefusedWhileSnapshotOrIteratorLives() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        do {
            let snap = try db.snapshot()
            let it = try snap.iterator(in: Self.state)
            #expect(throws: RocksDBError(.busy, "")) { try db.close() }
            it.seekToFirst()
            #expect(!it.isValid)
        }
        try db.close()
        #expect(db.isClosed)
    }

    @Test func concurrentReadersAndWritersSeeConsistentValues() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try open(dir.path("db"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<4 {
                group.addTask {
                    for i in 0..<200 {
                        let key = [UInt8(t), UInt8(i % 256)]
                        try db.put(key, key, in: Self.state)
                        #expect(try db.get(key, in: Self.state) == key)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try db.entries(in: Self.state).count == 800)
    }
}
