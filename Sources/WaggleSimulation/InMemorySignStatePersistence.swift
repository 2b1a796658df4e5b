import Foundation
import WaggleConsensus

/// The simulator's "disk" for a validator's double-sign guard: it outlives the guard (and the
/// simulated process), so a restarted validator reloads what it signed before the crash.
public final class InMemorySignStatePersistence: SignStatePersistence, @unchecked Sendable {
    private let lock = NSLock()
    private var state: LastSignState?
    /// When set, `save` throws: a full disk, to test that the guard then releases nothing.
    private var failing = false
    private var history: [LastSignState] = []

    public init(_ state: LastSignState? = nil) { self.state = state }

    public func load() throws -> LastSignState? { lock.withLock { state } }

    public func save(_ state: LastSignState) throws {
        try lock.withLock {
            if failing { throw Failure() }
            self.state = state
            history.append(state)
        }
    }

    /// Every state saved, in order: each is a signature the guard released.
    public var released: [LastSignState] { lock.withLock { history } }

    public func setFailing(_ on: Bool) { lock.withLock { failing = on } }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String { "simulated persistence failure" }
    }
}
