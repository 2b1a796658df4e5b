import WaggleCore
import WaggleCrypto

/// The authenticated handshake between two nodes: Noise XX whose payloads carry each node's
/// `AuthPayload` (responder in message 2, initiator in message 3), checked against the session's
/// actual Noise static keys. Pure: messages in, actions out; the caller moves the bytes.
///
/// The dialer (Noise initiator) knows the id it dialled (`ID@host:port`) and refuses any other;
/// both sides refuse a peer with their own id (a self-dial).
public struct PeerHandshake: Sendable {
    public enum Role: Sendable, Equatable {
        case dialer(expecting: NodeID)
        case listener
    }

    public enum Action: Sendable {
        /// Send these bytes (one Noise handshake message) to the peer.
        case send([UInt8])
        /// The peer is authenticated; transport messages may flow.
        case established(AuthenticatedPeer)
    }

    public struct AuthenticatedPeer: Sendable {
        public let nodeID: NodeID
        public let nodeKey: PublicKey
        public var transport: NoiseTransport
    }

    /// The prologue both sides mix into the handshake hash: a different one fails message 2.
    public static let defaultPrologue = Array("waggle/p2p/noise/v1".utf8)

    /// Exact lengths of the three messages: e; e ‖ enc(s) ‖ enc(auth); enc(s) ‖ enc(auth).
    public static let messageLengths = [32, 32 + 48 + AuthPayload.encodedLength + 16, 48 + AuthPayload.encodedLength + 16]

    public let role: Role
    private let signer: Signer
    private let localNodeID: NodeID
    private var noise: HandshakeState
    private var started = false
    private var finished = false
    private var failed = false

    public init(
        role: Role, signer: Signer, noiseStaticKey: X25519PrivateKey, ephemeralKey: X25519PrivateKey,
        prologue: [UInt8] = PeerHandshake.defaultPrologue
    ) {
        self.role = role
        self.signer = signer
        localNodeID = NodeID(publicKey: signer.publicKey)
        let noiseRole: HandshakeState.Role = role == .listener ? .responder : .initiator
        noise = HandshakeState(role: noiseRole, prologue: prologue, staticKey: noiseStaticKey, ephemeralKey: ephemeralKey)
    }

    public var isEstablished: Bool { finished }

    /// The dialer's first move: message 1. The listener waits for it instead.
    public mutating func start() throws(PeerHandshakeError) -> [Action] {
        guard case .dialer = role, !started, !failed else {
            throw PeerHandshakeError(
                .outOfOrder, role == .listener ? "the listener does not speak first" : "start called twice or after a failure")
        }
        started = true
        return try guarded { (s: inout PeerHandshake) throws(PeerHandshakeError) -> [Action] in
            [.send(try s.noiseWrite([]))]
        }
    }

    /// Handles the peer's next handshake message.
    public mutating func receive(_ message: [UInt8]) throws(PeerHandshakeError) -> [Action] {
        guard !failed, !finished, role == .listener || started else {
            throw PeerHandshakeError(
                .outOfOrder,
                failed ? "input after the handshake failed" : finished ? "input after the handshake completed" : "input before start")
        }
        return try guarded { (s: inout PeerHandshake) throws(PeerHandshakeError) -> [Action] in
            try s.step(message)
        }
    }

    private mutating func guarded(_ body: (inout PeerHandshake) throws(PeerHandshakeError) -> [Action]) throws(PeerHandshakeError)
        -> [Action]
    {
        do {
            return try body(&self)
        } catch {
            failed = true
            throw error
        }
    }

    private mutating func step(_ message: [UInt8]) throws(PeerHandshakeError) -> [Action] {
        let payload = try noiseRead(message)
        switch (role, noise.phase) {
        case (.listener, .write):  // read message 1, answer with message 2
            guard payload.isEmpty else {
                throw PeerHandshakeError(.malformedPayload, "message 1 carries a \(payload.count)-byte payload; it must carry none")
            }
            return [.send(try noiseWrite(auth()))]
        case (.dialer(let expected), .write):  // read message 2, check the listener, send message 3
            let peer = try authenticate(payload)
            guard peer.id == expected else {
                throw PeerHandshakeError(.unexpectedNodeID, "dialled node \(expected) but the peer is node \(peer.id)")
            }
            let last = try noiseWrite(auth())
            return [.send(last), .established(try established(peer))]
        case (.listener, .complete):  // read message 3, check the dialer
            let peer = try authenticate(payload)
            return [.established(try established(peer))]
        default:
            throw PeerHandshakeError(.outOfOrder, "unexpected handshake state \(noise.phase) for \(role)")
        }
    }

    private func auth() -> [UInt8] {
        AuthPayload(signer: signer, noiseStaticKey: noise.localStaticPublicKey).canonicalBytes
    }

    private func authenticate(_ payload: [UInt8]) throws(PeerHandshakeError) -> (id: NodeID, key: PublicKey) {
        let auth: AuthPayload
        do {
            auth = try AuthPayload(canonicalBytes: payload)
        } catch {
            throw PeerHandshakeError(.malformedPayload, "handshake payload is not an auth payload: \(error)")
        }
        guard let remoteStatic = noise.remoteStaticKey, auth.isValid(forNoiseStaticKey: remoteStatic) else {
            throw PeerHandshakeError(.invalidSignature, "node \(auth.nodeID) did not sign this session's Noise static key")
        }
        guard auth.nodeID != localNodeID else {
            throw PeerHandshakeError(.selfConnection, "the peer is this node (\(localNodeID))")
        }
        return (auth.nodeID, auth.nodeKey)
    }

    private mutating func established(_ peer: (id: NodeID, key: PublicKey)) throws(PeerHandshakeError) -> AuthenticatedPeer {
        guard let transport = noise.transport else {
            throw PeerHandshakeError(.outOfOrder, "the Noise handshake is not complete")
        }
        finished = true
        return AuthenticatedPeer(nodeID: peer.id, nodeKey: peer.key, transport: transport)
    }

    private mutating func noiseWrite(_ payload: [UInt8]) throws(PeerHandshakeError) -> [UInt8] {
        do { return try noise.writeMessage(payload: payload) } catch { throw PeerHandshakeError(error) }
    }

    private mutating func noiseRead(_ message: [UInt8]) throws(PeerHandshakeError) -> [UInt8] {
        do { return try noise.readMessage(message) } catch { throw PeerHandshakeError(error) }
    }
}
