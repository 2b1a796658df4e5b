import CSodium

/// HMAC-SHA256 (RFC 2104) through libsodium's `crypto_auth_hmacsha256_*`, with keys of any length.
public enum HMACSHA256 {
    public static let length = Int(crypto_auth_hmacsha256_BYTES)  // 32

    /// HMAC over public bytes with a public key (tests, non-secret uses).
    public static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        Sodium.ensureInitialised()
        var out = [UInt8](repeating: 0, count: length)
        key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                out.withUnsafeMutableBytes { mac($0, key: k, parts: [m]) }
            }
        }
        return out
    }

    /// HMAC keyed by a secret over `secret || suffix`, kept secret: the building block of HKDF,
    /// where both the key (a chaining key) and the first part (a DH result, an earlier output)
    /// are secret. Pass an empty `SecretBytes` for no secret part.
    public static func authenticate(secret: SecretBytes, suffix: [UInt8], key: SecretBytes) -> SecretBytes {
        Sodium.ensureInitialised()
        return SecretBytes(count: length) { out in
            key.withUnsafeBytes { k in
                secret.withUnsafeBytes { s in
                    suffix.withUnsafeBytes { t in mac(out, key: k, parts: [s, t]) }
                }
            }
        }
    }

    /// The one place the streaming state is touched. The state holds key-derived pads, so it lives
    /// in a temporary allocation that is zeroed before it is released.
    private static func mac(
        _ out: UnsafeMutableRawBufferPointer, key: UnsafeRawBufferPointer, parts: [UnsafeRawBufferPointer]
    ) {
        withUnsafeTemporaryAllocation(of: crypto_auth_hmacsha256_state.self, capacity: 1) { state in
            let st = state.baseAddress!
            let one: UnsafePointer<UInt8> = Ed25519.emptyMessage
            _ = crypto_auth_hmacsha256_init(
                st, key.bindMemory(to: UInt8.self).baseAddress ?? one, key.count)
            for part in parts where part.count > 0 {
                _ = crypto_auth_hmacsha256_update(st, part.bindMemory(to: UInt8.self).baseAddress!, UInt64(part.count))
            }
            _ = crypto_auth_hmacsha256_final(st, out.bindMemory(to: UInt8.self).baseAddress!)
            sodium_memzero(st, MemoryLayout<crypto_auth_hmacsha256_state>.size)
        }
    }
}
