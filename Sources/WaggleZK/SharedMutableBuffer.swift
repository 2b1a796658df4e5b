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
