extension Fp12 {
    /// Granger–Scott squaring, valid only in the cyclotomic subgroup (after the easy part of the
    /// final exponentiation).
    @inlinable
    public func cyclotomicSquared() -> Fp12 {
        let r0 = c0.c0, r4 = c0.c1, r3 = c0.c2
        let r2 = c1.c0, r1 = c1.c1, r5 = c1.c2

        var tmp = r0 * r1
        let t0 = (r0 + r1) * (r1.mulByNonResidue() + r0) - tmp - tmp.mulByNonResidue()
        let t1 = tmp.doubled()

        tmp = r2 * r3
        let t2 = (r2 + r3) * (r3.mulByNonResidue() + r2) - tmp - tmp.mulByNonResidue()
        let t3 = tmp.doubled()

        tmp = r4 * r5
        let t4 = (r4 + r5) * (r5.mulByNonResidue() + r4) - tmp - tmp.mulByNonResidue()
        let t5 = tmp.doubled()

        let z0 = (t0 - r0).doubled() + t0
        let z1 = (t1 + r1).doubled() + t1
        let xt5 = t5.mulByNonResidue()
        let z2 = (r2 + xt5).doubled() + xt5
        let z3 = (t4 - r3).doubled() + t4
        let z4 = (t2 - r4).doubled() + t2
        let z5 = (r5 + t3).doubled() + t3
        return Fp12(Fp6(z0, z4, z3), Fp6(z2, z1, z5))
    }

    /// self^z for the BN parameter z = 4965661367192848881, with cyclotomic squarings.
    @inlinable
    public func cyclotomicPowerByZ() -> Fp12 {
        let z: UInt64 = 4_965_661_367_192_848_881
        var result = self
        var i = 63 - z.leadingZeroBitCount - 1
        while i >= 0 {
            result = result.cyclotomicSquared()
            if (z >> UInt64(i)) & 1 == 1 { result = result * self }
            i -= 1
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
