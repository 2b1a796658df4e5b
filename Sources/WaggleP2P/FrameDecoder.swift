/// Reassembles frames from the decrypted plaintexts of transport messages, in order. The frames
/// form one byte stream, cut into transport messages anywhere (a frame may span many of them,
/// and one may hold many frames), so the decoder is incremental: feed each plaintext, get the
/// frames it completes.
///
/// A header naming an unknown channel, or a length above that channel's maximum, fails at the
/// header, before any of its payload is buffered: the decoder never holds more than the largest
/// limit plus a header. The first failure is final; later input gets the same error, and frames
/// completed earlier in the failing call are dropped with it (the connection ends anyway).
public struct FrameDecoder: Sendable {
    /// Maximum payload per channel id, nil for a channel this connection does not have.
    private var limits: [Int?]
    private var header: [UInt8] = []
    private var current: (channel: ChannelID, length: Int)?
    private var payload: [UInt8] = []
    private var failure: FrameError?

    public init(channels: [ChannelDescriptor]) {
        limits = [Int?](repeating: nil, count: 256)
        for c in channels { limits[Int(c.id.rawValue)] = min(c.maxMessageSize, ChannelDescriptor.absoluteMaxMessageSize) }
    }

    /// Bytes held for an incomplete header or payload.
    public var bufferedByteCount: Int { header.count + payload.count }

    /// Whether the stream is between frames (nothing partial is held).
    public var isAtFrameBoundary: Bool { header.isEmpty && current == nil }

    public mutating func feed(_ bytes: [UInt8]) throws(FrameError) -> [Frame] {
        if let failure { throw failure }
        var frames: [Frame] = []
        var i = 0
        while i < bytes.count {
            if let frame = current {
                let take = min(frame.length - payload.count, bytes.count - i)
                payload += bytes[i..<i + take]
                i += take
                if payload.count == frame.length {
                    frames.append(Frame(channel: frame.channel, payload: payload))
                    payload = []
                    current = nil
                }
            } else {
                let take = min(Frame.headerLength - header.count, bytes.count - i)
                header += bytes[i..<i + take]
                i += take
                if header.count == Frame.headerLength {
                    let length = try startFrame()
                    if length == 0 {  // an empty message is complete at its header
                        frames.append(Frame(channel: ChannelID(header[0]), payload: []))
                        current = nil
                    }
                    header = []
                }
            }
        }
        return frames
    }

    /// Call at the end of the stream: throws when it ended inside a frame.
    public func finish() throws(FrameError) {
        if let failure { throw failure }
        guard isAtFrameBoundary else {
            throw FrameError(.truncated, "the stream ended inside a frame (\(bufferedByteCount) bytes held)")
        }
    }

    private mutating func startFrame() throws(FrameError) -> Int {
        let channel = ChannelID(header[0])
        let length = Int(header[1]) << 24 | Int(header[2]) << 16 | Int(header[3]) << 8 | Int(header[4])
        guard let limit = limits[Int(channel.rawValue)] else {
            return try fail(FrameError(.unknownChannel, "frame on unknown channel \(channel)"))
        }
        guard length <= limit else {
            return try fail(FrameError(.messageTooLarge, "frame of \(length) bytes on \(channel) exceeds its limit of \(limit)"))
        }
        current = (channel, length)
        return length
    }

    private mutating func fail(_ error: FrameError) throws(FrameError) -> Int {
        failure = error
        header = []
        payload = []
        current = nil
        throw error
    }
}
