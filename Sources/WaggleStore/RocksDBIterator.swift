import CRocksDB

/// A cursor over one column family, optionally bounded and optionally reading at a snapshot. It
/// owns the `rocksdb_iterator_t`, the read options it was created with, and private copies of the
/// bounds: RocksDB keeps pointers to the bound bytes (`iterate_upper_bound` is a `Slice*`), so
/// they must outlive the C iterator, whatever the caller did with the arrays it passed in.
///
/// Not Sendable: a RocksDB iterator must not be used from two threads at once.
public final class RocksDBIterator {
    public typealias Entry = RocksDB.Entry

    private let database: RocksDB
    // Keeps the snapshot (and through it the database) alive while the iterator reads at it.
    private let snapshot: RocksDBSnapshot?
    private let handle: OpaquePointer
    private let readOptions: OpaquePointer?
    private let lowerBound: UnsafeMutableBufferPointer<CChar>?
    private let upperBound: UnsafeMutableBufferPointer<CChar>?

    init?(
        database: RocksDB, snapshot: RocksDBSnapshot?, lowerBound: [UInt8]?, upperBound: [UInt8]?,
        create: (OpaquePointer?) -> OpaquePointer?
    ) {
        let ro = rocksdb_readoptions_create()
        let lower = lowerBound.map(Self.ownedCopy)
        let upper = upperBound.map(Self.ownedCopy)
        if let lower, let base = lower.baseAddress {
            rocksdb_readoptions_set_iterate_lower_bound(ro, base, lowerBound?.count ?? 0)
        }
        if let upper, let base = upper.baseAddress {
            rocksdb_readoptions_set_iterate_upper_bound(ro, base, upperBound?.count ?? 0)
        }
        if let snapshot { rocksdb_readoptions_set_snapshot(ro, snapshot.handle) }
        guard let handle = create(ro) else {
            rocksdb_readoptions_destroy(ro)
            lower?.deallocate()
            upper?.deallocate()
            return nil
        }
        self.database = database
        self.snapshot = snapshot
        self.handle = handle
        self.readOptions = ro
        self.lowerBound = lower
        self.upperBound = upper
    }

    deinit {
        // Order matters: the iterator reads the options, which point at the bound copies.
        rocksdb_iter_destroy(handle)
        rocksdb_readoptions_destroy(readOptions)
        lowerBound?.deallocate()
        upperBound?.deallocate()
        database.releaseDependent()
    }

    /// Positions at the first entry within the bounds.
    public func seekToFirst() { rocksdb_iter_seek_to_first(handle) }

    /// Positions at the last entry within the bounds.
    public func seekToLast() { rocksdb_iter_seek_to_last(handle) }

    /// Positions at the first entry whose key is >= `key`.
    public func seek(to key: [UInt8]) {
        RocksDBBytes.with(key) { k, n in rocksdb_iter_seek(handle, k, n) }
    }

    /// Positions at the last entry whose key is <= `key`.
    public func seek(forPrevious key: [UInt8]) {
        RocksDBBytes.with(key) { k, n in rocksdb_iter_seek_for_prev(handle, k, n) }
    }

    /// Whether the cursor is on an entry. False past either end, and after an error
    /// (`checkStatus()` tells which).
    public var isValid: Bool { rocksdb_iter_valid(handle) != 0 }

    /// Moves to the next entry; does nothing when not on an entry (RocksDB forbids it).
    public func next() {
        if isValid { rocksdb_iter_next(handle) }
    }

    /// Moves to the previous entry; does nothing when not on an entry.
    public func previous() {
        if isValid { rocksdb_iter_prev(handle) }
    }

    public var key: [UInt8]? {
        guard isValid else { return nil }
        var n = 0
        let p = rocksdb_iter_key(handle, &n)
        return RocksDBBytes.copy(p, n)
    }

    public var value: [UInt8]? {
        guard isValid else { return nil }
        var n = 0
        let p = rocksdb_iter_value(handle, &n)
        return RocksDBBytes.copy(p, n)
    }

    /// The entry under the cursor, or nil when not on one.
    public var entry: Entry? {
        guard let key, let value else { return nil }
        return (key, value)
    }

    /// Throws the error that stopped the iteration, if any. An iterator that becomes invalid has
    /// either reached the end of its range or failed; only this call tells them apart.
    public func checkStatus() throws {
        try RocksDBBytes.checked { err in rocksdb_iter_get_error(handle, err) }
    }

    /// Every entry from the first, in key order (at most `limit`), checking the status at the end.
    public func collectForward(limit: Int = .max) throws -> [Entry] {
        var out: [Entry] = []
        seekToFirst()
        while out.count < limit, let e = entry {
            out.append(e)
            next()
        }
        try checkStatus()
        return out
    }

    /// Every entry from the last, in descending key order (at most `limit`).
    public func collectBackward(limit: Int = .max) throws -> [Entry] {
        var out: [Entry] = []
        seekToLast()
        while out.count < limit, let e = entry {
            out.append(e)
            previous()
        }
        try checkStatus()
        return out
    }

    private static func ownedCopy(_ bytes: [UInt8]) -> UnsafeMutableBufferPointer<CChar> {
        // At least one byte so that an empty bound still has a valid, owned address.
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(1, bytes.count))
        buffer.initialize(repeating: 0)
        for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
        return buffer
    }
}
