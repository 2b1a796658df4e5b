import Dispatch

/// Data-parallel helpers over DispatchQueue.concurrentPerform (all cores).
enum Parallel {
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

/// An output buffer that the iterations of one concurrentPerform call write into.
/// `@unchecked Sendable` is justified: every iteration writes only its own index (disjoint
/// memory), nobody reads until concurrentPerform has joined all iterations, and the buffer
/// outlives that call.
struct DisjointWrites<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    func initialize(_ i: Int, _ value: T) { (base + i).initialize(to: value) }
    func assign(_ i: Int, _ value: T) { base[i] = value }
}

/// A buffer that concurrent iterations update at disjoint indices (NTT butterflies of one stage,
/// chunks of an output array). `@unchecked Sendable` is justified: callers partition the indices
/// so that no two iterations touch the same element, and the owner does not read or free the
/// memory until concurrentPerform has joined every iteration.
struct SharedMutableBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    @inline(__always) subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
