import CSodium

/// Secret key material held in memory that libsodium zeroes when the last reference goes away.
///
/// The storage is a class so that copies share one buffer and the zeroing happens exactly once,
/// in `deinit`. The bytes never leave this type except through `withUnsafeBytes`, which keeps the
/// lifetime of any pointer inside the closure.
// @unchecked: the buffer is written only in `init` and freed only in `deinit`; in between every
// access is a read through `withUnsafeBytes`, so sharing across threads is safe.
public final class SecretBytes: @unchecked Sendable {
    private let pointer: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into secret storage. The caller should drop its own copy promptly.
    public init(_ bytes: [UInt8]) {
        Sodium.ensureInitialised()
        // sodium_malloc: a page-aligned region between guard pages, locked in memory, excluded
        // from core dumps, and zeroed by sodium_free.
        guard let raw = sodium_malloc(max(bytes.count, 1)) else { fatalError("sodium_malloc failed: out of memory") }
        let buffer = UnsafeMutableRawBufferPointer(start: raw, count: max(bytes.count, 1))
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        bytes.withUnsafeBytes { src in
            if src.count > 0 { buffer.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: src.count) }
        }
        pointer = buffer
        countValue = bytes.count
    }

    private let countValue: Int

    /// Secret storage of `count` bytes written in place by `fill`, so that a secret computed by
    /// libsodium (a shared secret, a MAC used as a key) never passes through ordinary memory.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        Sodium.ensureInitialised()
        guard let raw = sodium_malloc(max(count, 1)) else { fatalError("sodium_malloc failed: out of memory") }
        let buffer = UnsafeMutableRawBufferPointer(start: raw, count: max(count, 1))
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        fill(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        pointer = buffer
        countValue = count
    }

    /// Number of meaningful bytes (the allocation is at least one byte).
    public var length: Int { countValue }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(pointer)[0..<countValue]))
    }

    deinit {
        sodium_free(pointer.baseAddress!)  // zeroes, unlocks and unmaps the region
    }
}
