/// A failure to decode canonical bytes. Equality compares the code only, so tests assert the kind
/// of failure without depending on the wording of the reason.
public struct CodecError: Error, Equatable, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable {
            case truncated, trailingBytes, lengthOverLimit, nonCanonical, unknownTag, invalidValue
        }
        let kind: Kind
        public static let truncated = Code(kind: .truncated)
        public static let trailingBytes = Code(kind: .trailingBytes)
        public static let lengthOverLimit = Code(kind: .lengthOverLimit)
        public static let nonCanonical = Code(kind: .nonCanonical)
        public static let unknownTag = Code(kind: .unknownTag)
        public static let invalidValue = Code(kind: .invalidValue)
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

    public static func == (a: CodecError, b: CodecError) -> Bool { a.code == b.code }
    public var description: String { reason }
}
