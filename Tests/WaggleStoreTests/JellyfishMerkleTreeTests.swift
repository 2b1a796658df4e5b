import Testing
import WaggleCore
import WaggleTesting
@testable import WaggleStore

@Suite struct JellyfishMerkleTreeTests {
    typealias Tree = JellyfishMerkleTree<MemoryTreeStore>

    @Test func emptyTreeRootIsThePlaceholderAndProvesAbsence() throws {
        var store = MemoryTreeStore()
        let (root, batch) = try Tree(reader: store).update(baseVersion: nil, version: 1, changes: [])
        #expect(root == Hash256.zero)
        #expect(Tree.emptyRootHash == Hash256.zero)
        store.apply(batch)
        let key = Hash256.sha256([1])
        let proof = try Tree(reader: store).proof(key: key, version: 1)
        #expect(proof.leaf == nil && proof.siblings.isEmpty)
        #expect(proof.verify(root: root, key: key, value: nil))
        #expect(!proof.verify(root: root, key: key, value: [1]))
    }

    @Test func singleKeyTreeRootIsTheLeafHash() throws {
        let key = Hash256.sha256([7])
        let (root, _) = try Tree(reader: MemoryTreeStore()).update(baseVersion: nil, version: 1, changes: [(key, [1, 2])])
        #expect(root == SparseMerkleHashing.leafHash(key: key, valueHash: SparseMerkleHashing.valueHash([1, 2])))
    }

