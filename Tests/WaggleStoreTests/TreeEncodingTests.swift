import Testing
import WaggleCore
@testable import WaggleStore

@Suite struct TreeEncodingTests {
    @Test func nodeKeysSortByVersionFirst() throws {
        let a = NodeKey(version: 1, path: NibblePath(key: Hash256(unchecked: [UInt8](repeating: 0xFF, count: 32)), count: 64))
        let b = NodeKey(version: 2, path: NibblePath())
        #expect(a < b)
        #expect(a.encoded.lexicographicallyPrecedes(b.encoded))
        #expect(try NodeKey(encoded: a.encoded) == a)
        let odd = NodeKey(version: 9, path: NibblePath().appending(0xA).appending(0x3).appending(0x7))
        #expect(odd.encoded == [0, 0, 0, 0, 0, 0, 0, 9, 3, 0xA3, 0x70])
        #expect(try NodeKey(encoded: odd.encoded) == odd)
        #expect(throws: CodecError(.nonCanonical, "")) { try NodeKey(encoded: [0, 0, 0, 0, 0, 0, 0, 9, 3, 0xA3, 0x71]) }
        #expect(throws: CodecError(.invalidValue, "")) { try NodeKey(encoded: [0, 0, 0, 0, 0, 0, 0, 9, 65] + [UInt8](repeating: 0, count: 33)) }
    }

    @Test func staleIndexSortsBySinceVersion() throws {
        let s = StaleNodeIndex(staleSinceVersion: 3, nodeKey: NodeKey(version: 1, path: NibblePath().appending(4)))
        #expect(try StaleNodeIndex(encoded: s.encoded) == s)
        #expect(s.encoded.prefix(8) == [0, 0, 0, 0, 0, 0, 0, 3])
        #expect(StaleNodeIndex.upperBound(pruningUpTo: 3) == [0, 0, 0, 0, 0, 0, 0, 4])
        #expect(StaleNodeIndex.upperBound(pruningUpTo: .max) == nil)
    }

    @Test func treeNodesRoundTripAndRejectNonCanonicalBytes() throws {
        let leaf = TreeNode.leaf(.init(key: Hash256.sha256([1]), valueHash: Hash256.sha256([2])))
        #expect(try TreeNode(encoded: leaf.encoded) == leaf)
        #expect(try TreeNode(encoded: [0]) == .empty)
        var children = [InternalNode.Child?](repeating: nil, count: 16)
        children[2] = .init(hash: Hash256.sha256([3]), version: 4, isLeaf: true)
        children[9] = .init(hash: Hash256.sha256([5]), version: 6, isLeaf: false)
        let node = TreeNode.internal(try #require(InternalNode(children: children)))
        let bytes = node.encoded
        #expect(bytes.prefix(5) == [1, 0x02, 0x04, 0x00, 0x04])
        #expect(try TreeNode(encoded: bytes) == node)
        #expect(throws: CodecError(.unknownTag, "")) { try TreeNode(encoded: [3]) }
        #expect(throws: CodecError(.trailingBytes, "")) { try TreeNode(encoded: [0, 0]) }
        #expect(throws: CodecError(.invalidValue, "")) { try TreeNode(encoded: [1, 0, 0, 0, 0]) }
        #expect(throws: CodecError(.invalidValue, "")) { try TreeNode(encoded: [1, 0, 1, 0, 2] + [UInt8](repeating: 0, count: 40)) }
        // A lone leaf child is not canonical: the leaf belongs in the parent's slot.
        #expect(throws: CodecError(.invalidValue, "")) { try TreeNode(encoded: [1, 0, 1, 0, 1] + [UInt8](repeating: 0, count: 40)) }
        #expect(throws: CodecError(.truncated, "")) { try TreeNode(encoded: Array(bytes.dropLast())) }
    }
}
