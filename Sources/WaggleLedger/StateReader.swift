import WaggleCore

/// Read access to committed state. The node implements it over RocksDB; tests over a dictionary.
public protocol StateReader: Sendable {
    func get(_ key: StateKey) throws -> [UInt8]?
}

/// One change to state: a new value, or nil for a deletion.
public struct StateChange: Hashable, Sendable {
    public let key: StateKey
    public let value: [UInt8]?

    public init(key: StateKey, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// Writes buffered over a `StateReader`. Reads see the buffered writes first. `changes` lists them
/// sorted by key, so the result never depends on dictionary order.
public struct StateOverlay: Sendable {
    public let base: any StateReader
    private var writes: [StateKey: [UInt8]?] = [:]

    public init(base: any StateReader) { self.base = base }

    public func get(_ key: StateKey) throws -> [UInt8]? {
        if let w = writes[key] { return w }
        return try base.get(key)
    }

    // Undo log for `rollback`: the key and what `writes` held for it before (nil = nothing).
    private var journal: [(key: StateKey, previous: [UInt8]??)] = []

    public mutating func set(_ key: StateKey, _ value: [UInt8]?) {
        journal.append((key, writes[key]))
        writes[key] = .some(value)
    }

    /// A point to roll back to, so a failed transaction leaves no writes behind without copying
    /// the whole overlay per transaction.
    public var checkpoint: Int { journal.count }

    public mutating func rollback(to checkpoint: Int) {
        while journal.count > checkpoint {
            let (key, previous) = journal.removeLast()
            if let previous { writes[key] = previous } else { writes[key] = nil }
        }
    }

    /// Forgets the undo log (after a block's transactions are final).
    public mutating func discardJournal() { journal.removeAll(keepingCapacity: true) }

    /// The buffered writes in key order.
    public var changes: [StateChange] {
        writes.keys.sorted().map { StateChange(key: $0, value: writes[$0]!) }
    }

    public var isEmpty: Bool { writes.isEmpty }
}

/// An in-memory `StateReader` (genesis, tests, replay checks).
public struct MemoryState: StateReader {
    public var entries: [StateKey: [UInt8]]

    public init(_ entries: [StateKey: [UInt8]] = [:]) { self.entries = entries }

    public func get(_ key: StateKey) throws -> [UInt8]? { entries[key] }

    public mutating func apply(_ changes: [StateChange]) {
        for c in changes { entries[c.key] = c.value }
    }
}
