import CRocksDB

/// A point-in-time view of a `RocksDB`. It holds a strong reference to the database, so the
/// database cannot be deinitialised first, and `RocksDB.close()` refuses to run while it lives;
/// its deinit releases the C snapshot.
///
/// Sendable: RocksDB snapshots are immutable and safe to read from any thread; the handle is set
/// once in init and released once in deinit.
public final class RocksDBSnapshot: @unchecked Sendable {
    public let database: RocksDB
    let handle: OpaquePointer

    init(database: RocksDB, handle: OpaquePointer) {
        self.database = database
        self.handle = handle
    }

    deinit { database.releaseSnapshot(handle) }

    /// The value of `key` as of the snapshot.
    public func get(_ key: [UInt8], in cf: RocksDB.ColumnFamily = .default) throws -> [UInt8]? {
        try database.get(key, in: cf, snapshot: handle)
    }

    /// An iterator reading as of the snapshot; it keeps the snapshot alive.
    public func iterator(
        in cf: RocksDB.ColumnFamily = .default, lowerBound: [UInt8]? = nil, upperBound: [UInt8]? = nil
    ) throws -> RocksDBIterator {
        try database.makeIterator(cf, lowerBound: lowerBound, upperBound: upperBound, snapshot: self)
    }

    public func entries(
        in cf: RocksDB.ColumnFamily = .default, lowerBound: [UInt8]? = nil, upperBound: [UInt8]? = nil,
        limit: Int = .max
    ) throws -> [RocksDB.Entry] {
        try iterator(in: cf, lowerBound: lowerBound, upperBound: upperBound).collectForward(limit: limit)
    }
}
