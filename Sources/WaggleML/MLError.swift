/// Why an ML import, commitment, evaluation or proof was refused. Every case says what was wrong
/// and where, in one line.
public enum MLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A value does not fit the declared fixed-point range (what, the value, the bit width).
    case outOfRange(String)
    /// A model, dataset or circuit shape that does not fit (for example features ≠ model inputs).
    case shapeMismatch(String)
    /// A CSV or model file that cannot be read (with the line or field).
    case invalidInput(String)
    /// The claimed statement is false for the given model and data (the prover refuses).
    case claimNotSupported(String)

    public var description: String {
        switch self {
        case .outOfRange(let s): return "out of the fixed-point range: \(s)"
        case .shapeMismatch(let s): return "shape mismatch: \(s)"
        case .invalidInput(let s): return s
        case .claimNotSupported(let s): return "the claim does not hold: \(s)"
        }
    }
}
