/// Fp2 = Fp[u] / (u^2 + 1); an element is c0 + c1·u (c0 is the "real" part).
public struct Fp2: FieldElement, CustomStringConvertible {
    public var c0: Fp
    public var c1: Fp

    @inlinable @inline(__always)
    public init(_ c0: Fp, _ c1: Fp) { self.c0 = c0; self.c1 = c1 }

    public static var zero: Fp2 { Fp2(.zero, .zero) }
    public static var one: Fp2 { Fp2(.one, .zero) }

    @inlinable public var isZero: Bool { c0.isZero && c1.isZero }

    @inlinable @inline(__always)
    public static func + (a: Fp2, b: Fp2) -> Fp2 {
        Fp2(Fp(mont: MontgomeryArithmetic.modAdd(a.c0.l, b.c0.l, Fp.q)), Fp(mont: MontgomeryArithmetic.modAdd(a.c1.l, b.c1.l, Fp.q)))
    }
    @inlinable @inline(__always)
    public static func - (a: Fp2, b: Fp2) -> Fp2 {
        Fp2(Fp(mont: MontgomeryArithmetic.modSub(a.c0.l, b.c0.l, Fp.q)), Fp(mont: MontgomeryArithmetic.modSub(a.c1.l, b.c1.l, Fp.q)))
    }
    @inlinable @inline(__always)
    public static prefix func - (a: Fp2) -> Fp2 { Fp2(-a.c0, -a.c1) }

    /// Karatsuba with lazy reduction: three 512-bit products, two Montgomery reductions.
    /// c0 = a0·b0 - a1·b1 (plus p·2^256 when negative) and c1 = (a0+a1)(b0+b1) - a0·b0 - a1·b1
    /// are both below p·2^256, so one reduction each gives a fully reduced result.
    @inlinable
    public static func * (a: Fp2, b: Fp2) -> Fp2 {
        let (r0, r1) = MontgomeryArithmetic.fp2Mul(a.c0.l, a.c1.l, b.c0.l, b.c1.l, Fp.q, Fp.qInvNeg)
        return Fp2(Fp(mont: r0), Fp(mont: r1))
    }

    @inlinable @inline(__always)
    public func squared() -> Fp2 {
        // (a + bu)^2 = (a + b)(a - b) + 2ab·u
        typealias M = MontgomeryArithmetic
        let s = M.modAdd(c0.l, c1.l, Fp.q)
        let d = M.modSub(c0.l, c1.l, Fp.q)
        let t = M.modDouble(c0.l, Fp.q)
        return Fp2(Fp(mont: M.montMul(s, d, Fp.q, Fp.qInvNeg)), Fp(mont: M.montMul(t, c1.l, Fp.q, Fp.qInvNeg)))
    }

    @inlinable @inline(__always)
    public func doubled() -> Fp2 {
        Fp2(Fp(mont: MontgomeryArithmetic.modDouble(c0.l, Fp.q)), Fp(mont: MontgomeryArithmetic.modDouble(c1.l, Fp.q)))
    }

    @inlinable @inline(__always)
    public func halved() -> Fp2 { Fp2(c0.halved(), c1.halved()) }

    @inlinable @inline(__always)
    public func scaled(by s: Fp) -> Fp2 { Fp2(c0 * s, c1 * s) }

    /// The Frobenius map x -> x^p, which is conjugation here.
    @inlinable @inline(__always)
    public func conjugate() -> Fp2 { Fp2(c0, -c1) }

    /// Multiplication by the Fp6 non-residue ξ = 9 + u.
    @inlinable @inline(__always)
    public func mulByNonResidue() -> Fp2 {
        // (a + bu)(9 + u) = (9a - b) + (9b + a)u; 9a + (p - b) and 9b + a are below 11p.
        typealias M = MontgomeryArithmetic
        let negB = M.sub(Fp.q, c1.l).0
        let r0 = M.reduceBelow16p(M.nineTimesPlus(c0.l, negB, (0, 0, 0, 0)), Fp.q)
        let r1 = M.reduceBelow16p(M.nineTimesPlus(c1.l, c0.l, (0, 0, 0, 0)), Fp.q)
        return Fp2(Fp(mont: r0), Fp(mont: r1))
    }

    public func inverse() -> Fp2 {
        let n = (c0.squared() + c1.squared()).inverse()
        return Fp2(c0 * n, -(c1 * n))
    }

    public func power(_ e: UInt256) -> Fp2 {
        var result = Fp2.one
        var i = e.bitWidth - 1
        while i >= 0 {
            result = result.squared()
            if e.bit(i) { result = result * self }
            i -= 1
        }
        return result
    }

    /// A square root when one exists (Adj–Rodríguez-Henríquez, Algorithm 9, for p = 3 mod 4).
    public func squareRoot() -> Fp2? {
        if isZero { return self }
        // (p - 3) / 4
        let e1 = UInt256(0x4f08_2305_b61f_3f51, 0x65e0_5aa4_5a1c_72a3, 0x6e14_116d_a060_5617, 0x0c19_139c_b84c_680a)
        let a1 = power(e1)
        let alpha = a1 * (a1 * self)
        let a0 = alpha.conjugate() * alpha
        if a0 == -Fp2.one { return nil }
        let x0 = a1 * self
        let candidate: Fp2
        if alpha == -Fp2.one {
            candidate = Fp2(-x0.c1, x0.c0)
        } else {
            // (p - 1) / 2
            let e2 = UInt256(0x9e10_460b_6c3e_7ea3, 0xcbc0_b548_b438_e546, 0xdc28_22db_40c0_ac2e, 0x1832_2739_7098_d014)
            candidate = (alpha + Fp2.one).power(e2) * x0
        }
        return candidate.squared() == self ? candidate : nil
    }

    public var description: String { "(\(c0), \(c1))" }
}
