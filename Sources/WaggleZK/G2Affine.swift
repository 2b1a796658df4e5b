/// An affine point of the twist E'(Fp2) (or the point at infinity).
public struct G2Affine: Sendable, Hashable {
    public var x: Fp2
    public var y: Fp2
    public var isInfinity: Bool

    @inlinable
    public init(x: Fp2, y: Fp2) { self.x = x; self.y = y; self.isInfinity = false }

    public static let infinity: G2Affine = {
        var a = G2Affine(x: .zero, y: .zero)
        a.isInfinity = true
        return a
    }()

    public static let generator = G2Affine(
        x: Fp2(
            Fp(UInt256(decimal: "10857046999023057135944570762232829481370756359578518086990519993285655852781")!)!,
            Fp(UInt256(decimal: "11559732032986387107991004021392285783925812861821192530917403151452391805634")!)!),
        y: Fp2(
            Fp(UInt256(decimal: "8495653923123431417604973247489272438418190587263600148770280649306958101930")!)!,
            Fp(UInt256(decimal: "4082367875863433681332203403145435568316851327593401208105741076214120093531")!)!))

    /// y^2 = x^3 + b' (infinity counts as on the curve).
    public var isOnCurve: Bool {
        isInfinity || y.squared() == x.squared() * x + BN254Constants.twistB
    }

    /// Membership in the order-r subgroup (see `G2Projective.isInSubgroup`).
    public var isInSubgroup: Bool { G2Projective(self).isInSubgroup }

    public static prefix func - (a: G2Affine) -> G2Affine {
        a.isInfinity ? a : G2Affine(x: a.x, y: -a.y)
    }

    public var projective: G2Projective { G2Projective(self) }
}
