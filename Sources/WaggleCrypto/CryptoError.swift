/// A refused cryptographic operation. Equality compares the code only, so tests assert the kind of
/// failure without depending on the wording of the reason.
public struct CryptoError: Error, Equatable, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable {
            case invalidLength, authenticationFailed, weakSharedSecret
        }
        let kind: Kind
        /// A key, nonce or input of the wrong size.
        public static let invalidLength = Code(kind: .invalidLength)
        /// An AEAD tag that does not verify: the ciphertext, the associated data, the key or the
        /// nonce is not the one it was sealed with.
        public static let authenticationFailed = Code(kind: .authenticationFailed)
        /// A Diffie-Hellman result of all zeros: the peer sent a small-order point.
        public static let weakSharedSecret = Code(kind: .weakSharedSecret)
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

    public static func == (a: CryptoError, b: CryptoError) -> Bool { a.code == b.code }
    public var description: String { reason }
}
