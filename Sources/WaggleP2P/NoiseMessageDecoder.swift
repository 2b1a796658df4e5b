/// The outer framing of Noise messages on a TCP stream (Noise specification, section 13):
/// `length (u16 big-endian) ‖ message`. The decoder is incremental and refuses a length outside
/// `[minLength, maxLength]` as soon as the prefix arrives, so it never holds more than
/// `maxLength + 2` bytes.
public struct NoiseMessageDecoder: Sendable {
    public static let prefixLength = 2

    public let minLength: Int
    public let maxLength: Int
    private var buffer: [UInt8] = []
    private var expected: Int?
    private var failure: FrameError?

    /// Transport messages are at least a tag (16 bytes) long; during the handshake pass the
    /// handshake's own bounds.
    public init(minLength: Int = 16, maxLength: Int = HandshakeState.maxMessageLength) {
        self.minLength = max(0, minLength)
        self.maxLength = min(max(self.minLength, maxLength), HandshakeState.maxMessageLength)
    }

    /// Adds a length prefix to `message`.
    public static func encode(_ message: [UInt8]) throws(FrameError) -> [UInt8] {
        guard message.count <= HandshakeState.maxMessageLength else {
            throw FrameError(.lengthOutOfRange, "Noise message of \(message.count) bytes exceeds 65535")
        }
        return [UInt8(message.count >> 8), UInt8(message.count & 0xff)] + message
    }

    public var bufferedByteCount: Int { buffer.count }

    public mutating func feed(_ bytes: [UInt8]) throws(FrameError) -> [[UInt8]] {
        if let failure { throw failure }
        var messages: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            if let n = expected {
                let take = min(n - buffer.count, bytes.count - i)
                buffer += bytes[i..<i + take]
                i += take
                if buffer.count == n {
                    messages.append(buffer)
                    buffer = []
                    expected = nil
                }
            } else {
                let take = min(Self.prefixLength - buffer.count, bytes.count - i)
                buffer += bytes[i..<i + take]
                i += take
                if buffer.count == Self.prefixLength {
                    let n = Int(buffer[0]) << 8 | Int(buffer[1])
                    buffer = []
                    guard n >= minLength, n <= maxLength else {
                        let error = FrameError(.lengthOutOfRange, "Noise message length \(n) is outside [\(minLength), \(maxLength)]")
                        failure = error
                        throw error
                    }
                    if n == 0 {
                        messages.append([])
                    } else {
                        expected = n
                    }
                }
            }
        }
        return messages
    }

    /// Call at the end of the stream: throws when it ended inside a prefix or a message.
    public func finish() throws(FrameError) {
        if let failure { throw failure }
        guard buffer.isEmpty, expected == nil else {
            throw FrameError(.truncated, "the stream ended inside a Noise message (\(buffer.count) bytes held)")
        }
    }
}
