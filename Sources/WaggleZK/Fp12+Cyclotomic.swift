extension Fp12 {
    /// Granger–Scott squaring, valid only in the cyclotomic subgroup (after the easy part of the
    /// final exponentiation).
    @inlinable
    public func cyclotomicSquared() -> Fp12 {
        let r0 = c0.c0, r4 = c0.c1, r3 = c0.c2
        let r2 = c1.c0, r1 = c1.c1, r5 = c1.c2

        // Each (a + b·y)^2 in Fp4 = Fp2[y]/(y^2 - ξ) from three Fp2 squarings:
        // a^2 + ξ·b^2 and (a + b)^2 - a^2 - b^2.
        let s0 = r0.squared(), s1 = r1.squared()
        let t0 = s1.mulByNonResidue() + s0
        let t1 = (r0 + r1).squared() - s0 - s1

        let s2 = r2.squared(), s3 = r3.squared()
        let t2 = s3.mulByNonResidue() + s2
        let t3 = (r2 + r3).squared() - s2 - s3

        let s4 = r4.squared(), s5 = r5.squared()
        let t4 = s5.mulByNonResidue() + s4
        let t5 = (r4 + r5).squared() - s4 - s5

        let z0 = (t0 - r0).doubled() + t0
        let z1 = (t1 + r1).doubled() + t1
        let xt5 = t5.mulByNonResidue()
        let z2 = (r2 + xt5).doubled() + xt5
        let z3 = (t4 - r3).doubled() + t4
        let z4 = (t2 - r4).doubled() + t2
        let z5 = (r5 + t3).doubled() + t3
        return Fp12(Fp6(z0, z4, z3), Fp6(z2, z1, z5))
    }

    /// z = 4965661367192848881 in non-adjacent form, most significant digit first.
    @usableFromInline static let zNAF: [Int8] = [
        1, 0, 0, 0, 1, 0, 1, 0, 0, -1, 0, 1, 0, 1, 0, -1, 0, 0, 1, 0, 1, 0, -1, 0, -1, 0, -1, 0, 1, 0, 0, 0,
        1, 0, 0, 1, 0, 1, 0, 1, 0, -1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, -1, 0, 0, 0, 1,
    ]

    /// self^z for the BN parameter z (self in the cyclotomic subgroup): 62 cyclotomic squarings
    /// and 17 multiplications along the addition chain of gnark-crypto's bn254 `Expt`
    /// (the NAF of z needs 23 multiplications).
    @inlinable
    public func cyclotomicPowerByZ() -> Fp12 {
        let x = self
        let t3 = x.cyclotomicSquared()          // x^0x2
        let t5 = t3.cyclotomicSquared()         // x^0x4
        let r8 = t5.cyclotomicSquared()         // x^0x8
        var t0 = r8.cyclotomicSquared()         // x^0x10
        let t2 = x * t0                         // x^0x11
        t0 = t3 * t2                            // x^0x13
        var t1 = x * t0                         // x^0x14
        let t4 = r8 * t2                        // x^0x19
        var t6 = t2.cyclotomicSquared()         // x^0x22
        t1 = t0 * t1                            // x^0x27
        t0 = t3 * t1                            // x^0x29
        t6 = t6.cyclotomicSquared(times: 6)     // x^0x880
        var u5 = t5 * t6                        // x^0x884
        u5 = t4 * u5                            // x^0x89d
        u5 = u5.cyclotomicSquared(times: 7)     // x^0x44e80
        var u4 = t4 * u5                        // x^0x44e99
        u4 = u4.cyclotomicSquared(times: 8)     // x^0x44e9900
        u4 = t0 * u4                            // x^0x44e9929
        var u3 = t3 * u4                        // x^0x44e992b
        u3 = u3.cyclotomicSquared(times: 6)     // x^0x113a64ac0
        var u2 = t2 * u3                        // x^0x113a64ad1
        u2 = u2.cyclotomicSquared(times: 8)     // x^0x113a64ad100
        u2 = t0 * u2                            // x^0x113a64ad129
        u2 = u2.cyclotomicSquared(times: 6)     // x^0x44e992b44a40
        u2 = t0 * u2                            // x^0x44e992b44a69
        u2 = u2.cyclotomicSquared(times: 10)    // x^0x113a64ad129a400
        t1 = t1 * u2                            // x^0x113a64ad129a427
        t1 = t1.cyclotomicSquared(times: 6)     // x^0x44e992b44a6909c0
        t0 = t0 * t1                            // x^0x44e992b44a6909e9
        return r8 * t0                          // x^0x44e992b44a6909f1
    }

    /// self^(2^n) by n cyclotomic squarings.
    @inlinable
    public func cyclotomicSquared(times n: Int) -> Fp12 {
        var r = self
        for _ in 0..<n { r = r.cyclotomicSquared() }
        return r
    }

    /// self^z along the NAF of z (the previous method; kept as a reference for the tests).
    public func cyclotomicPowerByZNAF() -> Fp12 {
        let inv = conjugate()
        var result = self
        for d in Fp12.zNAF.dropFirst() {
            result = result.cyclotomicSquared()
            if d == 1 { result = result * self } else if d == -1 { result = result * inv }
        }
        return result
    }

    /// self^e with cyclotomic squarings (self must be in the cyclotomic subgroup).
    public func cyclotomicPower(_ e: UInt256) -> Fp12 {
        var result = Fp12.one
        var i = e.bitWidth - 1
        while i >= 0 {
            result = result.cyclotomicSquared()
            if e.bit(i) { result = result * self }
            i -= 1
        }
        return result
    }
}
