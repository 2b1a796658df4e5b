/// An output buffer that the iterations of one concurrentPerform call write into.
/// `@unchecked Sendable` is justified: every iteration writes only its own index (disjoint
/// memory), nobody reads until concurrentPerform has joined all iterations, and the buffer
/// outlives that call.
struct DisjointWrites<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    func initialize(_ i: Int, _ value: T) { (base + i).initialize(to: value) }
    func assign(_ i: Int, _ value: T) { base[i] = value }
}
