extension Fp12 {
    /// x -> x^p.
    @inlinable
    public func frobenius() -> Fp12 {
        typealias K = BN254Constants
        return Fp12(
            Fp6(c0.c0.conjugate(), c0.c1.conjugate() * K.frob1_2, c0.c2.conjugate() * K.frob1_4),
            Fp6(c1.c0.conjugate() * K.frob1_1, c1.c1.conjugate() * K.frob1_3, c1.c2.conjugate() * K.frob1_5))
    }

    /// x -> x^(p^2).
    @inlinable
    public func frobenius2() -> Fp12 {
        typealias K = BN254Constants
        return Fp12(
            Fp6(c0.c0, c0.c1.scaled(by: K.frob2_2), c0.c2.scaled(by: K.frob2_4)),
            Fp6(c1.c0.scaled(by: K.frob2_1), c1.c1.scaled(by: K.frob2_3), c1.c2.scaled(by: K.frob2_5)))
    }

    /// x -> x^(p^3).
    @inlinable
    public func frobenius3() -> Fp12 {
        typealias K = BN254Constants
        return Fp12(
            Fp6(c0.c0.conjugate(), c0.c1.conjugate() * K.frob3_2, c0.c2.conjugate() * K.frob3_4),
            Fp6(c1.c0.conjugate() * K.frob3_1, c1.c1.conjugate() * K.frob3_3, c1.c2.conjugate() * K.frob3_5))
    }
}
