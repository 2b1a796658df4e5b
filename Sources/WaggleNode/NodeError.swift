/// A failure of the node or of a command, with the one line an operator sees.
public struct NodeError: Error, CustomStringConvertible, Equatable, Sendable {
    public struct Code: Hashable, Sendable {
        let name: String
        public static let io = Code(name: "io")
        public static let config = Code(name: "config")
        public static let keys = Code(name: "keys")
        public static let storage = Code(name: "storage")
        public static let chain = Code(name: "chain")
        public static let homeExists = Code(name: "home_exists")
        public static let noHome = Code(name: "no_home")
        /// Data for a height that retention has already removed.
        public static let pruned = Code(name: "pruned")
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (a: NodeError, b: NodeError) -> Bool { a.code == b.code }
    public var description: String { reason }
}
