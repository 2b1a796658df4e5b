/// The three Fp2 coefficients of one Miller-loop line for the D-twist; evaluated at P = (px, py)
/// the line is (c0·py) + (c1·px)·w + c2·v·w.
public struct LineCoefficients: Sendable, Hashable {
    public var c0: Fp2
    public var c1: Fp2
    public var c2: Fp2

    @inlinable
    public init(_ c0: Fp2, _ c1: Fp2, _ c2: Fp2) { self.c0 = c0; self.c1 = c1; self.c2 = c2 }
}
