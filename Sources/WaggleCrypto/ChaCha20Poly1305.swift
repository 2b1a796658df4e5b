import CSodium

/// ChaCha20-Poly1305 with a 96-bit nonce (RFC 8439, libsodium's `_ietf` construction).
public enum ChaCha20Poly1305 {
    public static let keyLength = Int(crypto_aead_chacha20poly1305_ietf_KEYBYTES)  // 32
    public static let nonceLength = Int(crypto_aead_chacha20poly1305_ietf_NPUBBYTES)  // 12
    public static let tagLength = Int(crypto_aead_chacha20poly1305_ietf_ABYTES)  // 16

    /// The Noise protocol's nonce for counter `n`: four zero bytes, then n as 64-bit little-endian.
    public static func noiseNonce(_ n: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: nonceLength)
        for i in 0..<8 { out[4 + i] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(i))) }
        return out
    }

    /// Encrypts `plaintext` and appends the 16-byte tag, authenticating `associatedData` too.
    public static func seal(
        _ plaintext: [UInt8], associatedData: [UInt8], nonce: [UInt8], key: SecretBytes
    ) throws(CryptoError) -> [UInt8] {
        Sodium.ensureInitialised()
        try checkSizes(nonce: nonce, key: key)
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var outLength: UInt64 = 0
        key.withUnsafeBytes { k in
            plaintext.withUnsafeBufferPointer { m in
                associatedData.withUnsafeBufferPointer { ad in
                    nonce.withUnsafeBufferPointer { npub in
                        // Cannot fail for messages below libsodium's 256 GiB limit.
                        _ = crypto_aead_chacha20poly1305_ietf_encrypt(
                            &out, &outLength, m.baseAddress ?? Ed25519.emptyMessage, UInt64(m.count),
                            ad.baseAddress ?? Ed25519.emptyMessage, UInt64(ad.count), nil,
                            npub.baseAddress!, k.bindMemory(to: UInt8.self).baseAddress!)
                    }
                }
            }
        }
        return out
    }

    /// Verifies the tag and decrypts. Throws `.authenticationFailed` for any ciphertext, associated
    /// data, nonce or key other than the sealed ones, and for input shorter than a tag.
    public static func open(
        _ ciphertext: [UInt8], associatedData: [UInt8], nonce: [UInt8], key: SecretBytes
    ) throws(CryptoError) -> [UInt8] {
        Sodium.ensureInitialised()
        try checkSizes(nonce: nonce, key: key)
        guard ciphertext.count >= tagLength else {
            throw CryptoError(.authenticationFailed, "ciphertext of \(ciphertext.count) bytes is shorter than its tag")
        }
        var out = [UInt8](repeating: 0, count: ciphertext.count - tagLength)
        var outLength: UInt64 = 0
        let rc = key.withUnsafeBytes { k in
            ciphertext.withUnsafeBufferPointer { c in
                associatedData.withUnsafeBufferPointer { ad in
                    nonce.withUnsafeBufferPointer { npub in
                        out.withUnsafeMutableBufferPointer { m in
                            crypto_aead_chacha20poly1305_ietf_decrypt(
                                m.baseAddress, &outLength,  // nil only for an empty plaintext, never written then
                                nil, c.baseAddress!, UInt64(c.count),
                                ad.baseAddress ?? Ed25519.emptyMessage, UInt64(ad.count),
                                npub.baseAddress!, k.bindMemory(to: UInt8.self).baseAddress!)
                        }
                    }
                }
            }
        }
        guard rc == 0 else { throw CryptoError(.authenticationFailed, "ChaCha20-Poly1305 tag does not verify") }
        return out
    }

    private static func checkSizes(nonce: [UInt8], key: SecretBytes) throws(CryptoError) {
        guard key.length == keyLength else {
            throw CryptoError(.invalidLength, "ChaCha20-Poly1305 key must be 32 bytes, got \(key.length)")
        }
        guard nonce.count == nonceLength else {
            throw CryptoError(.invalidLength, "ChaCha20-Poly1305 nonce must be 12 bytes, got \(nonce.count)")
        }
    }
}
