/// The channel a framed message travels on (one byte on the wire). The ids follow CometBFT's where
/// it has the same channel, so a reader of either protocol finds them familiar.
public struct ChannelID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// Peer exchange: addresses of other nodes.
    public static let pex = ChannelID(0x00)
    /// Connection control: ping and pong (`ControlMessage`).
    public static let control = ChannelID(0x01)
    /// Consensus: each peer's height, round and step.
    public static let consensusState = ChannelID(0x20)
    /// Consensus: proposals and the blocks they propose.
    public static let proposals = ChannelID(0x21)
    /// Consensus: prevotes and precommits.
    public static let votes = ChannelID(0x22)
    /// Transactions for the mempool.
    public static let mempool = ChannelID(0x30)
    /// Duplicate-vote evidence.
    public static let evidence = ChannelID(0x38)
    /// Block sync: status, block requests and committed blocks with their commits.
    public static let blockSync = ChannelID(0x40)

    public static func < (a: ChannelID, b: ChannelID) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .pex: "pex"
        case .control: "control"
        case .consensusState: "consensus_state"
        case .proposals: "proposals"
        case .votes: "votes"
        case .mempool: "mempool"
        case .evidence: "evidence"
        case .blockSync: "block_sync"
        default: "channel_0x" + String(rawValue, radix: 16)
        }
    }
}
