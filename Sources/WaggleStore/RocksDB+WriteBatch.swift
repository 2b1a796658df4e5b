extension RocksDB {
    /// Puts and deletes across column families, applied atomically by `RocksDB.write(_:sync:)`.
    /// It records operations in Swift and builds the C batch only inside `write`, so it needs no
    /// open database to fill and holds no C handle. Later operations on a key win, as in RocksDB.
    public final class WriteBatch {
        enum Kind {
            case put([UInt8])
            case delete
        }

        struct Operation {
            let columnFamily: ColumnFamily
            let key: [UInt8]
            let kind: Kind
        }

        private(set) var operations: [Operation] = []

        public init() {}

        public func put(_ key: [UInt8], _ value: [UInt8], in cf: ColumnFamily = .default) {
            operations.append(Operation(columnFamily: cf, key: key, kind: .put(value)))
        }

        public func delete(_ key: [UInt8], in cf: ColumnFamily = .default) {
            operations.append(Operation(columnFamily: cf, key: key, kind: .delete))
        }

        public var count: Int { operations.count }
        public var isEmpty: Bool { operations.isEmpty }

        public func clear() { operations.removeAll(keepingCapacity: true) }
    }
}

public typealias WriteBatch = RocksDB.WriteBatch
