import WaggleCore
import WaggleP2P

/// Why a peer connection ended. Each case carries the pure layer's error, so the log line names
/// the peer's fault exactly.
public enum PeerConnectionError: Error, Sendable, CustomStringConvertible {
    /// The handshake failed: bytes, signature, or the peer's id.
    case handshake(PeerHandshakeError)
    /// A transport message failed (tag, length, order, nonce).
    case transport(NoiseError)
    /// The outer length prefix (sent in the clear, so anyone on the path can forge it) broke
    /// the Noise message framing.
    case outerFraming(FrameError)
    /// A frame inside an authenticated transport message broke the framing rules: the peer
    /// sent it.
    case framing(FrameError)
    /// The peer's node info does not decode.
    case malformedNodeInfo(CodecError)
    /// The peer is well-behaved but cannot be talked to (another chain, another version).
    case incompatible(NodeInfo.Incompatibility)
    /// The handshake and node-info exchange did not finish in time (a slow or silent peer).
    case handshakeTimeout
    /// A frame was written before the connection was open, or after it closed.
    case notOpen

    public var description: String {
        switch self {
        case .handshake(let e): "handshake failed: \(e)"
        case .transport(let e): "transport failed: \(e)"
        case .outerFraming(let e): "Noise message framing violated: \(e)"
        case .framing(let e): "framing violated: \(e)"
        case .malformedNodeInfo(let e): "node info does not decode: \(e)"
        case .incompatible(let reason): "incompatible peer: \(reason)"
        case .handshakeTimeout: "handshake timed out"
        case .notOpen: "the connection is not open"
        }
    }
}

/// Fired as a user inbound event once the peer is authenticated and its node info accepted.
public enum PeerConnectionEvent: Sendable {
    case established(nodeID: NodeID, nodeInfo: NodeInfo)
}
