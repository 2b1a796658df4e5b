import Dispatch
import Foundation
import WaggleCore

/// One parallel pass over a block's transactions: each is encoded once to get its hash and size,
/// and its signature is verified. The result does not depend on scheduling.
public struct TransactionDigest: Sendable {
    public let hashes: [Hash256]
    public let sizes: [Int]
    /// The index of the first transaction whose signature does not verify, or nil.
    public let firstInvalidSignature: Int?

    public var totalBytes: Int { sizes.reduce(0, +) }

    public init(_ txs: [Transaction], chainID: String) {
        let n = txs.count
        var hashes = [Hash256](repeating: .zero, count: n)
        var sizes = [Int](repeating: 0, count: n)
        var valid = [Bool](repeating: false, count: n)
        let workers = n < 16 ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, n / 8))
        hashes.withUnsafeMutableBufferPointer { hp in
            sizes.withUnsafeMutableBufferPointer { sp in
                valid.withUnsafeMutableBufferPointer { vp in
                    // Each worker writes a disjoint stride; concurrentPerform returns after all finish.
                    nonisolated(unsafe) let (h, s, v) = (hp, sp, vp)
                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                        var i = w
                        while i < n {
                            let bytes = txs[i].canonicalBytes
                            h[i] = HashDomain.hash(HashDomain.transaction, bytes)
                            s[i] = bytes.count
                            v[i] = txs[i].verifySignature(chainID: chainID)
                            i += workers
                        }
                    }
                }
            }
        }
        self.hashes = hashes
        self.sizes = sizes
        firstInvalidSignature = valid.firstIndex { !$0 }
    }
}
