/// A failure reported by RocksDB or by the wrapper around it. Equality compares the code only, so
/// tests and callers branch on the kind of failure, never on RocksDB's wording.
public struct RocksDBError: Error, Equatable, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable {
            case io, corruption, invalidArgument, notSupported, busy, locked
            case unknownColumnFamily, closed, other
        }
        let kind: Kind
        /// An I/O failure (missing permissions, a path that is not a directory, a full disk).
        public static let io = Code(kind: .io)
        /// RocksDB found corrupt data on disk.
        public static let corruption = Code(kind: .corruption)
        public static let invalidArgument = Code(kind: .invalidArgument)
        public static let notSupported = Code(kind: .notSupported)
        /// The database still has open snapshots or iterators, or RocksDB reported "Busy".
        public static let busy = Code(kind: .busy)
        /// Another handle (in this process or another) holds the database's LOCK file.
        public static let locked = Code(kind: .locked)
        /// The database holds a column family the caller did not declare, or an operation named one
        /// the database was not opened with.
        public static let unknownColumnFamily = Code(kind: .unknownColumnFamily)
        /// The database was closed.
        public static let closed = Code(kind: .closed)
        public static let other = Code(kind: .other)
        public var description: String { "\(kind)" }
    }

    public let code: Code
    public let reason: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    /// Classifies a RocksDB Status string ("IO error: ...", "Corruption: ...").
    init(rocksDBMessage message: String, file: String = #fileID, line: Int = #line) {
        let code: Code
        // Same process: "lock hold by current process ... /LOCK"; another process: "While lock
        // file: .../LOCK: Resource temporarily unavailable".
        if message.contains("lock hold by current process") || message.contains("While lock file")
            || message.contains("/LOCK:")
        {
            code = .locked
        } else if message.hasPrefix("IO error") {
            code = .io
        } else if message.hasPrefix("Corruption") {
            code = .corruption
        } else if message.hasPrefix("Invalid argument") {
            code = .invalidArgument
        } else if message.hasPrefix("Not implemented") {
            code = .notSupported
        } else if message.hasPrefix("Resource busy") || message.hasPrefix("Busy") {
            code = .busy
        } else {
            code = .other
        }
        self.init(code, message, file: file, line: line)
    }

    public static func == (a: RocksDBError, b: RocksDBError) -> Bool { a.code == b.code }
    public var description: String { "RocksDB \(code): \(reason)" }
}
