extension RocksDB {
    /// A column family, named by the caller. The set a database is opened with is fixed; using a
    /// name outside it throws `RocksDBError.Code.unknownColumnFamily`.
    public struct ColumnFamily: Hashable, Sendable, CustomStringConvertible {
        public let name: String

        public init(_ name: String) { self.name = name }

        /// RocksDB always has this one; it is opened whether or not the caller lists it.
        public static let `default` = ColumnFamily("default")

        public var description: String { name }
    }
}
