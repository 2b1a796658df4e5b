import Testing
import WaggleCore
import WaggleTesting
@testable import WaggleStore

@Suite struct RocksTreeStoreTests {
    static let nodes = RocksDB.ColumnFamily("tree_nodes")
    static let stale = RocksDB.ColumnFamily("tree_stale")

    @Test func committedVersionsSurviveReopenAndPruningRemovesOnlyStaleNodes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var rng = SplitMix64(seed: 77)
        var model: [Hash256: [UInt8]] = [:]
        var roots: [UInt64: Hash256] = [:]
        do {
            let db = try RocksDB(path: dir.path("db"), columnFamilies: [Self.nodes, Self.stale])
            let store = RocksTreeStore(database: db, nodes: Self.nodes, stale: Self.stale)
            var base: UInt64? = nil
            for version in UInt64(1)...8 {
                var changes: [(key: Hash256, value: [UInt8]?)] = (0..<20).map { _ in (Hash256.random(using: &rng), rng.bytes(3)) }
                for k in model.keys.sorted().prefix(4) { changes.append((k, nil)) }
                for k in model.keys.sorted().suffix(2) { changes.append((k, [0xEE])) }
                for c in changes { model[c.key] = c.value }
                let (root, batch) = try JellyfishMerkleTree(reader: store).update(
                    baseVersion: base, version: version, changes: changes)
                let wb = WriteBatch()
                RocksTreeStore.write(batch, into: wb, nodesCF: Self.nodes, staleCF: Self.stale)
                wb.put([0x01], Array(root.bytes), in: .default)
                try db.write(wb, sync: true)
                roots[version] = root
                base = version
            }
            #expect(roots[8] == referenceRoot(model))
        }

        let db = try RocksDB(path: dir.path("db"), columnFamilies: [Self.nodes, Self.stale])
        let store = RocksTreeStore(database: db, nodes: Self.nodes, stale: Self.stale)
        let tree = JellyfishMerkleTree(reader: store)
        for (v, r) in roots { #expect(try tree.rootHash(version: v) == r) }

        let reachable = try reachableNodeKeys(store, version: 8)
        let staleBefore = try db.entries(in: Self.stale).count
        let pruned = try store.prune(upToVersion: 8, batchSize: 7)
        #expect(pruned == staleBefore && pruned > 0)
        #expect(try db.entries(in: Self.stale).isEmpty)
        let remaining = try Set(db.entries(in: Self.nodes).map { try NodeKey(encoded: $0.key) })
        #expect(remaining == reachable)
        let root = try #require(roots[8])
        for (k, v) in model.sorted(by: { $0.key < $1.key }) {
            let proof = try tree.proof(key: k, version: 8)
            #expect(try SparseMerkleProof(canonicalBytes: proof.canonicalBytes).verify(root: root, key: k, value: v))
        }
        #expect(throws: TreeError(.missingNode, "")) { try tree.rootHash(version: 7) }
        #expect(try store.prune(upToVersion: 8) == 0)
    }

    @Test func pruningUpToAnOlderVersionKeepsThatVersionReadable() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try RocksDB(path: dir.path("db"), columnFamilies: [Self.nodes, Self.stale])
        let store = RocksTreeStore(database: db, nodes: Self.nodes, stale: Self.stale)
        var rng = SplitMix64(seed: 5)
        var base: UInt64? = nil
        var valuesAt3: [Hash256: [UInt8]] = [:]
        for version in UInt64(1)...5 {
            let changes: [(key: Hash256, value: [UInt8]?)] = (0..<10).map { _ in (Hash256.random(using: &rng), [UInt8(version)]) }
            if version <= 3 { for c in changes { valuesAt3[c.key] = c.value } }
            let (_, batch) = try JellyfishMerkleTree(reader: store).update(baseVersion: base, version: version, changes: changes)
            let wb = WriteBatch()
            store.write(batch, into: wb)
            try db.write(wb, sync: false)
            base = version
        }
        let keep3 = try reachableNodeKeys(store, version: 3)
        try store.prune(upToVersion: 3)
        #expect(try reachableNodeKeys(store, version: 3) == keep3)
        let tree = JellyfishMerkleTree(reader: store)
        let root3 = try tree.rootHash(version: 3)
        #expect(root3 == referenceRoot(valuesAt3))
        for (k, v) in valuesAt3.sorted(by: { $0.key < $1.key }) {
            #expect(try tree.proof(key: k, version: 3).verify(root: root3, key: k, value: v))
        }
    }

    @Test func corruptStoredNodeIsATypedError() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let db = try RocksDB(path: dir.path("db"), columnFamilies: [Self.nodes, Self.stale])
        let store = RocksTreeStore(database: db, nodes: Self.nodes, stale: Self.stale)
        try db.put(NodeKey.root(1).encoded, [9, 9], in: Self.nodes)
        #expect(throws: CodecError(.unknownTag, "")) { try JellyfishMerkleTree(reader: store).rootHash(version: 1) }
    }
}
