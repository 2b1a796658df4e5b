import CSodium

/// SHA-256 through libsodium (`crypto_hash_sha256`), for code that already speaks libsodium.
public enum SHA256Hash {
    public static let length = Int(crypto_hash_sha256_BYTES)  // 32
    public static let blockLength = 64

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        Sodium.ensureInitialised()
        var out = [UInt8](repeating: 0, count: length)
        bytes.withUnsafeBufferPointer { m in
            _ = crypto_hash_sha256(&out, m.baseAddress ?? Ed25519.emptyMessage, UInt64(m.count))
        }
        return out
    }
}
