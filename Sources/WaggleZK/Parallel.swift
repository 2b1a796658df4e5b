import Dispatch
import Foundation

/// Data-parallel helpers over DispatchQueue.concurrentPerform (all cores).
enum Parallel {
    /// The cores available to this process.
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// [body(0), …, body(count - 1)], evaluated concurrently when `parallel` and count > 1.
    static func map<T: Sendable>(count: Int, parallel: Bool = true, _ body: @Sendable (Int) -> T) -> [T] {
        if count == 0 { return [] }
        if !parallel || count == 1 { return (0..<count).map(body) }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let out = DisjointWrites(base: buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: count) { i in out.initialize(i, body(i)) }
            initialized = count
        }
    }

    /// Splits 0..<count into up to `maxChunks` ranges and runs `body` on them concurrently
    /// (Dispatch spreads them over all cores).
    static func forEachChunk(count: Int, maxChunks: Int = 64, _ body: @Sendable (Range<Int>) -> Void) {
        if count == 0 { return }
        let chunks = min(count, maxChunks)
        let size = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size
            let hi = min(count, lo + size)
            if lo < hi { body(lo..<hi) }
        }
    }
}
