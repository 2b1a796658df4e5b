/// Fp12 = Fp6[w] / (w^2 - v); an element is c0 + c1·w. The pairing's target group GT lives here.
public struct Fp12: FieldElement {
    public var c0: Fp6
    public var c1: Fp6

    @inlinable @inline(__always)
    public init(_ c0: Fp6, _ c1: Fp6) { self.c0 = c0; self.c1 = c1 }

    public static var zero: Fp12 { Fp12(.zero, .zero) }
    public static var one: Fp12 { Fp12(.one, .zero) }
    @inlinable public var isZero: Bool { c0.isZero && c1.isZero }
    @inlinable public var isOne: Bool { self == Fp12.one }

    @inlinable @inline(__always)
    public static func + (a: Fp12, b: Fp12) -> Fp12 { Fp12(a.c0 + b.c0, a.c1 + b.c1) }
    @inlinable @inline(__always)
    public static func - (a: Fp12, b: Fp12) -> Fp12 { Fp12(a.c0 - b.c0, a.c1 - b.c1) }
    @inlinable @inline(__always)
    public static prefix func - (a: Fp12) -> Fp12 { Fp12(-a.c0, -a.c1) }
    @inlinable @inline(__always)
    public func doubled() -> Fp12 { Fp12(c0.doubled(), c1.doubled()) }

    @inlinable
    public static func * (a: Fp12, b: Fp12) -> Fp12 {
        let aa = a.c0 * b.c0
        let bb = a.c1 * b.c1
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - aa - bb
        return Fp12(bb.mulByNonResidue() + aa, c1)
    }

    /// Complex squaring.
    @inlinable
    public func squared() -> Fp12 {
        let ab = c0 * c1
        let t = (c0 + c1) * (c0 + c1.mulByNonResidue()) - ab - ab.mulByNonResidue()
        return Fp12(t, ab.doubled())
    }

    public func inverse() -> Fp12 {
        let t = (c0.squared() - c1.squared().mulByNonResidue()).inverse()
        return Fp12(c0 * t, -(c1 * t))
    }

    /// x^(p^6): the inverse for elements of the cyclotomic subgroup.
    @inlinable @inline(__always)
    public func conjugate() -> Fp12 { Fp12(c0, -c1) }

    /// Multiplication by a sparse element c0 + (c3 + c4·v)·w (a D-twist line value).
    @inlinable
    public func mulBy034(_ l0: Fp2, _ l3: Fp2, _ l4: Fp2) -> Fp12 {
        let a = Fp6(c0.c0 * l0, c0.c1 * l0, c0.c2 * l0)
        let b = c1.mulBy01(l3, l4)
        let e = (c0 + c1).mulBy01(l0 + l3, l4)
        return Fp12(b.mulByNonResidue() + a, e - (a + b))
    }

    /// self^e by square-and-multiply (generic; not used on hot paths).
    public func power(_ e: UInt256) -> Fp12 {
        var result = Fp12.one
        var i = e.bitWidth - 1
        while i >= 0 {
            result = result.squared()
            if e.bit(i) { result = result * self }
            i -= 1
        }
        return result
    }
}
