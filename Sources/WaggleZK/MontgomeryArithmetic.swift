/// Montgomery arithmetic on four 64-bit limbs for moduli below 2^254 (BN254's p and r).
///
/// The multiplication is the "no-carry" CIOS variant (valid because the modulus' top limb is
/// below 2^63 - 1). Every function is generic over nothing: the modulus is passed as literals by
/// the callers (`Fp`, `Fr`), and inlining turns them into immediates.
@usableFromInline
enum MontgomeryArithmetic {
    @usableFromInline typealias Limbs = (UInt64, UInt64, UInt64, UInt64)

    // The multiply-accumulate helpers go through 128-bit integers: LLVM lowers a product of two
    // zero-extended 64-bit values to one `mul` and the 128-bit additions to add/adc pairs, which
    // keeps the carries in the flags instead of materialising them with setb.
    @inlinable @inline(__always)
    static func madd0(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        let t = UInt128(a) &* UInt128(b) &+ UInt128(c)
        return UInt64(truncatingIfNeeded: t &>> 64)
    }

    @inlinable @inline(__always)
    static func madd1(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (UInt64, UInt64) {
        let t = UInt128(a) &* UInt128(b) &+ UInt128(c)
        return (UInt64(truncatingIfNeeded: t &>> 64), UInt64(truncatingIfNeeded: t))
    }

    @inlinable @inline(__always)
    static func madd2(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
        let t = UInt128(a) &* UInt128(b) &+ UInt128(c) &+ UInt128(d)
        return (UInt64(truncatingIfNeeded: t &>> 64), UInt64(truncatingIfNeeded: t))
    }

    @inlinable @inline(__always)
    static func madd3(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64, _ e: UInt64) -> (UInt64, UInt64) {
        let t = UInt128(a) &* UInt128(b) &+ UInt128(c) &+ UInt128(d)
        return (UInt64(truncatingIfNeeded: t &>> 64) &+ e, UInt64(truncatingIfNeeded: t))
    }

    /// a + b + carry -> (sum, carry out). Carries are combined with `|` on integers, never with
    /// the short-circuiting `||`, which would compile to branches.
    @inlinable @inline(__always)
    static func adc(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
        let (s1, o1) = a.addingReportingOverflow(b)
        let (s2, o2) = s1.addingReportingOverflow(carry)
        return (s2, UInt64(o1 ? 1 : 0) | UInt64(o2 ? 1 : 0))
    }

    /// a - b - borrow -> (difference, borrow out).
    @inlinable @inline(__always)
    static func sbb(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
        let (d1, o1) = a.subtractingReportingOverflow(b)
        let (d2, o2) = d1.subtractingReportingOverflow(borrow)
        return (d2, UInt64(o1 ? 1 : 0) | UInt64(o2 ? 1 : 0))
    }

    /// a - b over 256 bits, and whether it borrowed.
    @inlinable @inline(__always)
    static func sub(_ a: Limbs, _ b: Limbs) -> (Limbs, Bool) {
        let (r0, b0) = sbb(a.0, b.0, 0)
        let (r1, b1) = sbb(a.1, b.1, b0)
        let (r2, b2) = sbb(a.2, b.2, b1)
        let (r3, b3) = sbb(a.3, b.3, b2)
        return ((r0, r1, r2, r3), b3 != 0)
    }

    /// a + b over 256 bits (no overflow possible for operands below 2^255).
    @inlinable @inline(__always)
    static func add(_ a: Limbs, _ b: Limbs) -> Limbs {
        let (r0, c0) = adc(a.0, b.0, 0)
        let (r1, c1) = adc(a.1, b.1, c0)
        let (r2, c2) = adc(a.2, b.2, c1)
        let r3 = a.3 &+ b.3 &+ c2
        return (r0, r1, r2, r3)
    }

    /// Reduces a value in [0, 2q) to [0, q).
    @inlinable @inline(__always)
    static func reduceOnce(_ a: Limbs, _ q: Limbs) -> Limbs {
        let (d, borrow) = sub(a, q)
        return select(borrow, a, d)
    }

    /// Branch-free `c ? x : y` (data-dependent branches mispredict half the time here).
    @inlinable @inline(__always)
    static func select(_ c: Bool, _ x: Limbs, _ y: Limbs) -> Limbs {
        let m = 0 &- UInt64(c ? 1 : 0)
        return (y.0 ^ ((x.0 ^ y.0) & m), y.1 ^ ((x.1 ^ y.1) & m), y.2 ^ ((x.2 ^ y.2) & m), y.3 ^ ((x.3 ^ y.3) & m))
    }

    @inlinable @inline(__always)
    static func modAdd(_ a: Limbs, _ b: Limbs, _ q: Limbs) -> Limbs {
        reduceOnce(add(a, b), q)
    }

    @inlinable @inline(__always)
    static func modSub(_ a: Limbs, _ b: Limbs, _ q: Limbs) -> Limbs {
        let (d, borrow) = sub(a, b)
        let m = 0 &- UInt64(borrow ? 1 : 0)
        return add(d, (q.0 & m, q.1 & m, q.2 & m, q.3 & m))
    }

    @inlinable @inline(__always)
    static func modNeg(_ a: Limbs, _ q: Limbs) -> Limbs {
        let nz = (a.0 | a.1 | a.2 | a.3) != 0
        let m = 0 &- UInt64(nz ? 1 : 0)
        return sub((q.0 & m, q.1 & m, q.2 & m, q.3 & m), a).0
    }

    @inlinable @inline(__always)
    static func modDouble(_ a: Limbs, _ q: Limbs) -> Limbs {
        let r = (a.0 << 1, (a.1 << 1) | (a.0 >> 63), (a.2 << 1) | (a.1 >> 63), (a.3 << 1) | (a.2 >> 63))
        return reduceOnce(r, q)
    }

    /// a / 2 mod q.
    @inlinable @inline(__always)
    static func modHalve(_ a: Limbs, _ q: Limbs) -> Limbs {
        let m = 0 &- (a.0 & 1)
        let v = add(a, (q.0 & m, q.1 & m, q.2 & m, q.3 & m))
        return (
            (v.0 >> 1) | (v.1 << 63), (v.1 >> 1) | (v.2 << 63), (v.2 >> 1) | (v.3 << 63), v.3 >> 1
        )
    }

    /// Montgomery product x * y * 2^-256 mod q.
    @inlinable @inline(__always)
    static func montMul(_ x: Limbs, _ y: Limbs, _ q: Limbs, _ qInvNeg: UInt64) -> Limbs {
        var t0: UInt64, t1: UInt64, t2: UInt64, t3: UInt64
        var c0: UInt64, c1: UInt64, c2: UInt64
        do {
            let v = x.0
            (c1, c0) = v.multipliedFullWidth(by: y.0)
            let m = c0 &* qInvNeg
            c2 = madd0(m, q.0, c0)
            (c1, c0) = madd1(v, y.1, c1)
            (c2, t0) = madd2(m, q.1, c2, c0)
            (c1, c0) = madd1(v, y.2, c1)
            (c2, t1) = madd2(m, q.2, c2, c0)
            (c1, c0) = madd1(v, y.3, c1)
            (t3, t2) = madd3(m, q.3, c0, c2, c1)
        }
        do {
            let v = x.1
            (c1, c0) = madd1(v, y.0, t0)
            let m = c0 &* qInvNeg
            c2 = madd0(m, q.0, c0)
            (c1, c0) = madd2(v, y.1, c1, t1)
            (c2, t0) = madd2(m, q.1, c2, c0)
            (c1, c0) = madd2(v, y.2, c1, t2)
            (c2, t1) = madd2(m, q.2, c2, c0)
            (c1, c0) = madd2(v, y.3, c1, t3)
            (t3, t2) = madd3(m, q.3, c0, c2, c1)
        }
        do {
            let v = x.2
            (c1, c0) = madd1(v, y.0, t0)
            let m = c0 &* qInvNeg
            c2 = madd0(m, q.0, c0)
            (c1, c0) = madd2(v, y.1, c1, t1)
            (c2, t0) = madd2(m, q.1, c2, c0)
            (c1, c0) = madd2(v, y.2, c1, t2)
            (c2, t1) = madd2(m, q.2, c2, c0)
            (c1, c0) = madd2(v, y.3, c1, t3)
            (t3, t2) = madd3(m, q.3, c0, c2, c1)
        }
        do {
            let v = x.3
            (c1, c0) = madd1(v, y.0, t0)
            let m = c0 &* qInvNeg
            c2 = madd0(m, q.0, c0)
            (c1, c0) = madd2(v, y.1, c1, t1)
            (c2, t0) = madd2(m, q.1, c2, c0)
            (c1, c0) = madd2(v, y.2, c1, t2)
            (c2, t1) = madd2(m, q.2, c2, c0)
            (c1, c0) = madd2(v, y.3, c1, t3)
            (t3, t2) = madd3(m, q.3, c0, c2, c1)
        }
        return reduceOnce((t0, t1, t2, t3), q)
    }

    /// Reduces t < 16q (five limbs) to [0, q) by conditionally subtracting 8q, 4q, 2q and q.
    @inlinable @inline(__always)
    static func reduceBelow16p(_ t: (UInt64, UInt64, UInt64, UInt64, UInt64), _ q: Limbs) -> Limbs {
        let q2 = (q.0 << 1, (q.1 << 1) | (q.0 >> 63), (q.2 << 1) | (q.1 >> 63), (q.3 << 1) | (q.2 >> 63), q.3 >> 63)
        let q4 = (q.0 << 2, (q.1 << 2) | (q.0 >> 62), (q.2 << 2) | (q.1 >> 62), (q.3 << 2) | (q.2 >> 62), q.3 >> 62)
        let q8 = (q.0 << 3, (q.1 << 3) | (q.0 >> 61), (q.2 << 3) | (q.1 >> 61), (q.3 << 3) | (q.2 >> 61), q.3 >> 61)
        var x = conditionalSubtract5(t, q8)
        x = conditionalSubtract5(x, q4)
        x = conditionalSubtract5(x, q2)
        x = conditionalSubtract5(x, (q.0, q.1, q.2, q.3, 0))
        return (x.0, x.1, x.2, x.3)
    }

    /// x - m when x >= m, else x (five limbs, branch-free).
    @inlinable @inline(__always)
    static func conditionalSubtract5(
        _ x: (UInt64, UInt64, UInt64, UInt64, UInt64), _ m: (UInt64, UInt64, UInt64, UInt64, UInt64)
    ) -> (UInt64, UInt64, UInt64, UInt64, UInt64) {
        let (d0, b0) = sbb(x.0, m.0, 0)
        let (d1, b1) = sbb(x.1, m.1, b0)
        let (d2, b2) = sbb(x.2, m.2, b1)
        let (d3, b3) = sbb(x.3, m.3, b2)
        let (d4, b4) = sbb(x.4, m.4, b3)
        let keep = 0 &- b4
        return (
            d0 ^ ((x.0 ^ d0) & keep), d1 ^ ((x.1 ^ d1) & keep), d2 ^ ((x.2 ^ d2) & keep),
            d3 ^ ((x.3 ^ d3) & keep), d4 ^ ((x.4 ^ d4) & keep)
        )
    }

    /// 9·a + b + c over five limbs (a, b, c < 2^255), used for multiplication by ξ = 9 + u.
    @inlinable @inline(__always)
    static func nineTimesPlus(_ a: Limbs, _ b: Limbs, _ c: Limbs) -> (UInt64, UInt64, UInt64, UInt64, UInt64) {
        let e0 = a.0 << 3
        let e1 = (a.1 << 3) | (a.0 >> 61)
        let e2 = (a.2 << 3) | (a.1 >> 61)
        let e3 = (a.3 << 3) | (a.2 >> 61)
        let e4 = a.3 >> 61
        var (r0, k) = adc(e0, a.0, 0)
        var r1: UInt64, r2: UInt64, r3: UInt64, r4: UInt64
        (r1, k) = adc(e1, a.1, k)
        (r2, k) = adc(e2, a.2, k)
        (r3, k) = adc(e3, a.3, k)
        r4 = e4 &+ k
        (r0, k) = adc(r0, b.0, 0)
        (r1, k) = adc(r1, b.1, k)
        (r2, k) = adc(r2, b.2, k)
        (r3, k) = adc(r3, b.3, k)
        r4 = r4 &+ k
        (r0, k) = adc(r0, c.0, 0)
        (r1, k) = adc(r1, c.1, k)
        (r2, k) = adc(r2, c.2, k)
        (r3, k) = adc(r3, c.3, k)
        r4 = r4 &+ k
        return (r0, r1, r2, r3, r4)
    }
}
