import CRocksDB

/// Pointer plumbing shared by the wrapper types: byte arrays as `(const char*, size_t)` and
/// `char** errptr` strings as thrown `RocksDBError`s.
enum RocksDBBytes {
    /// Calls `body` with a pointer to `bytes`. The C API dereferences key and value pointers even
    /// for length 0, and an empty Swift array has no base address, so empty input gets a valid
    /// one-byte dummy.
    static func with<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>, Int) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress, buffer.count > 0 {
                return try base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { try body($0, buffer.count) }
            }
            let dummy: CChar = 0
            return try withUnsafePointer(to: dummy) { try body($0, 0) }
        }
    }

    /// Runs a C call that reports failure through `char** errptr`; frees the message with
    /// `rocksdb_free` and throws it as a `RocksDBError`.
    static func checked<R>(
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws -> R,
        file: String = #fileID, line: Int = #line
    ) throws -> R {
        var message: UnsafeMutablePointer<CChar>? = nil
        let result = try body(&message)
        if let message {
            let text = String(cString: message)
            rocksdb_free(message)
            throw RocksDBError(rocksDBMessage: text, file: file, line: line)
        }
        return result
    }

    /// Copies a C buffer into a Swift array.
    static func copy(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
