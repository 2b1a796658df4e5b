import CSodium

/// The one place libsodium is initialised. `sodium_init` is idempotent and thread-safe; we call it
/// once through a lazily initialised global and fail loudly if the library cannot start (there is
/// no safe way to run a node without its signature verifier).
public enum Sodium {
    private static let initialised: Bool = sodium_init() >= 0

    /// Ensures libsodium is initialised. Every entry point of this module calls it first.
    @inline(__always)
    public static func ensureInitialised() {
        precondition(initialised, "libsodium failed to initialise")
    }

    /// Fills a new buffer with `count` bytes from the operating system's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        ensureInitialised()
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 {
            out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
        }
        return out
    }

    /// Constant-time comparison of two equally long byte strings.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        ensureInitialised()
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in
                sodium_memcmp(pa.baseAddress!, pb.baseAddress!, pa.count) == 0
            }
        }
    }
}
