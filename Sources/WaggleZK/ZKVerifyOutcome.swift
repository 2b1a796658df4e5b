/// What `waggle zk verify` prints and returns.
public struct ZKVerifyOutcome: Sendable, Equatable {
    /// 0 valid, 1 invalid, 2 unreadable or malformed input.
    public let exitCode: Int32
    /// One line saying why (plain text, or a JSON object with --json).
    public let line: String
}
