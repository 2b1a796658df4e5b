/// What `waggle zk verify` prints and returns.
public struct ZKVerifyOutcome: Sendable, Equatable {
    /// 0 valid, 1 invalid, 2 unreadable or malformed input.
    public let exitCode: Int32
    /// One line saying why (plain text, or a JSON object with --json).
    public let line: String
    /// Set when the verification key is forgeable (δ = ±γ or ±the G2 generator): one line,
    /// `warning: …`, that the command prints on standard error (with --json the same facts are
    /// fields of `line`). The verdict and exit code are the mathematical ones all the same.
    public let warning: String?

    public init(exitCode: Int32, line: String, warning: String? = nil) {
        self.exitCode = exitCode
        self.line = line
        self.warning = warning
    }
}
