import WaggleCore

/// What a connection knows about one channel: its priority when several have messages queued
/// (higher first), the largest message a peer may send on it (a longer one ends the connection
/// at the frame header), and how many messages may wait to be sent before the peer is treated
/// as too slow.
public struct ChannelDescriptor: Hashable, Sendable {
    public let id: ChannelID
    public let priority: Int
    public let maxMessageSize: Int
    public let sendQueueCapacity: Int

    public init(id: ChannelID, priority: Int, maxMessageSize: Int, sendQueueCapacity: Int) {
        self.id = id
        self.priority = priority
        self.maxMessageSize = maxMessageSize
        self.sendQueueCapacity = sendQueueCapacity
    }

    /// The largest message any channel may declare: the frame length is a u32, and nothing a node
    /// sends is near 64 MiB.
    public static let absoluteMaxMessageSize = 64 * 1024 * 1024

    /// A committed block and its commit: the block's encoding limit plus room for the commit and
    /// the message envelope.
    static let blockMessageSize = Block.maxEncodedSize + 1024 * 1024

    /// Every channel of the protocol. Sizes are generous bounds on what an honest peer sends.
    public static let all: [ChannelDescriptor] = [
        ChannelDescriptor(id: .control, priority: 10, maxMessageSize: 64, sendQueueCapacity: 16),
        ChannelDescriptor(id: .votes, priority: 7, maxMessageSize: 4 * 1024, sendQueueCapacity: 1000),
        ChannelDescriptor(id: .consensusState, priority: 6, maxMessageSize: 4 * 1024, sendQueueCapacity: 100),
        ChannelDescriptor(id: .proposals, priority: 5, maxMessageSize: blockMessageSize, sendQueueCapacity: 16),
        ChannelDescriptor(id: .blockSync, priority: 5, maxMessageSize: blockMessageSize, sendQueueCapacity: 64),
        ChannelDescriptor(id: .evidence, priority: 4, maxMessageSize: 64 * 1024, sendQueueCapacity: 100),
        ChannelDescriptor(id: .mempool, priority: 3, maxMessageSize: Transaction.maxEncodedSize + 1024, sendQueueCapacity: 1000),
        ChannelDescriptor(id: .pex, priority: 1, maxMessageSize: 64 * 1024, sendQueueCapacity: 16),
    ]
}
