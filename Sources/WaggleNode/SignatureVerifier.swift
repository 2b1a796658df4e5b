import Dispatch
import WaggleCore

/// Verifies transaction signatures in parallel across cores. The result does not depend on the
/// scheduling: it is the index of the first invalid signature, or nil.
public enum SignatureVerifier {
    public static func firstInvalid(_ txs: [Transaction], chainID: String) -> Int? {
        if txs.count < 16 {
            return txs.firstIndex { !$0.verifySignature(chainID: chainID) }
        }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, txs.count / 8))
        let results = UnsafeMutableBufferPointer<Bool>.allocate(capacity: txs.count)
        results.initialize(repeating: false)
        defer { results.deallocate() }
        // Each worker writes a disjoint stride of `results`; concurrentPerform returns after all finish.
        nonisolated(unsafe) let out = results
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < txs.count {
                out[i] = txs[i].verifySignature(chainID: chainID)
                i += workers
            }
        }
        return results.firstIndex { !$0 }
    }
}

import Foundation
