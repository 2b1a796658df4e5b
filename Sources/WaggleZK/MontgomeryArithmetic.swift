/// Montgomery arithmetic on four 64-bit limbs for moduli below 2^254 (BN254's p and r).
///
/// The multiplication is the "no-carry" CIOS variant (valid because the modulus' top limb is
/// below 2^63 - 1). Every function is generic over nothing: the modulus is passed as literals by
/// the callers (`Fp`, `Fr`), and inlining turns them into immediates.
@usableFromInline
enum MontgomeryArithmetic {
    @usableFromInline typealias Limbs = (UInt64, UInt64, UInt64, UInt64)

    @inlinable @inline(__always)
    static func madd0(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        let (_, o) = lo.addingReportingOverflow(c)
        return hi &+ (o ? 1 : 0)
    }

    @inlinable @inline(__always)
    static func madd1(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> (UInt64, UInt64) {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        let (l, o) = lo.addingReportingOverflow(c)
        return (hi &+ (o ? 1 : 0), l)
    }

    @inlinable @inline(__always)
    static func madd2(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
        var (hi, lo) = a.multipliedFullWidth(by: b)
        let (s, o1) = c.addingReportingOverflow(d)
        hi &+= (o1 ? 1 : 0)
        let (l, o2) = lo.addingReportingOverflow(s)
        return (hi &+ (o2 ? 1 : 0), l)
    }

    @inlinable @inline(__always)
    static func madd3(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64, _ e: UInt64) -> (UInt64, UInt64) {
        var (hi, lo) = a.multipliedFullWidth(by: b)
        let (s, o1) = c.addingReportingOverflow(d)
        hi &+= (o1 ? 1 : 0)
        let (l, o2) = lo.addingReportingOverflow(s)
        return (hi &+ e &+ (o2 ? 1 : 0), l)
    }

    /// a - b over 256 bits, and whether it borrowed.
    @inlinable @inline(__always)
    static func sub(_ a: Limbs, _ b: Limbs) -> (Limbs, Bool) {
        let (r0, b0) = a.0.subtractingReportingOverflow(b.0)
        let (t1, b1a) = a.1.subtractingReportingOverflow(b.1)
        let (r1, b1b) = t1.subtractingReportingOverflow(b0 ? 1 : 0)
        let (t2, b2a) = a.2.subtractingReportingOverflow(b.2)
        let (r2, b2b) = t2.subtractingReportingOverflow((b1a || b1b) ? 1 : 0)
        let (t3, b3a) = a.3.subtractingReportingOverflow(b.3)
        let (r3, b3b) = t3.subtractingReportingOverflow((b2a || b2b) ? 1 : 0)
        return ((r0, r1, r2, r3), b3a || b3b)
    }

    /// a + b over 256 bits (no overflow possible for operands below 2^255).
    @inlinable @inline(__always)
    static func add(_ a: Limbs, _ b: Limbs) -> Limbs {
        let (r0, c0) = a.0.addingReportingOverflow(b.0)
        let (t1, c1a) = a.1.addingReportingOverflow(b.1)
        let (r1, c1b) = t1.addingReportingOverflow(c0 ? 1 : 0)
        let (t2, c2a) = a.2.addingReportingOverflow(b.2)
        let (r2, c2b) = t2.addingReportingOverflow((c1a || c1b) ? 1 : 0)
        let r3 = a.3 &+ b.3 &+ ((c2a || c2b) ? 1 : 0)
        return (r0, r1, r2, r3)
    }

    /// Reduces a value in [0, 2q) to [0, q).
    @inlinable @inline(__always)
    static func reduceOnce(_ a: Limbs, _ q: Limbs) -> Limbs {
        let (d, borrow) = sub(a, q)
        return borrow ? a : d
    }

    @inlinable @inline(__always)
    static func modAdd(_ a: Limbs, _ b: Limbs, _ q: Limbs) -> Limbs {
        reduceOnce(add(a, b), q)
    }

    @inlinable @inline(__always)
    static func modSub(_ a: Limbs, _ b: Limbs, _ q: Limbs) -> Limbs {
        let (d, borrow) = sub(a, b)
        return borrow ? add(d, q) : d
    }

    @inlinable @inline(__always)
    static func modNeg(_ a: Limbs, _ q: Limbs) -> Limbs {
        if (a.0 | a.1 | a.2 | a.3) == 0 { return a }
        return sub(q, a).0
    }

    @inlinable @inline(__always)
    static func modDouble(_ a: Limbs, _ q: Limbs) -> Limbs {
        let r = (a.0 << 1, (a.1 << 1) | (a.0 >> 63), (a.2 << 1) | (a.1 >> 63), (a.3 << 1) | (a.2 >> 63))
        return reduceOnce(r, q)
    }

    /// a / 2 mod q.
    @inlinable @inline(__always)
    static func modHalve(_ a: Limbs, _ q: Limbs) -> Limbs {
        var v = a
        if a.0 & 1 == 1 { v = add(a, q) }
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
}
