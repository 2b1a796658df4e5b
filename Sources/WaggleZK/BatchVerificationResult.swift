/// The outcome of a batch verification.
public struct BatchVerificationResult: Sendable, Equatable {
    /// Indices (into the batch) of the proofs that do not verify, ascending; empty when all do.
    public let invalidIndices: [Int]
    /// Whether the single combined check passed (false also when it was skipped because some
    /// item had the wrong number of inputs).
    public let combinedCheckPassed: Bool

    public var allValid: Bool { invalidIndices.isEmpty }
}
