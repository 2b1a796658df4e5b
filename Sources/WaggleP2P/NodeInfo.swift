import WaggleCore

/// What two nodes tell each other right after the handshake: the whole plaintext of the first
/// transport message in each direction, before any frame (Docs/PROTOCOL.md, "P2P"):
///
///     node_info = p2p_version u32 ‖ block_version u32 ‖ chain_id string(≤ 50) ‖ node_id(20)
///                 ‖ listen_addr string(≤ 256) ‖ moniker string(≤ 64) ‖ channels bytes(≤ 64)
///
/// `channels` lists channel ids in strictly ascending order, so the encoding is canonical. Strings
/// hold no control characters (they end up in log lines).
public struct NodeInfo: Hashable, Sendable, CanonicalCodable {
    /// The version of this framing, handshake and message set; bumped on any incompatible change.
    public static let currentP2PVersion: UInt32 = 1
    public static let maxChainIDLength = 50
    public static let maxListenAddressLength = 256
    public static let maxMonikerLength = 64
    public static let maxChannels = 64
    /// An upper bound on the encoding, for the frame that carries it.
    public static let maxEncodedSize =
        4 + 4 + (4 + maxChainIDLength) + NodeID.length + (4 + maxListenAddressLength)
        + (4 + maxMonikerLength) + (4 + maxChannels)

    public var p2pVersion: UInt32
    public var blockVersion: UInt32
    public var chainID: String
    public var nodeID: NodeID
    public var listenAddress: String
    public var moniker: String
    public var channels: [ChannelID]

    /// Builds a node info, sorting and de-duplicating the channels. Returns nil for a string over
    /// its limit or holding a control character, or too many channels.
    public init?(
        p2pVersion: UInt32 = NodeInfo.currentP2PVersion, blockVersion: UInt32 = Header.protocolVersion,
        chainID: String, nodeID: NodeID, listenAddress: String, moniker: String, channels: [ChannelID]
    ) {
        let sorted = Array(Set(channels)).sorted()
        guard Self.isValid(chainID, max: Self.maxChainIDLength), Self.isValid(listenAddress, max: Self.maxListenAddressLength),
            Self.isValid(moniker, max: Self.maxMonikerLength), sorted.count <= Self.maxChannels
        else { return nil }
        self.p2pVersion = p2pVersion
        self.blockVersion = blockVersion
        self.chainID = chainID
        self.nodeID = nodeID
        self.listenAddress = listenAddress
        self.moniker = moniker
        self.channels = sorted
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u32(p2pVersion)
        e.u32(blockVersion)
        e.string(chainID)
        e.encode(nodeID)
        e.string(listenAddress)
        e.string(moniker)
        e.bytes(channels.map(\.rawValue))
    }

    public init(from d: inout CanonicalDecoder) throws {
        p2pVersion = try d.u32()
        blockVersion = try d.u32()
        chainID = try Self.decodeString(&d, max: Self.maxChainIDLength, field: "chain_id")
        nodeID = try d.decode()
        listenAddress = try Self.decodeString(&d, max: Self.maxListenAddressLength, field: "listen_addr")
        moniker = try Self.decodeString(&d, max: Self.maxMonikerLength, field: "moniker")
        let ids = try d.bytes(maxLength: Self.maxChannels)
        for i in ids.indices.dropFirst() where ids[i - 1] >= ids[i] {
            throw CodecError(.nonCanonical, "node info channels are not strictly ascending")
        }
        channels = ids.map(ChannelID.init)
    }

    /// Why a peer with `remote` as its node info cannot be connected to, or nil when it can.
    /// `authenticatedAs` is the id the handshake proved; the node info must claim the same one.
    public func incompatibility(with remote: NodeInfo, authenticatedAs peer: NodeID) -> Incompatibility? {
        if remote.nodeID != peer { return .nodeIDMismatch(authenticated: peer, claimed: remote.nodeID) }
        if remote.chainID != chainID { return .chainID(ours: chainID, theirs: remote.chainID) }
        if remote.p2pVersion != p2pVersion { return .p2pVersion(ours: p2pVersion, theirs: remote.p2pVersion) }
        if remote.blockVersion != blockVersion { return .blockVersion(ours: blockVersion, theirs: remote.blockVersion) }
        if Set(channels).isDisjoint(with: remote.channels) { return .noCommonChannels }
        return nil
    }

    public enum Incompatibility: Hashable, Sendable, CustomStringConvertible {
        case nodeIDMismatch(authenticated: NodeID, claimed: NodeID)
        case chainID(ours: String, theirs: String)
        case p2pVersion(ours: UInt32, theirs: UInt32)
        case blockVersion(ours: UInt32, theirs: UInt32)
        case noCommonChannels

        /// One line for the log, the same on both sides apart from "ours" and "theirs".
        public var description: String {
            switch self {
            case .nodeIDMismatch(let a, let c): "peer authenticated as node \(a) but its node info claims \(c)"
            case .chainID(let o, let t): "different chain: ours is \"\(o)\", the peer's is \"\(t)\""
            case .p2pVersion(let o, let t): "different p2p protocol version: ours is \(o), the peer's is \(t)"
            case .blockVersion(let o, let t): "different block protocol version: ours is \(o), the peer's is \(t)"
            case .noCommonChannels: "no channel in common"
            }
        }
    }

    private static func isValid(_ s: String, max: Int) -> Bool {
        s.utf8.count <= max && !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
    }

    private static func decodeString(_ d: inout CanonicalDecoder, max: Int, field: String) throws -> String {
        let s = try d.string(maxLength: max)
        guard isValid(s, max: max) else { throw CodecError(.invalidValue, "node info \(field) holds a control character") }
        return s
    }
}
