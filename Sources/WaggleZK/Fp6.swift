/// Fp6 = Fp2[v] / (v^3 - ξ), ξ = 9 + u; an element is c0 + c1·v + c2·v^2.
public struct Fp6: FieldElement {
    public var c0: Fp2
    public var c1: Fp2
    public var c2: Fp2

    @inlinable @inline(__always)
    public init(_ c0: Fp2, _ c1: Fp2, _ c2: Fp2) { self.c0 = c0; self.c1 = c1; self.c2 = c2 }

    public static var zero: Fp6 { Fp6(.zero, .zero, .zero) }
    public static var one: Fp6 { Fp6(.one, .zero, .zero) }
    @inlinable public var isZero: Bool { c0.isZero && c1.isZero && c2.isZero }

    @inlinable @inline(__always)
    public static func + (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    @inlinable @inline(__always)
    public static func - (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }
    @inlinable @inline(__always)
    public static prefix func - (a: Fp6) -> Fp6 { Fp6(-a.c0, -a.c1, -a.c2) }
    @inlinable @inline(__always)
    public func doubled() -> Fp6 { Fp6(c0.doubled(), c1.doubled(), c2.doubled()) }

    @inlinable
    public static func * (a: Fp6, b: Fp6) -> Fp6 {
        let v0 = a.c0 * b.c0
        let v1 = a.c1 * b.c1
        let v2 = a.c2 * b.c2
        let c0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - v1 - v2).mulByNonResidue() + v0
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1 + v2.mulByNonResidue()
        let c2 = (a.c0 + a.c2) * (b.c0 + b.c2) - v0 - v2 + v1
        return Fp6(c0, c1, c2)
    }

    /// Chung–Hasan SQR2.
    @inlinable
    public func squared() -> Fp6 {
        let s0 = c0.squared()
        let s1 = (c0 * c1).doubled()
        let s2 = (c0 - c1 + c2).squared()
        let s3 = (c1 * c2).doubled()
        let s4 = c2.squared()
        return Fp6(s3.mulByNonResidue() + s0, s4.mulByNonResidue() + s1, s1 + s2 + s3 - s0 - s4)
    }

    /// Multiplication by v.
    @inlinable @inline(__always)
    public func mulByNonResidue() -> Fp6 { Fp6(c2.mulByNonResidue(), c0, c1) }

    /// Multiplication by b0 + b1·v.
    @inlinable
    public func mulBy01(_ b0: Fp2, _ b1: Fp2) -> Fp6 {
        let v0 = c0 * b0
        let v1 = c1 * b1
        let r0 = (c2 * b1).mulByNonResidue() + v0
        let r1 = (c0 + c1) * (b0 + b1) - v0 - v1
        let r2 = c2 * b0 + v1
        return Fp6(r0, r1, r2)
    }

    /// Multiplication by an Fp2 scalar.
    @inlinable @inline(__always)
    public func scaled(by s: Fp2) -> Fp6 { Fp6(c0 * s, c1 * s, c2 * s) }

    public func inverse() -> Fp6 {
        let t0 = c0.squared() - (c1 * c2).mulByNonResidue()
        let t1 = c2.squared().mulByNonResidue() - c0 * c1
        let t2 = c1.squared() - c0 * c2
        let d = c0 * t0 + (c2 * t1 + c1 * t2).mulByNonResidue()
        let inv = d.inverse()
        return Fp6(t0 * inv, t1 * inv, t2 * inv)
    }
}
