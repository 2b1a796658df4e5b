import CSodium

/// X25519 Diffie-Hellman (RFC 7748) through libsodium's `crypto_scalarmult_curve25519`.
public enum X25519 {
    public static let publicKeyLength = Int(crypto_scalarmult_curve25519_BYTES)  // 32
    public static let privateKeyLength = Int(crypto_scalarmult_curve25519_SCALARBYTES)  // 32
    public static let sharedSecretLength = Int(crypto_scalarmult_curve25519_BYTES)  // 32
}

/// An X25519 private key: 32 raw scalar bytes (clamped by libsodium at every use), kept in
/// `SecretBytes`, with the public key derived from them.
public struct X25519PrivateKey: Sendable {
    private let secret: SecretBytes
    public let publicKey: [UInt8]

    /// A fresh key from the operating system's CSPRNG.
    public init() {
        Sodium.ensureInitialised()
        var raw = Sodium.randomBytes(X25519.privateKeyLength)
        defer { sodium_memzero(&raw, raw.count) }
        // Only a scalar whose base-point product is the identity fails, and no clamped scalar does.
        guard let key = X25519PrivateKey(unsafeRawKey: raw) else {
            fatalError("crypto_scalarmult_curve25519_base refused a clamped scalar")
        }
        self = key
    }

    /// Uses `raw` (32 bytes) as the private scalar, exactly as RFC 7748 and the Noise test vectors
    /// do: no hashing (libsodium's `crypto_box_seed_keypair` would hash it). Returns nil for the
    /// wrong length. The name warns that whoever knows these bytes knows the key.
    public init?(unsafeRawKey raw: [UInt8]) {
        Sodium.ensureInitialised()
        guard raw.count == X25519.privateKeyLength else { return nil }
        var pk = [UInt8](repeating: 0, count: X25519.publicKeyLength)
        let rc = raw.withUnsafeBufferPointer { sk in
            crypto_scalarmult_curve25519_base(&pk, sk.baseAddress!)
        }
        guard rc == 0 else { return nil }
        secret = SecretBytes(raw)
        publicKey = pk
    }

    /// DH(self, peer): the shared secret, in secret storage. Throws `.invalidLength` for a peer key
    /// that is not 32 bytes and `.weakSharedSecret` when the result is all zeros (a small-order
    /// peer point, which would make the "secret" known to everyone).
    public func sharedSecret(with peerPublicKey: [UInt8]) throws(CryptoError) -> SecretBytes {
        guard peerPublicKey.count == X25519.publicKeyLength else {
            throw CryptoError(.invalidLength, "X25519 public key must be 32 bytes, got \(peerPublicKey.count)")
        }
        var rc: Int32 = -1
        let shared = SecretBytes(count: X25519.sharedSecretLength) { out in
            secret.withUnsafeBytes { sk in
                peerPublicKey.withUnsafeBufferPointer { pk in
                    // Returns -1 (and leaves zeros) when the product is the identity.
                    rc = crypto_scalarmult_curve25519(
                        out.bindMemory(to: UInt8.self).baseAddress!,
                        sk.bindMemory(to: UInt8.self).baseAddress!, pk.baseAddress!)
                }
            }
        }
        let allZero = shared.withUnsafeBytes { s in
            sodium_is_zero(s.bindMemory(to: UInt8.self).baseAddress!, s.count) == 1
        }
        guard rc == 0, !allZero else {
            throw CryptoError(.weakSharedSecret, "X25519 shared secret is all zeros (small-order public key)")
        }
        return shared
    }
}
