/// A point of G1: y^2 = x^3 + 3 over Fp, in Jacobian coordinates. Every point on the curve has
/// order r (the cofactor is 1).
public struct G1Projective: JacobianPoint {
    public var x: Fp
    public var y: Fp
    public var z: Fp

    @inlinable
    public init(x: Fp, y: Fp, z: Fp) { self.x = x; self.y = y; self.z = z }

    @inlinable public static var curveB: Fp { Fp(mont: 0x7a17_caa9_50ad_28d7, 0x1f6a_c17a_e155_21b9, 0x334b_ea4e_696b_d284, 0x2a1f_6744_ce17_9d8e) }

    public init(_ a: G1Affine) {
        self = a.isInfinity ? .identity : G1Projective(x: a.x, y: a.y, z: .one)
    }

    /// The generator (1, 2).
    public static var generator: G1Projective { G1Projective(x: Fp(1), y: Fp(2), z: .one) }

    public var affine: G1Affine {
        guard let (ax, ay) = affineCoordinates else { return .infinity }
        return G1Affine(x: ax, y: ay)
    }

    @inlinable
    public func adding(_ a: G1Affine) -> G1Projective {
        a.isInfinity ? self : addingAffine(x: a.x, y: a.y)
    }
}
