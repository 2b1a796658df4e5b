/// A point of a short Weierstrass curve y^2 = x^3 + b (a = 0) in Jacobian coordinates:
/// (X, Y, Z) stands for (X/Z^2, Y/Z^3); Z = 0 is the point at infinity.
/// `G1Projective` and `G2Projective` share these formulas through this protocol.
public protocol JacobianPoint: Sendable, Hashable {
    associatedtype Field: FieldElement
    var x: Field { get set }
    var y: Field { get set }
    var z: Field { get set }
    init(x: Field, y: Field, z: Field)
    static var curveB: Field { get }
}

extension JacobianPoint {
    @inlinable public static var identity: Self { Self(x: .one, y: .one, z: .zero) }
    @inlinable public var isIdentity: Bool { z.isZero }

    /// Equality of the represented points (cross-multiplied, no inversion).
    @inlinable
    public static func == (a: Self, b: Self) -> Bool {
        if a.isIdentity || b.isIdentity { return a.isIdentity && b.isIdentity }
        let az2 = a.z.squared(), bz2 = b.z.squared()
        if a.x * bz2 != b.x * az2 { return false }
        return a.y * (bz2 * b.z) == b.y * (az2 * a.z)
    }

    public func hash(into h: inout Hasher) {
        // Hash the affine form so that equal points hash equally.
        if isIdentity { h.combine(0); return }
        let zi = z.inverse(), zi2 = zi.squared()
        h.combine(x * zi2)
        h.combine(y * zi2 * zi)
    }

    /// y^2 = x^3 + b·z^6 (the identity counts as on the curve).
    @inlinable
    public var isOnCurve: Bool {
        if isIdentity { return true }
        let z2 = z.squared()
        let z6 = z2.squared() * z2
        return y.squared() == x.squared() * x + Self.curveB * z6
    }

    @inlinable
    public static prefix func - (p: Self) -> Self { Self(x: p.x, y: -p.y, z: p.z) }

    /// dbl-2009-l.
    @inlinable
    public func doubled() -> Self {
        if isIdentity { return self }
        let a = x.squared()
        let b = y.squared()
        let c = b.squared()
        let d = ((x + b).squared() - a - c).doubled()
        let e = a.doubled() + a
        let f = e.squared()
        let x3 = f - d.doubled()
        let y3 = e * (d - x3) - c.doubled().doubled().doubled()
        let z3 = (y * z).doubled()
        return Self(x: x3, y: y3, z: z3)
    }

    /// add-2007-bl.
    @inlinable
    public static func + (p: Self, q: Self) -> Self {
        if p.isIdentity { return q }
        if q.isIdentity { return p }
        let z1z1 = p.z.squared()
        let z2z2 = q.z.squared()
        let u1 = p.x * z2z2
        let u2 = q.x * z1z1
        let s1 = p.y * q.z * z2z2
        let s2 = q.y * p.z * z1z1
        let h = u2 - u1
        let r = (s2 - s1).doubled()
        if h.isZero {
            return r.isZero ? p.doubled() : .identity
        }
        let i = h.doubled().squared()
        let j = h * i
        let v = u1 * i
        let x3 = r.squared() - j - v.doubled()
        let y3 = r * (v - x3) - (s1 * j).doubled()
        let z3 = ((p.z + q.z).squared() - z1z1 - z2z2) * h
        return Self(x: x3, y: y3, z: z3)
    }

    @inlinable
    public static func - (p: Self, q: Self) -> Self { p + (-q) }

    @inlinable public static func += (p: inout Self, q: Self) { p = p + q }

    /// Mixed addition with an affine point (x2, y2) (madd-2007-bl); the affine point must not be
    /// the identity.
    @inlinable
    public func addingAffine(x x2: Field, y y2: Field) -> Self {
        if isIdentity { return Self(x: x2, y: y2, z: .one) }
        let z1z1 = z.squared()
        let u2 = x2 * z1z1
        let s2 = y2 * z * z1z1
        let h = u2 - x
        let r = (s2 - y).doubled()
        if h.isZero {
            return r.isZero ? doubled() : .identity
        }
        let hh = h.squared()
        let i = hh.doubled().doubled()
        let j = h * i
        let v = x * i
        let x3 = r.squared() - j - v.doubled()
        let y3 = r * (v - x3) - (y * j).doubled()
        let z3 = (z + h).squared() - z1z1 - hh
        return Self(x: x3, y: y3, z: z3)
    }

    /// [k]P by double-and-add over all bits of k (k is not reduced).
    public func multiplied(by k: UInt256) -> Self {
        var acc = Self.identity
        var i = k.bitWidth - 1
        while i >= 0 {
            acc = acc.doubled()
            if k.bit(i) { acc = acc + self }
            i -= 1
        }
        return acc
    }

    /// (x, y) = (X/Z^2, Y/Z^3), or nil for the identity.
    @inlinable
    public var affineCoordinates: (x: Field, y: Field)? {
        if isIdentity { return nil }
        let zi = z.inverse()
        let zi2 = zi.squared()
        return (x * zi2, y * zi2 * zi)
    }

    /// Converts many points at once with a single inversion (Montgomery's trick).
    public static func batchAffineCoordinates(_ points: [Self]) -> [(x: Field, y: Field)?] {
        var prefix = [Field]()
        prefix.reserveCapacity(points.count)
        var acc = Field.one
        for p in points {
            prefix.append(acc)
            if !p.isIdentity { acc = acc * p.z }
        }
        var inv = acc.inverse()
        var out = [(x: Field, y: Field)?](repeating: nil, count: points.count)
        var i = points.count - 1
        while i >= 0 {
            let p = points[i]
            if !p.isIdentity {
                let zi = inv * prefix[i]
                inv = inv * p.z
                let zi2 = zi.squared()
                out[i] = (p.x * zi2, p.y * zi2 * zi)
            }
            i -= 1
        }
        return out
    }
}
