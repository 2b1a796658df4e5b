/// One message on one channel: `channel (1 byte) ‖ length (u32 big-endian) ‖ payload` on the wire.
public struct Frame: Hashable, Sendable {
    public static let headerLength = 5

    public let channel: ChannelID
    public let payload: [UInt8]

    public init(channel: ChannelID, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    /// The frame's bytes. The caller keeps payloads within their channel's limit (`FrameEncoder`
    /// checks), which is far below 2^32.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerLength + payload.count)
        out.append(channel.rawValue)
        let n = UInt32(truncatingIfNeeded: payload.count)
        out += [UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
        out += payload
        return out
    }
}
