extension RocksDB {
    /// Tuning knobs applied to the database and to every column family. The defaults suit a node's
    /// state database on a small machine.
    public struct Options: Sendable {
        /// Shared LRU block cache across all column families, in bytes.
        public var blockCacheBytes: Int = 64 * 1024 * 1024
        /// Bits per key of a full bloom filter on SST blocks; nil disables filters.
        public var bloomBitsPerKey: Double? = 10
        /// Background threads for flushes and compactions.
        public var parallelism: Int32 = 2
        /// File handles RocksDB may keep open; -1 is unlimited.
        public var maxOpenFiles: Int32 = 512

        public init() {}
    }
}
