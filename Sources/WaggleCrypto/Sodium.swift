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

    /// The linked library's version, e.g. "1.0.18".
    public static var version: String { String(cString: sodium_version_string()) }

    /// Whether the linked libsodium verifies Ed25519 the way this node was built and tested
    /// against. libsodium 1.0.16 changed which signatures and keys `crypto_sign_verify_detached`
    /// accepts (a consensus hazard between nodes on different versions); from 1.0.18 (library
    /// version 10.3) it rejects non-canonical encodings and small-order points, which the tests'
    /// speccheck vectors pin.
    public static var verifiesLikeTheReference: Bool {
        let major = sodium_library_version_major(), minor = sodium_library_version_minor()
        return major > 10 || (major == 10 && minor >= 3)
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
