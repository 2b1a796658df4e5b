/// A failure of a tree operation. Equality compares the code only.
public struct TreeError: Error, Equatable, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable { case missingNode, invalidVersion, corruptTree }
        let kind: Kind
        /// A node the tree refers to is not in the store: never written, or pruned.
        public static let missingNode = Code(kind: .missingNode)
        /// The new version is not above the base version.
        public static let invalidVersion = Code(kind: .invalidVersion)
        /// Stored nodes contradict each other (a child of the wrong kind, a path too deep).
        public static let corruptTree = Code(kind: .corruptTree)
        public var description: String { "\(kind)" }
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (a: TreeError, b: TreeError) -> Bool { a.code == b.code }
    public var description: String { "tree \(code): \(reason)" }
}
