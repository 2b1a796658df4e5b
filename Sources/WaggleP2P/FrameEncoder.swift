/// Turns frames into the plaintexts of transport messages: the frames' bytes, concatenated in order
/// and cut greedily into pieces of at most `maxChunkLength` bytes (65,519, what one Noise transport
/// message can carry). Refuses a payload over its channel's limit or on a channel the connection
/// does not have, since the peer would end the connection for it.
public struct FrameEncoder: Sendable {
    private var limits: [Int?]
    public let maxChunkLength: Int

    public init(channels: [ChannelDescriptor], maxChunkLength: Int = NoiseTransport.maxPlaintextLength) {
        limits = [Int?](repeating: nil, count: 256)
        for c in channels { limits[Int(c.id.rawValue)] = min(c.maxMessageSize, ChannelDescriptor.absoluteMaxMessageSize) }
        self.maxChunkLength = max(1, min(maxChunkLength, NoiseTransport.maxPlaintextLength))
    }

    public func encode(_ frames: [Frame]) throws(FrameError) -> [[UInt8]] {
        var stream: [UInt8] = []
        for f in frames {
            guard let limit = limits[Int(f.channel.rawValue)] else {
                throw FrameError(.unknownChannel, "no channel \(f.channel) on this connection")
            }
            guard f.payload.count <= limit else {
                throw FrameError(.messageTooLarge, "message of \(f.payload.count) bytes on \(f.channel) exceeds its limit of \(limit)")
            }
            stream += f.encoded
        }
        return stride(from: 0, to: stream.count, by: maxChunkLength).map {
            Array(stream[$0..<min($0 + maxChunkLength, stream.count)])
        }
    }
}
