import CRocksDB
import Foundation

/// An open RocksDB database with a fixed set of column families: the one owner of the `rocksdb_t`
/// handle, its column-family handles and the options they were opened with. No C pointer leaves
/// this type, `RocksDBIterator` or `RocksDBSnapshot`.
///
/// Every call blocks on disk I/O (a `sync` write waits for fsync). Callers in async code run them
/// off Swift's cooperative pool (a dedicated thread or `NIOThreadPool`), never directly in a task.
///
/// Sendable: RocksDB documents `DB` as safe for concurrent reads and writes from any thread
/// without external synchronisation. The only state this class mutates itself is the handle set,
/// which `close()` tears down; that happens under the exclusive side of a read-write lock that
/// every operation holds in shared mode, so no call can race with the teardown, and `close()`
/// refuses to run while snapshots or iterators (which keep raw pointers into the database) live.
public final class RocksDB: @unchecked Sendable {
    public typealias Entry = (key: [UInt8], value: [UInt8])

    public let path: String
    /// The column families the database was opened with, `default` first.
    public let columnFamilies: [ColumnFamily]

    private let lifecycle = Lifecycle()
    // Guarded by `lifecycle`: written only in init and in close, under the exclusive lock.
    private var db: OpaquePointer?
    private var familyHandles: [String: OpaquePointer] = [:]
    private var options: OpaquePointer?
    private var readOptions: OpaquePointer?
    private var syncWriteOptions: OpaquePointer?
    private var bufferedWriteOptions: OpaquePointer?

