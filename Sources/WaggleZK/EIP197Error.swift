/// Why an EIP-196/197 precompile call fails.
public enum EIP197Error: Error, Equatable, Sendable {
    /// A coordinate is >= p.
    case coordinateNotInField
    /// A point is not on its curve.
    case pointNotOnCurve
    /// A G2 point is on the twist but not in the order-r subgroup.
    case pointNotInSubgroup
    /// The pairing input length is not a multiple of 192 bytes.
    case invalidInputLength(Int)
}
