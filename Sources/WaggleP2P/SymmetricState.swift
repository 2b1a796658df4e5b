import WaggleCrypto

/// Noise's SymmetricState (section 5.2) for SHA-256: the chaining key `ck`, the handshake hash `h`
/// and the CipherState keyed from `ck`.
public struct SymmetricState: Sendable {
    public static let hashLength = SHA256Hash.length

    private var chainingKey: SecretBytes
    public private(set) var handshakeHash: [UInt8]
    public private(set) var cipher = CipherState()

    /// InitializeSymmetric: a name of at most 32 bytes is zero-padded, a longer one hashed.
    public init(protocolName: String) {
        let name = Array(protocolName.utf8)
        let h =
            name.count <= Self.hashLength
            ? name + [UInt8](repeating: 0, count: Self.hashLength - name.count) : SHA256Hash.hash(name)
        handshakeHash = h
        chainingKey = SecretBytes(h)
    }

    public mutating func mixHash(_ data: [UInt8]) {
        handshakeHash = SHA256Hash.hash(handshakeHash + data)
    }

    public mutating func mixKey(_ inputKeyMaterial: SecretBytes) {
        let (ck, k) = Self.hkdf(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial)
        chainingKey = ck
        cipher = CipherState(key: k)  // HASHLEN is 32, so no truncation
    }

    public mutating func encryptAndHash(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let ciphertext = try cipher.encrypt(associatedData: handshakeHash, plaintext: plaintext)
        mixHash(ciphertext)
        return ciphertext
    }

    public mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let plaintext = try cipher.decrypt(associatedData: handshakeHash, ciphertext: ciphertext)
        mixHash(ciphertext)
        return plaintext
    }

    /// Split: the initiator's sending and the responder's sending CipherState, in that order.
    public func split() -> (CipherState, CipherState) {
        let (k1, k2) = Self.hkdf(chainingKey: chainingKey, inputKeyMaterial: Self.empty)
        return (CipherState(key: k1), CipherState(key: k2))
    }

    /// HKDF as Noise defines it (section 4.3) with two outputs, HMAC-SHA256 throughout:
    /// temp = HMAC(ck, ikm); out1 = HMAC(temp, 0x01); out2 = HMAC(temp, out1 ‖ 0x02).
    static func hkdf(chainingKey: SecretBytes, inputKeyMaterial: SecretBytes) -> (SecretBytes, SecretBytes) {
        let temp = HMACSHA256.authenticate(secret: inputKeyMaterial, suffix: [], key: chainingKey)
        let out1 = HMACSHA256.authenticate(secret: empty, suffix: [0x01], key: temp)
        let out2 = HMACSHA256.authenticate(secret: out1, suffix: [0x02], key: temp)
        return (out1, out2)
    }

    private static let empty = SecretBytes([])
}
