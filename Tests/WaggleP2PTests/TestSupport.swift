import WaggleCore
import WaggleCrypto
import WaggleTesting

@testable import WaggleP2P

func hex(_ s: String) -> [UInt8] {
    guard let b = Hex.decode(s) else { fatalError("bad hex in a test: \(s)") }
    return b
}

/// Deterministic X25519 keys for tests: the seed's bytes spread over 32.
func x25519Key(_ seed: UInt64) -> X25519PrivateKey {
    var rng = SplitMix64(seed: seed)
    guard let key = X25519PrivateKey(unsafeRawKey: rng.bytes(32)) else { fatalError("32 bytes are always a key") }
    return key
}

/// One side of a peer handshake, with deterministic keys.
struct PeerSetup {
    let signer: Signer
    let noiseStatic: X25519PrivateKey
    let ephemeral: X25519PrivateKey
    var nodeID: NodeID { NodeID(publicKey: signer.publicKey) }

    init(_ index: Int) {
        signer = TestKeys.signer(index)
        noiseStatic = x25519Key(UInt64(1000 + index))
        ephemeral = x25519Key(UInt64(2000 + index))
    }

    func handshake(_ role: PeerHandshake.Role, prologue: [UInt8] = PeerHandshake.defaultPrologue) -> PeerHandshake {
        PeerHandshake(role: role, signer: signer, noiseStaticKey: noiseStatic, ephemeralKey: ephemeral, prologue: prologue)
    }
}

/// The single `.send` among actions, or nil.
func sent(_ actions: [PeerHandshake.Action]) -> [UInt8]? {
    for case .send(let bytes) in actions { return bytes }
    return nil
}

func establishedPeer(_ actions: [PeerHandshake.Action]) -> PeerHandshake.AuthenticatedPeer? {
    for case .established(let peer) in actions { return peer }
    return nil
}

struct MissingAction: Error {}

/// The single `.send` among actions; throws when there is none.
func sendBytes(_ actions: [PeerHandshake.Action]) throws -> [UInt8] {
    guard let bytes = sent(actions) else { throw MissingAction() }
    return bytes
}
