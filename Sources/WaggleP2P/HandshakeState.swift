import WaggleCrypto

/// Noise's HandshakeState (section 5.3) for Noise_XX_25519_ChaChaPoly_SHA256, as a state machine:
/// each side alternately writes and reads one of the three messages
///
///     -> e
///     <- e, ee, s, es
///     -> s, se
///
/// and after the third holds a `NoiseTransport`. Any failure is final: every later call throws
/// `.outOfOrder`. Keys are given, never drawn here, so the vectors' ephemerals can be injected.
public struct HandshakeState: Sendable {
    public static let protocolName = "Noise_XX_25519_ChaChaPoly_SHA256"
    /// Noise's limit on every message, handshake and transport alike (section 3).
    public static let maxMessageLength = 65535

    public enum Role: Sendable, Equatable { case initiator, responder }

    /// Whose move it is.
    public enum Phase: Sendable, Equatable {
        case write, read, complete, failed
    }

    enum Token { case e, s, ee, es, se }
    static let pattern: [[Token]] = [[.e], [.e, .ee, .s, .es], [.s, .se]]

    public let role: Role
    private var symmetric: SymmetricState
    private let localStatic: X25519PrivateKey
    private let localEphemeral: X25519PrivateKey
    public private(set) var remoteStaticKey: [UInt8]?
    public private(set) var remoteEphemeralKey: [UInt8]?
    private var messageIndex = 0
    public private(set) var phase: Phase
    /// The transport CipherStates, once the third message has been written or read.
    public private(set) var transport: NoiseTransport?

    public init(role: Role, prologue: [UInt8], staticKey: X25519PrivateKey, ephemeralKey: X25519PrivateKey) {
        self.role = role
        symmetric = SymmetricState(protocolName: Self.protocolName)
        symmetric.mixHash(prologue)  // XX has no pre-messages
        localStatic = staticKey
        localEphemeral = ephemeralKey
        phase = role == .initiator ? .write : .read
    }

    /// This side's Noise static public key (what the peer will learn in the handshake).
    public var localStaticPublicKey: [UInt8] { localStatic.publicKey }

    /// The handshake hash `h` so far; after completion it identifies the session (channel binding).
    public var handshakeHash: [UInt8] { symmetric.handshakeHash }

    /// Writes the next message, carrying `payload` (encrypted from the second message on).
    public mutating func writeMessage(payload: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard phase == .write else { throw outOfOrder("write") }
        do {
            let message = try write(payload: payload)
            advance()
            return message
        } catch {
            phase = .failed
            throw error
        }
    }

    /// Reads the next message and returns its payload.
    public mutating func readMessage(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard phase == .read else { throw outOfOrder("read") }
        do {
            let payload = try read(message)
            advance()
            return payload
        } catch {
            phase = .failed
            throw error
        }
    }

    private func outOfOrder(_ call: String) -> NoiseError {
        switch phase {
        case .failed: NoiseError(.outOfOrder, "\(call) after the handshake failed")
        case .complete: NoiseError(.outOfOrder, "\(call) after the handshake completed")
        case .write, .read: NoiseError(.outOfOrder, "\(call) out of turn: message \(messageIndex + 1) is the \(role)'s to \(phase)")
        }
    }

    private mutating func advance() {
        messageIndex += 1
        if messageIndex == Self.pattern.count {
            let (c1, c2) = symmetric.split()
            let (send, receive) = role == .initiator ? (c1, c2) : (c2, c1)
            transport = NoiseTransport(
                send: send, receive: receive, handshakeHash: symmetric.handshakeHash,
                remoteStaticKey: remoteStaticKey ?? [])
            phase = .complete
        } else {
            phase = phase == .write ? .read : .write
        }
    }

    private mutating func write(payload: [UInt8]) throws(NoiseError) -> [UInt8] {
        var out: [UInt8] = []
        for token in Self.pattern[messageIndex] {
            switch token {
            case .e:
                out += localEphemeral.publicKey
                symmetric.mixHash(localEphemeral.publicKey)
            case .s:
                out += try symmetric.encryptAndHash(localStatic.publicKey)
            case .ee, .es, .se:
                try mixDH(token)
            }
        }
        // Check before encrypting, so an oversized payload never advances the nonce.
        let tag = symmetric.cipher.hasKey ? ChaCha20Poly1305.tagLength : 0
        guard out.count + payload.count + tag <= Self.maxMessageLength else {
            throw NoiseError(
                .messageTooLong, "a payload of \(payload.count) bytes makes message \(messageIndex + 1) longer than 65535 bytes")
        }
        out += try symmetric.encryptAndHash(payload)
        return out
    }

    private mutating func read(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard message.count <= Self.maxMessageLength else {
            throw NoiseError(.messageTooLong, "handshake message of \(message.count) bytes exceeds 65535")
        }
        var offset = 0
        let number = messageIndex + 1
        func take(_ n: Int, _ what: String) throws(NoiseError) -> [UInt8] {
            guard message.count - offset >= n else {
                throw NoiseError(.messageTooShort, "handshake message \(number) ends before its \(what) (\(message.count) bytes)")
            }
            defer { offset += n }
            return Array(message[offset..<offset + n])
        }
        for token in Self.pattern[messageIndex] {
            switch token {
            case .e:
                let re = try take(X25519.publicKeyLength, "ephemeral key")
                remoteEphemeralKey = re
                symmetric.mixHash(re)
            case .s:
                let n = X25519.publicKeyLength + (symmetric.cipher.hasKey ? ChaCha20Poly1305.tagLength : 0)
                remoteStaticKey = try symmetric.decryptAndHash(try take(n, "static key"))
            case .ee, .es, .se:
                try mixDH(token)
            }
        }
        let tag = symmetric.cipher.hasKey ? ChaCha20Poly1305.tagLength : 0
        guard message.count - offset >= tag else {
            throw NoiseError(.messageTooShort, "handshake message \(messageIndex + 1) ends before its payload tag")
        }
        return try symmetric.decryptAndHash(Array(message[offset...]))
    }

    /// ee, es and se: DH between the named local and remote keys (the first letter is the
    /// initiator's key, the second the responder's), mixed into the chaining key.
    private mutating func mixDH(_ token: Token) throws(NoiseError) {
        let local: X25519PrivateKey
        let remote: [UInt8]?
        switch (token, role) {
        case (.ee, _): (local, remote) = (localEphemeral, remoteEphemeralKey)
        case (.es, .initiator): (local, remote) = (localEphemeral, remoteStaticKey)
        case (.es, .responder): (local, remote) = (localStatic, remoteEphemeralKey)
        case (.se, .initiator): (local, remote) = (localStatic, remoteEphemeralKey)
        case (.se, .responder): (local, remote) = (localEphemeral, remoteStaticKey)
        case (.e, _), (.s, _): return
        }
        // The pattern always supplies the remote key before a token that uses it.
        guard let remote else { throw NoiseError(.outOfOrder, "\(token) before the remote key is known") }
        do {
            symmetric.mixKey(try local.sharedSecret(with: remote))
        } catch {
            throw NoiseError(.invalidPublicKey, "the remote key gives an all-zero shared secret (\(token))")
        }
    }
}