    @Test func randomOperationsMatchTheModelAtEveryVersion() throws {
        var rng = SplitMix64(seed: 0x5747_4C45)
        var store = MemoryTreeStore()
        var model: [Hash256: [UInt8]] = [:]
        var history: [(version: UInt64, model: [Hash256: [UInt8]], root: Hash256)] = []
        var base: UInt64? = nil
        for version in UInt64(1)...25 {
            var changes: [(key: Hash256, value: [UInt8]?)] = []
            for _ in 0..<Int.random(in: 1...24, using: &rng) {
                let existing = model.keys.sorted()
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<4:
                    changes.append((Hash256.random(using: &rng), rng.bytes(Int.random(in: 0...8, using: &rng))))
                case 4 where !existing.isEmpty:
                    // A neighbour sharing a long prefix forces deep internal chains.
                    let k = existing[Int.random(in: 0..<existing.count, using: &rng)]
                    changes.append((k.flippingBit(Int.random(in: 4..<256, using: &rng)), [0xAB]))
                case 5..<7 where !existing.isEmpty:
                    changes.append((existing[Int.random(in: 0..<existing.count, using: &rng)], rng.bytes(3)))
                case 7..<9 where !existing.isEmpty:
                    changes.append((existing[Int.random(in: 0..<existing.count, using: &rng)], nil))
                default:
                    changes.append((Hash256.random(using: &rng), nil))
                }
            }
            for c in changes { model[c.key] = c.value }
            let (root, batch) = try Tree(reader: store).update(baseVersion: base, version: version, changes: changes)
            store.apply(batch)
            base = version

            #expect(root == referenceRoot(model), "version \(version)")
            let scratch = model.sorted { $0.key > $1.key }.map { (key: $0.key, value: Optional($0.value)) }
            let (scratchRoot, _) = try Tree(reader: MemoryTreeStore()).update(baseVersion: nil, version: 1, changes: scratch)
            #expect(scratchRoot == root, "version \(version): incremental and from-scratch roots differ")
            try expectProofs(store, version: version, root: root, model: model, rng: &rng)
            history.append((version, model, root))
        }
        for h in history {
            #expect(try Tree(reader: store).rootHash(version: h.version) == h.root)
            try expectProofs(store, version: h.version, root: h.root, model: h.model, rng: &rng)
        }
    }

    private func expectProofs(
        _ store: MemoryTreeStore, version: UInt64, root: Hash256, model: [Hash256: [UInt8]], rng: inout SplitMix64
    ) throws {
        let tree = Tree(reader: store)
        for (key, value) in model.sorted(by: { $0.key < $1.key }) {
            let proof = try tree.proof(key: key, version: version)
            #expect(proof.verify(root: root, key: key, value: value), "inclusion of \(key) at \(version)")
            #expect(!proof.verify(root: root, key: key, value: nil))
            #expect(try tree.valueHash(key: key, version: version) == SparseMerkleHashing.valueHash(value))
        }
        var absent = (0..<5).map { _ in Hash256.random(using: &rng) }
        if let k = model.keys.sorted().first { absent.append(k.flippingBit(255)) }
        for key in absent where model[key] == nil {
            let proof = try tree.proof(key: key, version: version)
            #expect(proof.verify(root: root, key: key, value: nil), "non-inclusion of \(key) at \(version)")
            #expect(try tree.valueHash(key: key, version: version) == nil)
        }
    }

    @Test func tamperedProofsFail() throws {
        var rng = SplitMix64(seed: 42)
        var model: [Hash256: [UInt8]] = [:]
        for _ in 0..<200 { model[Hash256.random(using: &rng)] = rng.bytes(4) }
        var store = MemoryTreeStore()
        let (root, batch) = try Tree(reader: store).update(
            baseVersion: nil, version: 1, changes: model.map { ($0.key, Optional($0.value)) })
        store.apply(batch)
        let tree = Tree(reader: store)
        let (key, value) = try #require(model.min { $0.key < $1.key })
        let proof = try tree.proof(key: key, version: 1)
        #expect(proof.verify(root: root, key: key, value: value))
        #expect(proof.siblings.count > 1)

        var siblings = proof.siblings
        var bytes = siblings[1].bytes
        bytes[0] ^= 1
        siblings[1] = Hash256(unchecked: bytes)
        #expect(!SparseMerkleProof(leaf: proof.leaf, siblings: siblings).verify(root: root, key: key, value: value))
        #expect(!proof.verify(root: root, key: key, value: value + [0]))
        #expect(!proof.verify(root: root, key: key.flippingBit(255), value: value))
        #expect(!proof.verify(root: Hash256.sha256(root.bytes), key: key, value: value))
        #expect(!SparseMerkleProof(leaf: proof.leaf, siblings: Array(proof.siblings.dropLast())).verify(
            root: root, key: key, value: value))
        #expect(throws: CodecError(.truncated, "")) {
            try SparseMerkleProof(canonicalBytes: Array(proof.canonicalBytes.dropLast()))
        }

        let absentKey = key.flippingBit(200)
        let absence = try tree.proof(key: absentKey, version: 1)
        #expect(absence.verify(root: root, key: absentKey, value: nil))
        #expect(!absence.verify(root: root, key: absentKey, value: []))
        // A non-inclusion proof whose leaf does not lie on the key's path proves nothing.
        let elsewhere = try tree.proof(key: key, version: 1)
        #expect(!SparseMerkleProof(leaf: elsewhere.leaf, siblings: absence.siblings).verify(
            root: root, key: absentKey.flippingBit(0), value: nil))
    }

    @Test func proofEncodingRoundTripsAndRejectsNonCanonicalBytes() throws {
        let leaf = SparseMerkleProof.Leaf(key: Hash256.sha256([1]), valueHash: Hash256.sha256([2]))
        let proof = SparseMerkleProof(leaf: leaf, siblings: [Hash256.sha256([3]), Hash256.zero])
        let bytes = proof.canonicalBytes
        #expect(bytes.count == 1 + 64 + 4 + 64)
        #expect(try SparseMerkleProof(canonicalBytes: bytes) == proof)
        #expect(throws: CodecError(.trailingBytes, "")) { try SparseMerkleProof(canonicalBytes: bytes + [0]) }
        #expect(throws: CodecError(.nonCanonical, "")) { try SparseMerkleProof(canonicalBytes: [2] + bytes.dropFirst()) }
        #expect(throws: CodecError(.lengthOverLimit, "")) {
            try SparseMerkleProof(canonicalBytes: [0, 0, 0, 1, 1] + [UInt8](repeating: 1, count: 257 * 32))
        }
        #expect(throws: CodecError(.nonCanonical, "")) {
            try SparseMerkleProof(canonicalBytes: SparseMerkleProof(leaf: nil, siblings: [Hash256.zero]).canonicalBytes)
        }
    }

    @Test func deletingEveryKeyReturnsToTheEmptyRoot() throws {
        var rng = SplitMix64(seed: 7)
        let keys = (0..<50).map { _ in Hash256.random(using: &rng) }
        var store = MemoryTreeStore()
        let (_, b1) = try Tree(reader: store).update(baseVersion: nil, version: 1, changes: keys.map { ($0, [1]) })
        store.apply(b1)
        let (_, b2) = try Tree(reader: store).update(baseVersion: 1, version: 2, changes: keys.dropLast().map { ($0, nil) })
        store.apply(b2)
        let last = try #require(keys.last)
        #expect(try Tree(reader: store).rootHash(version: 2) == SparseMerkleHashing.leafHash(
            key: last, valueHash: SparseMerkleHashing.valueHash([1])))
        #expect(try reachableNodeKeys(store, version: 2) == [NodeKey.root(2)])
        let (root, b3) = try Tree(reader: store).update(baseVersion: 2, version: 3, changes: [(last, nil)])
        store.apply(b3)
        #expect(root == Hash256.zero)
        #expect(try Tree(reader: store).proof(key: last, version: 3).verify(root: root, key: last, value: nil))
    }

    @Test func updateBatchDoesNotDependOnChangeOrder() throws {
        var rng = SplitMix64(seed: 99)
        let changes: [(key: Hash256, value: [UInt8]?)] = (0..<64).map { _ in (Hash256.random(using: &rng), rng.bytes(2)) }
        let a = try Tree(reader: MemoryTreeStore()).update(baseVersion: nil, version: 3, changes: changes).batch
        let b = try Tree(reader: MemoryTreeStore()).update(baseVersion: nil, version: 3, changes: changes.reversed()).batch
        #expect(a.encodedNodes.map(\.key) == b.encodedNodes.map(\.key))
        #expect(a.encodedNodes.map(\.value) == b.encodedNodes.map(\.value))
        #expect(a.rootHash == b.rootHash)
    }

    @Test func lastChangeToAKeyWins() throws {
        let k = Hash256.sha256([1])
        let (root, _) = try Tree(reader: MemoryTreeStore()).update(
            baseVersion: nil, version: 1, changes: [(k, [1]), (k, nil), (k, [2])])
        #expect(root == referenceRoot([k: [2]]))
    }

    @Test func updateRejectsAVersionNotAboveTheBase() throws {
        var store = MemoryTreeStore()
        let (_, batch) = try Tree(reader: store).update(baseVersion: nil, version: 5, changes: [])
        store.apply(batch)
        #expect(throws: TreeError(.invalidVersion, "")) {
            try Tree(reader: store).update(baseVersion: 5, version: 5, changes: [])
        }
        #expect(throws: TreeError(.missingNode, "")) {
            try Tree(reader: store).update(baseVersion: 4, version: 6, changes: [])
        }
    }

    @Test func unchangedVersionStillHasARootAndStalesTheOldOne() throws {
        var store = MemoryTreeStore()
        let k = Hash256.sha256([1])
        let (r1, b1) = try Tree(reader: store).update(baseVersion: nil, version: 1, changes: [(k, [1]), (k.flippingBit(3), [2])])
        store.apply(b1)
        let (r2, b2) = try Tree(reader: store).update(baseVersion: 1, version: 2, changes: [(k.flippingBit(9), nil)])
        #expect(r1 == r2)
        #expect(b2.newNodes.map(\.nodeKey) == [NodeKey.root(2)])
        #expect(b2.staleNodes == [StaleNodeIndex(staleSinceVersion: 2, nodeKey: .root(1))])
    }

    @Test func pruningKeepsEveryNodeTheLatestVersionUses() throws {
        var rng = SplitMix64(seed: 2024)
        var store = MemoryTreeStore()
        var model: [Hash256: [UInt8]] = [:]
        var base: UInt64? = nil
        for version in UInt64(1)...12 {
            var changes: [(key: Hash256, value: [UInt8]?)] = (0..<10).map { _ in (Hash256.random(using: &rng), rng.bytes(2)) }
            for k in model.keys.sorted().prefix(3) { changes.append((k, nil)) }
            for c in changes { model[c.key] = c.value }
            let (_, batch) = try Tree(reader: store).update(baseVersion: base, version: version, changes: changes)
            store.apply(batch)
            base = version
        }
        let reachable = try reachableNodeKeys(store, version: 12)
        let pruned = store.prune(upToVersion: 12)
        #expect(pruned > 0)
        #expect(Set(store.nodes.keys) == reachable)
        let root = try Tree(reader: store).rootHash(version: 12)
        #expect(root == referenceRoot(model))
        for (k, v) in model { #expect(try Tree(reader: store).proof(key: k, version: 12).verify(root: root, key: k, value: v)) }
        #expect(throws: TreeError(.missingNode, "")) { try Tree(reader: store).rootHash(version: 11) }
    }
}
