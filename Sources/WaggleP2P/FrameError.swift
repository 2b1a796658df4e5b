/// A violation of the byte framing after the handshake: the outer Noise length prefix or the
/// channel frames inside transport messages. Every one ends the connection. Equality compares
/// the code only.
public struct FrameError: Error, Equatable, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable {
            case unknownChannel, messageTooLarge, lengthOutOfRange, truncated
        }
        let kind: Kind
        /// A frame header naming a channel this connection does not have.
        public static let unknownChannel = Code(kind: .unknownChannel)
        /// A frame header declaring more bytes than its channel's maximum message size.
        public static let messageTooLarge = Code(kind: .messageTooLarge)
        /// A Noise length prefix outside what the current phase allows.
        public static let lengthOutOfRange = Code(kind: .lengthOutOfRange)
        /// The stream ended inside a length prefix, a frame header or a payload.
        public static let truncated = Code(kind: .truncated)
        public var description: String { "\(kind)" }
    }

    public let code: Code
    public let reason: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    public static func == (a: FrameError, b: FrameError) -> Bool { a.code == b.code }
    public var description: String { reason }
}
