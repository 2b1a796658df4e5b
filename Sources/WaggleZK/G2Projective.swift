/// A point of the sextic twist E'(Fp2): y^2 = x^3 + 3/(9+u), in Jacobian coordinates. G2 is its
/// subgroup of order r (the curve itself has a large cofactor).
public struct G2Projective: JacobianPoint {
    public var x: Fp2
    public var y: Fp2
    public var z: Fp2

    @inlinable
    public init(x: Fp2, y: Fp2, z: Fp2) { self.x = x; self.y = y; self.z = z }

    @inlinable public static var curveB: Fp2 { BN254Constants.twistB }

    public init(_ a: G2Affine) {
        self = a.isInfinity ? .identity : G2Projective(x: a.x, y: a.y, z: .one)
    }

    /// The standard generator (the one EIP-197 and snarkjs use).
    public static var generator: G2Projective { G2Projective(G2Affine.generator) }

    public var affine: G2Affine {
        guard let (ax, ay) = affineCoordinates else { return .infinity }
        return G2Affine(x: ax, y: ay)
    }

    @inlinable
    public func adding(_ a: G2Affine) -> G2Projective {
        a.isInfinity ? self : addingAffine(x: a.x, y: a.y)
    }

    /// ψ = twist ∘ Frobenius ∘ untwist: (x, y) -> (conj(x)·ξ^((p-1)/3), conj(y)·ξ^((p-1)/2)).
    @inlinable
    public func psi() -> G2Projective {
        G2Projective(
            x: x.conjugate() * BN254Constants.psiX, y: y.conjugate() * BN254Constants.psiY,
            z: z.conjugate())
    }

    /// Membership in the order-r subgroup: ψ(Q) == [6z^2]Q (Scott; El Housni–Guillevic–Piellard),
    /// which costs a 127-bit scalar multiplication instead of a 254-bit one. The tests compare it
    /// with [r]Q == 0 on points inside and outside the subgroup.
    public var isInSubgroup: Bool {
        if isIdentity { return true }
        // 6z^2 = 0x6f4d8248eeb859fbf83e9682e87cfd46
        let sixZ2 = UInt256(0xf83e_9682_e87c_fd46, 0x6f4d_8248_eeb8_59fb, 0, 0)
        return psi() == multiplied(by: sixZ2)
    }

    /// [r]Q == 0, the textbook subgroup test (slower; kept for cross-checking).
    public var isInSubgroupByOrder: Bool {
        multiplied(by: Fr.modulus).isIdentity
    }
}
