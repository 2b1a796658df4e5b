import WaggleCore
import WaggleTesting
@testable import WaggleStore

/// The root of the binary sparse Merkle tree over `entries`, computed directly from the
/// definition (leaf at the shallowest unique bit depth), independently of the Jellyfish code.
func referenceRoot(_ entries: [Hash256: [UInt8]]) -> Hash256 {
    let leaves = entries.map { (key: $0.key, hash: SparseMerkleHashing.valueHash($0.value)) }.sorted { $0.key < $1.key }
    func root(_ slice: ArraySlice<(key: Hash256, hash: Hash256)>, depth: Int) -> Hash256 {
        if slice.isEmpty { return SparseMerkleHashing.placeholder }
        if slice.count == 1, let only = slice.first {
            return SparseMerkleHashing.leafHash(key: only.key, valueHash: only.hash)
        }
        let split = slice.firstIndex { SparseMerkleHashing.bit($0.key, depth) } ?? slice.endIndex
        return SparseMerkleHashing.internalHash(
            left: root(slice[slice.startIndex..<split], depth: depth + 1),
            right: root(slice[split..<slice.endIndex], depth: depth + 1))
    }
    return root(leaves[...], depth: 0)
}

/// Node keys reachable from the root at `version`.
func reachableNodeKeys(_ reader: some TreeNodeReader, version: UInt64) throws -> Set<NodeKey> {
    var seen: Set<NodeKey> = []
    var stack = [NodeKey.root(version)]
    while let key = stack.popLast() {
        guard let node = try reader.node(key) else { throw TreeError(.missingNode, "\(key)") }
        seen.insert(key)
        if case .internal(let n) = node {
            for (i, c) in n.children.enumerated() {
                if let c { stack.append(key.child(UInt8(i), version: c.version)) }
            }
        }
    }
    return seen
}

extension Hash256 {
    static func random(using rng: inout SplitMix64) -> Hash256 { Hash256(unchecked: rng.bytes(32)) }

    /// The same key with bit `index` flipped: a neighbour sharing the first `index` bits.
    func flippingBit(_ index: Int) -> Hash256 {
        var b = bytes
        b[index / 8] ^= 0x80 >> UInt8(index % 8)
        return Hash256(unchecked: b)
    }
}
