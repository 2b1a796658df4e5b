/// An affine point of G1 (or the point at infinity).
public struct G1Affine: Sendable, Hashable {
    public var x: Fp
    public var y: Fp
    public var isInfinity: Bool

    @inlinable
    public init(x: Fp, y: Fp) { self.x = x; self.y = y; self.isInfinity = false }

    public static let infinity: G1Affine = {
        var a = G1Affine(x: .zero, y: .zero)
        a.isInfinity = true
        return a
    }()

    public static var generator: G1Affine { G1Affine(x: Fp(1), y: Fp(2)) }

    /// y^2 = x^3 + 3 (infinity counts as on the curve).
    public var isOnCurve: Bool {
        isInfinity || y.squared() == x.squared() * x + G1Projective.curveB
    }

    public static prefix func - (a: G1Affine) -> G1Affine {
        a.isInfinity ? a : G1Affine(x: a.x, y: -a.y)
    }

    public var projective: G1Projective { G1Projective(self) }
}
