import WaggleCrypto

/// The two transport CipherStates after a completed handshake (Noise section 5.3, Split), one per
/// direction. Messages are numbered implicitly by their nonce, so a replayed, reordered or
/// dropped message fails to decrypt and ends the session: after any failure to read a message,
/// every later read is refused (`.outOfOrder`). We never rekey; a nonce reaching 2^64 − 1 is an
/// error.
public struct NoiseTransport: Sendable {
    /// The longest plaintext one transport message carries: 65,535 minus the 16-byte tag.
    public static let maxPlaintextLength = HandshakeState.maxMessageLength - ChaCha20Poly1305.tagLength

    private var send: CipherState
    private var receive: CipherState
    private var receiveFailed = false
    /// Identifies the session: equal on both sides only if they saw the same handshake.
    public let handshakeHash: [UInt8]
    /// The peer's Noise static public key, authenticated by the handshake.
    public let remoteStaticKey: [UInt8]

    init(send: CipherState, receive: CipherState, handshakeHash: [UInt8], remoteStaticKey: [UInt8]) {
        self.send = send
        self.receive = receive
        self.handshakeHash = handshakeHash
        self.remoteStaticKey = remoteStaticKey
    }

    public mutating func encrypt(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard plaintext.count <= Self.maxPlaintextLength else {
            throw NoiseError(.messageTooLong, "transport plaintext of \(plaintext.count) bytes exceeds \(Self.maxPlaintextLength)")
        }
        return try send.encrypt(associatedData: [], plaintext: plaintext)
    }

    public mutating func decrypt(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard !receiveFailed else { throw NoiseError(.outOfOrder, "read after a transport message failed") }
        do throws(NoiseError) {
            guard message.count <= HandshakeState.maxMessageLength else {
                throw NoiseError(.messageTooLong, "transport message of \(message.count) bytes exceeds 65535")
            }
            guard message.count >= ChaCha20Poly1305.tagLength else {
                throw NoiseError(.messageTooShort, "transport message of \(message.count) bytes is shorter than its tag")
            }
            return try receive.decrypt(associatedData: [], ciphertext: message)
        } catch {
            receiveFailed = true
            throw error
        }
    }

    public var sendNonce: UInt64 { send.nonce }
    public var receiveNonce: UInt64 { receive.nonce }

    /// Test support: moves both counters, to reach nonce exhaustion.
    mutating func setNonces(send s: UInt64, receive r: UInt64) {
        send.setNonce(s)
        receive.setNonce(r)
    }
}
