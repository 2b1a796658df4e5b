import WaggleCore

/// Deterministic keys for tests and local networks. Insecure by construction: anyone can derive
/// them from their index.
public enum TestKeys {
    /// The signer with seed SHA-256("waggle-test-key" || index).
    public static func signer(_ index: Int) -> Signer {
        var e = CanonicalEncoder()
        e.string("waggle-test-key")
        e.u64(UInt64(index))
        return Signer(seed: Hash256.sha256(e.bytes).bytes)!
    }

    public static func signers(_ count: Int) -> [Signer] { (0..<count).map(signer) }
}
