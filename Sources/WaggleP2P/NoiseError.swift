/// A Noise handshake or transport failure. Equality compares the code only, so tests assert the
/// kind of failure without depending on the wording of the reason.
public struct NoiseError: Error, Equatable, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable {
            case messageTooLong, messageTooShort, decryptFailed, outOfOrder, nonceExhausted, invalidPublicKey
        }
        let kind: Kind
        /// A message (or the payload that would make one) over the Noise limit of 65,535 bytes.
        public static let messageTooLong = Code(kind: .messageTooLong)
        /// A message that ends before the tokens of its pattern (and its tag) are complete.
        public static let messageTooShort = Code(kind: .messageTooShort)
        /// An AEAD tag that does not verify: tampered, replayed, reordered or foreign bytes.
        public static let decryptFailed = Code(kind: .decryptFailed)
        /// A call the state machine does not expect now: not this side's turn, after the
        /// handshake completed, or after a failure.
        public static let outOfOrder = Code(kind: .outOfOrder)
        /// The 64-bit nonce reached 2^64 − 1, which Noise reserves; the session must end.
        public static let nonceExhausted = Code(kind: .nonceExhausted)
        /// A remote key that gives an all-zero Diffie-Hellman result (a small-order point).
        public static let invalidPublicKey = Code(kind: .invalidPublicKey)
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

    public static func == (a: NoiseError, b: NoiseError) -> Bool { a.code == b.code }
    public var description: String { reason }
}
