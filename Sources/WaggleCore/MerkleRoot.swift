/// The Merkle root of an ordered list (transactions, evidence), as RFC 6962 and CometBFT's
/// `merkle.HashFromByteSlices`: leaf = SHA-256(0x00 || item), inner = SHA-256(0x01 || left ||
/// right), split at the largest power of two below n, empty list = SHA-256 of no bytes.
public enum MerkleRoot {
    public static func of(_ items: [[UInt8]]) -> Hash256 {
        if items.isEmpty { return Hash256.sha256([]) }
        return root(items[...])
    }

    private static func root(_ items: ArraySlice<[UInt8]>) -> Hash256 {
        if items.count == 1 { return Hash256.sha256(parts: [[0x00], items.first!]) }
        var k = 1
        while k * 2 < items.count { k *= 2 }
        let mid = items.startIndex + k
        let l = root(items[items.startIndex..<mid])
        let r = root(items[mid...])
        return Hash256.sha256(parts: [[0x01], l.bytes, r.bytes])
    }
}
