import WaggleCore
import WaggleCrypto

/// The payload of handshake messages 2 (responder) and 3 (initiator): the node's Ed25519 public key
/// and its signature binding that key to the sender's Noise static key, so the encrypted session
/// belongs to the node id derived from the Ed25519 key.
///
///     auth_payload = node pubkey(32) ‖ signature(64)
///     sign bytes   = string("waggle/handshake/v1") ‖ string("") ‖ noise static pubkey(32)
///
/// The chain id is empty in the sign bytes: a peer on another chain must get through the
/// handshake so that the node-info exchange can name the mismatch.
public struct AuthPayload: Hashable, Sendable, CanonicalCodable {
    public static let encodedLength = PublicKey.length + Signature.length  // 96

    public let nodeKey: PublicKey
    public let signature: Signature

    public init(nodeKey: PublicKey, signature: Signature) {
        self.nodeKey = nodeKey
        self.signature = signature
    }

    /// Signs `noiseStaticKey` with the node key.
    public init(signer: Signer, noiseStaticKey: [UInt8]) {
        nodeKey = signer.publicKey
        signature = signer.sign(Self.signBytes(noiseStaticKey: noiseStaticKey))
    }

    public static func signBytes(noiseStaticKey: [UInt8]) -> [UInt8] {
        var e = SignDomain.handshake.prefix(chainID: "")
        e.fixed(noiseStaticKey)
        return e.bytes
    }

    /// Whether the signature is valid over `noiseStaticKey` (libsodium's verifier also refuses
    /// small-order and non-canonical node keys).
    public func isValid(forNoiseStaticKey noiseStaticKey: [UInt8]) -> Bool {
        guard noiseStaticKey.count == X25519.publicKeyLength else { return false }
        return nodeKey.verify(signature, over: Self.signBytes(noiseStaticKey: noiseStaticKey))
    }

    public var nodeID: NodeID { NodeID(publicKey: nodeKey) }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(nodeKey)
        e.encode(signature)
    }

    public init(from d: inout CanonicalDecoder) throws {
        nodeKey = try d.decode()
        signature = try d.decode()
    }
}
