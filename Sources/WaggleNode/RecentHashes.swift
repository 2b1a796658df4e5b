import WaggleCore

/// A set of at most `capacity` hashes that forgets the oldest first: what one peer is known to
/// have, so memory stays bounded however many transactions pass.
public struct RecentHashes: Sendable {
    public let capacity: Int
    private var members: Set<Hash256> = []
    private var ring: [Hash256] = []
    private var next = 0

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    public var count: Int { members.count }
    public func contains(_ h: Hash256) -> Bool { members.contains(h) }

    /// Adds `h`; false when it was already there.
    @discardableResult
    public mutating func insert(_ h: Hash256) -> Bool {
        guard !members.contains(h) else { return false }
        if ring.count < capacity {
            ring.append(h)
        } else {
            members.remove(ring[next])
            ring[next] = h
            next = (next + 1) % capacity
        }
        members.insert(h)
        return true
    }
}
