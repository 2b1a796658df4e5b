/// Why a Poseidon call was refused.
public enum PoseidonError: Error, Equatable, Sendable {
    /// circomlib's Poseidon takes 1…16 inputs.
    case unsupportedInputCount(Int)
    /// PoseidonEx outputs 1…(inputs + 1) elements.
    case unsupportedOutputCount(Int)
}