    /// Opens the database at `path`, creating it and any missing column family. Refuses, with
    /// `.unknownColumnFamily`, a database holding a column family not in `columnFamilies`: such a
    /// database belongs to another program or another schema version, and RocksDB cannot open it
    /// without naming every family.
    public init(path: String, columnFamilies: [ColumnFamily], options tuning: Options = Options()) throws {
        self.path = path
        var families: [ColumnFamily] = [.default]
        for cf in columnFamilies where !families.contains(cf) { families.append(cf) }
        self.columnFamilies = families

        let opts = Self.makeOptions(tuning)
        do {
            if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("CURRENT")) {
                let existing = try Self.listColumnFamilies(path: path, options: opts)
                let unknown = existing.filter { name in !families.contains { $0.name == name } }
                guard unknown.isEmpty else {
                    throw RocksDBError(
                        .unknownColumnFamily,
                        "database at \(path) has column families not declared by the caller: \(unknown.sorted().joined(separator: ", "))")
                }
            }
            let (db, handles) = try Self.open(path: path, families: families, options: opts)
            self.db = db
            for (cf, h) in zip(families, handles) { familyHandles[cf.name] = h }
        } catch {
            rocksdb_options_destroy(opts)
            throw error
        }
        options = opts
        readOptions = rocksdb_readoptions_create()
        let sync = rocksdb_writeoptions_create()
        rocksdb_writeoptions_set_sync(sync, 1)
        syncWriteOptions = sync
        bufferedWriteOptions = rocksdb_writeoptions_create()
    }

    deinit {
        // Snapshots and iterators hold strong references, so none can be alive here.
        closeHandles()
        lifecycle.destroy()
    }

    /// Flushes nothing extra and releases every handle; later calls throw `.closed`. Throws `.busy`
    /// while snapshots or iterators are still alive. Closing twice is a no-op.
    public func close() throws {
        try lifecycle.exclusive { dependents in
            guard db != nil else { return }
            guard dependents == 0 else {
                throw RocksDBError(.busy, "\(dependents) snapshots or iterators are still open on \(path)")
            }
            closeHandles()
        }
    }

    public var isClosed: Bool { lifecycle.shared { db == nil } }

    // MARK: Reads and writes

    /// The value stored under `key`, or nil when there is none. An empty stored value is `[]`.
    public func get(_ key: [UInt8], in cf: ColumnFamily = .default) throws -> [UInt8]? {
        try get(key, in: cf, snapshot: nil)
    }

    /// Writes one key. `sync: true` returns only after the write-ahead log is fsynced.
    public func put(_ key: [UInt8], _ value: [UInt8], in cf: ColumnFamily = .default, sync: Bool = false) throws {
        try withOpen { db in
            let h = try handle(cf)
            let wo = sync ? syncWriteOptions : bufferedWriteOptions
            try RocksDBBytes.with(key) { k, kn in
                try RocksDBBytes.with(value) { v, vn in
                    try RocksDBBytes.checked { err in rocksdb_put_cf(db, wo, h, k, kn, v, vn, err) }
                }
            }
        }
    }

    public func delete(_ key: [UInt8], in cf: ColumnFamily = .default, sync: Bool = false) throws {
        try withOpen { db in
            let h = try handle(cf)
            let wo = sync ? syncWriteOptions : bufferedWriteOptions
            try RocksDBBytes.with(key) { k, kn in
                try RocksDBBytes.checked { err in rocksdb_delete_cf(db, wo, h, k, kn, err) }
            }
        }
    }

    /// Applies every operation of `batch` atomically, across column families: after a crash the
    /// database holds all of them or none. With `sync: true` the call returns only once the
    /// write-ahead log is fsynced, so the batch survives SIGKILL and power loss. Every column
    /// family is resolved before anything is written, so an unknown one writes nothing.
    public func write(_ batch: WriteBatch, sync: Bool) throws {
        try withOpen { db in
            let resolved = try batch.operations.map { op in (op, try handle(op.columnFamily)) }
            guard let wb = rocksdb_writebatch_create() else {
                throw RocksDBError(.other, "rocksdb_writebatch_create returned NULL")
            }
            defer { rocksdb_writebatch_destroy(wb) }
            for (op, h) in resolved {
                switch op.kind {
                case .put(let value):
                    RocksDBBytes.with(op.key) { k, kn in
                        RocksDBBytes.with(value) { v, vn in rocksdb_writebatch_put_cf(wb, h, k, kn, v, vn) }
                    }
                case .delete:
                    RocksDBBytes.with(op.key) { k, kn in rocksdb_writebatch_delete_cf(wb, h, k, kn) }
                }
            }
            let wo = sync ? syncWriteOptions : bufferedWriteOptions
            try RocksDBBytes.checked { err in rocksdb_write(db, wo, wb, err) }
        }
    }

    // MARK: Iteration and snapshots

    /// An iterator over `cf` restricted to `lowerBound <= key < upperBound` (nil: unbounded). The
    /// iterator copies the bounds and keeps them alive as long as it lives, because RocksDB keeps
    /// pointers to them. It starts unpositioned: call `seekToFirst()`, `seekToLast()` or `seek`.
    public func iterator(in cf: ColumnFamily = .default, lowerBound: [UInt8]? = nil, upperBound: [UInt8]? = nil) throws
        -> RocksDBIterator
    {
        try makeIterator(cf, lowerBound: lowerBound, upperBound: upperBound, snapshot: nil)
    }

    /// The entries of `cf` in `[lowerBound, upperBound)`, in key order, at most `limit` of them.
    public func entries(
        in cf: ColumnFamily = .default, lowerBound: [UInt8]? = nil, upperBound: [UInt8]? = nil, limit: Int = .max
    ) throws -> [Entry] {
        try iterator(in: cf, lowerBound: lowerBound, upperBound: upperBound).collectForward(limit: limit)
    }

    /// The entry with the greatest key in `[lowerBound, upperBound)`: "the latest height" lookups.
    public func lastEntry(in cf: ColumnFamily = .default, lowerBound: [UInt8]? = nil, upperBound: [UInt8]? = nil) throws
        -> Entry?
    {
        let it = try iterator(in: cf, lowerBound: lowerBound, upperBound: upperBound)
        it.seekToLast()
        let e = it.entry
        try it.checkStatus()
        return e
    }

    /// A consistent point-in-time view. The snapshot keeps this database open (`close()` throws
    /// `.busy`) until it is released.
    public func snapshot() throws -> RocksDBSnapshot {
        try withOpen { db in
            guard let snap = rocksdb_create_snapshot(db) else {
                throw RocksDBError(.other, "rocksdb_create_snapshot returned NULL")
            }
            lifecycle.retainDependent()
            return RocksDBSnapshot(database: self, handle: snap)
        }
    }

    // MARK: Internals shared with snapshots and iterators

    func get(_ key: [UInt8], in cf: ColumnFamily, snapshot: OpaquePointer?) throws -> [UInt8]? {
        try withOpen { db in
            let h = try handle(cf)
            let ro: OpaquePointer?
            if let snapshot {
                ro = rocksdb_readoptions_create()
                rocksdb_readoptions_set_snapshot(ro, snapshot)
            } else {
                ro = readOptions
            }
            defer { if snapshot != nil { rocksdb_readoptions_destroy(ro) } }
            // The pinned variant distinguishes "absent" (NULL) from "empty" without relying on
            // malloc(0) returning non-NULL.
            let slice = try RocksDBBytes.with(key) { k, kn in
                try RocksDBBytes.checked { err in rocksdb_get_pinned_cf(db, ro, h, k, kn, err) }
            }
            guard let slice else { return nil }
            defer { rocksdb_pinnableslice_destroy(slice) }
            var length = 0
            guard let p = rocksdb_pinnableslice_value(slice, &length), length > 0 else { return [] }
            return Array(UnsafeRawBufferPointer(start: p, count: length))
        }
    }

    func makeIterator(_ cf: ColumnFamily, lowerBound: [UInt8]?, upperBound: [UInt8]?, snapshot: RocksDBSnapshot?) throws
        -> RocksDBIterator
    {
        try withOpen { db in
            let h = try handle(cf)
            let iterator = RocksDBIterator(
                database: self, snapshot: snapshot, lowerBound: lowerBound, upperBound: upperBound
            ) { ro in rocksdb_create_iterator_cf(db, ro, h) }
            guard let iterator else { throw RocksDBError(.other, "rocksdb_create_iterator_cf returned NULL") }
            lifecycle.retainDependent()
            return iterator
        }
    }

    /// Called from the deinit of a snapshot or iterator, after it destroyed its C handle.
    func releaseDependent() { lifecycle.releaseDependent() }

    /// Releases a snapshot. Its owner counts as a dependent, so the database is still open.
    func releaseSnapshot(_ snap: OpaquePointer) {
        lifecycle.shared {
            if let db { rocksdb_release_snapshot(db, snap) }
        }
        lifecycle.releaseDependent()
    }

    private func withOpen<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        try lifecycle.shared {
            guard let db else { throw RocksDBError(.closed, "database at \(path) is closed") }
            return try body(db)
        }
    }

    private func handle(_ cf: ColumnFamily) throws -> OpaquePointer {
        guard let h = familyHandles[cf.name] else {
            throw RocksDBError(.unknownColumnFamily, "column family \(cf.name) was not opened on \(path)")
        }
        return h
    }

    private func closeHandles() {
        guard let db else { return }
        for name in familyHandles.keys.sorted() {
            if let h = familyHandles[name] { rocksdb_column_family_handle_destroy(h) }
        }
        familyHandles = [:]
        rocksdb_close(db)
        self.db = nil
        rocksdb_readoptions_destroy(readOptions)
        rocksdb_writeoptions_destroy(syncWriteOptions)
        rocksdb_writeoptions_destroy(bufferedWriteOptions)
        rocksdb_options_destroy(options)
        readOptions = nil
        syncWriteOptions = nil
        bufferedWriteOptions = nil
        options = nil
    }

    private static func makeOptions(_ tuning: Options) -> OpaquePointer? {
        let opts = rocksdb_options_create()
        rocksdb_options_set_create_if_missing(opts, 1)
        rocksdb_options_set_create_missing_column_families(opts, 1)
        rocksdb_options_increase_parallelism(opts, max(1, tuning.parallelism))
        rocksdb_options_set_max_open_files(opts, tuning.maxOpenFiles)
        rocksdb_options_set_keep_log_file_num(opts, 5)
        let table = rocksdb_block_based_options_create()
        // The table options keep their own shared reference to the cache, so ours is released here.
        let cache = rocksdb_cache_create_lru(max(1, tuning.blockCacheBytes))
        rocksdb_block_based_options_set_block_cache(table, cache)
        rocksdb_cache_destroy(cache)
        if let bits = tuning.bloomBitsPerKey {
            // Ownership of the policy passes to the table options.
            rocksdb_block_based_options_set_filter_policy(table, rocksdb_filterpolicy_create_bloom_full(bits))
        }
        rocksdb_options_set_block_based_table_factory(opts, table)
        rocksdb_block_based_options_destroy(table)
        return opts
    }

    private static func listColumnFamilies(path: String, options: OpaquePointer?) throws -> [String] {
        var count = 0
        let list = try RocksDBBytes.checked { err in rocksdb_list_column_families(options, path, &count, err) }
        guard let list else { return [] }
        defer { rocksdb_list_column_families_destroy(list, count) }
        return (0..<count).compactMap { i in list[i].map { String(cString: $0) } }
    }

    private static func open(path: String, families: [ColumnFamily], options: OpaquePointer?) throws
        -> (OpaquePointer, [OpaquePointer])
    {
        let names = families.map { strdup($0.name) }
        defer { for n in names { free(n) } }
        var constNames: [UnsafePointer<CChar>?] = names.map { $0.map { UnsafePointer($0) } }
        var familyOptions = [OpaquePointer?](repeating: options, count: families.count)
        var handles = [OpaquePointer?](repeating: nil, count: families.count)
        let db = try RocksDBBytes.checked { err in
            rocksdb_open_column_families(
                options, path, Int32(families.count), &constNames, &familyOptions, &handles, err)
        }
        let opened = handles.compactMap { $0 }
        guard let db, opened.count == families.count else {
            for h in opened { rocksdb_column_family_handle_destroy(h) }
            if let db { rocksdb_close(db) }
            throw RocksDBError(.other, "rocksdb_open_column_families returned no handle for \(path)")
        }
        return (db, opened)
    }
}

/// The read-write lock that orders operations against `close()`, plus the count of live
/// snapshots and iterators.
private final class Lifecycle: @unchecked Sendable {
    private let rw = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var dependents = 0

    init() {
        pthread_rwlock_init(rw, nil)
        pthread_mutex_init(mutex, nil)
    }

    func destroy() {
        pthread_rwlock_destroy(rw)
        pthread_mutex_destroy(mutex)
        rw.deallocate()
        mutex.deallocate()
    }

    func shared<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(rw)
        defer { pthread_rwlock_unlock(rw) }
        return try body()
    }

    func exclusive<R>(_ body: (Int) throws -> R) rethrows -> R {
        pthread_rwlock_wrlock(rw)
        defer { pthread_rwlock_unlock(rw) }
        pthread_mutex_lock(mutex)
        let n = dependents
        pthread_mutex_unlock(mutex)
        return try body(n)
    }

    func retainDependent() {
        pthread_mutex_lock(mutex)
        dependents += 1
        pthread_mutex_unlock(mutex)
    }

    func releaseDependent() {
        pthread_mutex_lock(mutex)
        dependents -= 1
        pthread_mutex_unlock(mutex)
    }
}
