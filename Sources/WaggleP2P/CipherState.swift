import WaggleCrypto

/// Noise's CipherState (specification revision 34, section 5.1): a ChaCha20-Poly1305 key and a
/// 64-bit counter nonce. Without a key, encryption is the identity (the first handshake message).
public struct CipherState: Sendable {
    /// Noise reserves the nonce 2^64 − 1; reaching it ends the session (we never rekey).
    public static let maxNonce = UInt64.max

    private var key: SecretBytes?
    public private(set) var nonce: UInt64 = 0

    public init(key: SecretBytes? = nil) {
        self.key = key
    }

    public var hasKey: Bool { key != nil }

    public mutating func encrypt(associatedData: [UInt8], plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return plaintext }
        guard nonce < Self.maxNonce else { throw NoiseError(.nonceExhausted, "the send nonce is exhausted") }
        let sealed: [UInt8]
        do {
            sealed = try ChaCha20Poly1305.seal(
                plaintext, associatedData: associatedData, nonce: ChaCha20Poly1305.noiseNonce(nonce), key: key)
        } catch {
            // Only a key or nonce of the wrong size fails, and neither can happen here.
            throw NoiseError(.decryptFailed, "encryption failed: \(error.reason)")
        }
        nonce += 1
        return sealed
    }

    /// Decrypts and advances the nonce; on failure the nonce stays where it was (section 5.1).
    public mutating func decrypt(associatedData: [UInt8], ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return ciphertext }
        guard nonce < Self.maxNonce else { throw NoiseError(.nonceExhausted, "the receive nonce is exhausted") }
        let opened: [UInt8]
        do {
            opened = try ChaCha20Poly1305.open(
                ciphertext, associatedData: associatedData, nonce: ChaCha20Poly1305.noiseNonce(nonce), key: key)
        } catch {
            throw NoiseError(.decryptFailed, "message \(nonce) does not decrypt: \(error.reason)")
        }
        nonce += 1
        return opened
    }

    /// Test support: starts the counter at `nonce`, to reach the exhaustion limit without 2^64 messages.
    mutating func setNonce(_ nonce: UInt64) { self.nonce = nonce }
}
