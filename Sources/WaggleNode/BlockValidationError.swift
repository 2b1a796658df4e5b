/// Why a proposed or received block was rejected.
public struct BlockValidationError: Error, CustomStringConvertible, Sendable {
    public let height: UInt64
    public let reason: String

    public init(height: UInt64, _ reason: String) {
        self.height = height
        self.reason = reason
    }

    public var description: String { "invalid block at height \(height): \(reason)" }
}
