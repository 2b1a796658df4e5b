/// An element of BN254's base field Fp, p = 0x30644e72…fd47, in Montgomery form (R = 2^256).
public struct Fp: FieldElement, CustomStringConvertible {
    @usableFromInline var l: MontgomeryArithmetic.Limbs

    @inlinable @inline(__always)
    init(mont l: MontgomeryArithmetic.Limbs) { self.l = l }

    @inlinable @inline(__always)
    init(mont l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) { self.l = (l0, l1, l2, l3) }

    @inlinable @inline(__always) static var q: MontgomeryArithmetic.Limbs {
        (0x3c20_8c16_d87c_fd47, 0x9781_6a91_6871_ca8d, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029)
    }
    @inlinable @inline(__always) static var qInvNeg: UInt64 { 0x87d2_0782_e486_6389 }
    @inlinable @inline(__always) static var r2: MontgomeryArithmetic.Limbs {
        (0xf32c_fc5b_538a_fa89, 0xb5e7_1911_d445_01fb, 0x47ab_1eff_0a41_7ff6, 0x06d8_9f71_cab8_351f)
    }

    /// The modulus p as an integer.
    public static let modulus = UInt256(
        0x3c20_8c16_d87c_fd47, 0x9781_6a91_6871_ca8d, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029)

    public static var zero: Fp { Fp(mont: 0, 0, 0, 0) }
    public static var one: Fp {
        Fp(mont: 0xd35d_438d_c58f_0d9d, 0x0a78_eb28_f5c7_0b3d, 0x666e_a36f_7879_462c, 0x0e0a_77c1_9a07_df2f)
    }

    /// The element equal to `value`, or nil when value >= p.
    @inlinable
    public init?(_ value: UInt256) {
        guard value < Fp.modulus else { return nil }
        self.l = MontgomeryArithmetic.montMul((value.l0, value.l1, value.l2, value.l3), Fp.r2, Fp.q, Fp.qInvNeg)
    }

    /// `value` reduced modulo p (value < 2^256 < 6p, so a few subtractions).
    public init(reducing value: UInt256) {
        var v = value
        while !(v < Fp.modulus) {
            let (d, _) = MontgomeryArithmetic.sub((v.l0, v.l1, v.l2, v.l3), Fp.q)
            v = UInt256(d.0, d.1, d.2, d.3)
        }
        self.init(v)!
    }

    @inlinable public init(_ small: UInt64) { self.init(UInt256(small))! }

    /// The canonical integer value.
    @inlinable
    public var value: UInt256 {
        let r = MontgomeryArithmetic.montMul(l, (1, 0, 0, 0), Fp.q, Fp.qInvNeg)
        return UInt256(r.0, r.1, r.2, r.3)
    }

    @inlinable public var isZero: Bool { (l.0 | l.1 | l.2 | l.3) == 0 }

    @inlinable public static func == (a: Fp, b: Fp) -> Bool {
        a.l.0 == b.l.0 && a.l.1 == b.l.1 && a.l.2 == b.l.2 && a.l.3 == b.l.3
    }

    public func hash(into h: inout Hasher) { h.combine(l.0); h.combine(l.1); h.combine(l.2); h.combine(l.3) }

    @inlinable @inline(__always)
    public static func + (a: Fp, b: Fp) -> Fp { Fp(mont: MontgomeryArithmetic.modAdd(a.l, b.l, q)) }
    @inlinable @inline(__always)
    public static func - (a: Fp, b: Fp) -> Fp { Fp(mont: MontgomeryArithmetic.modSub(a.l, b.l, q)) }
    @inlinable @inline(__always)
    public static func * (a: Fp, b: Fp) -> Fp { Fp(mont: MontgomeryArithmetic.montMul(a.l, b.l, q, qInvNeg)) }
    @inlinable @inline(__always)
    public static prefix func - (a: Fp) -> Fp { Fp(mont: MontgomeryArithmetic.modNeg(a.l, q)) }
    @inlinable @inline(__always)
    public func squared() -> Fp { Fp(mont: MontgomeryArithmetic.montMul(l, l, Fp.q, Fp.qInvNeg)) }
    @inlinable @inline(__always)
    public func doubled() -> Fp { Fp(mont: MontgomeryArithmetic.modDouble(l, Fp.q)) }
    @inlinable @inline(__always)
    public func halved() -> Fp { Fp(mont: MontgomeryArithmetic.modHalve(l, Fp.q)) }

    /// self^e for an exponent given as an integer.
    public func power(_ e: UInt256) -> Fp {
        var result = Fp.one
        let n = e.bitWidth
        var i = n - 1
        while i >= 0 {
            result = result.squared()
            if e.bit(i) { result = result * self }
            i -= 1
        }
        return result
    }

    /// Inverse by Fermat (p - 2); zero maps to zero.
    public func inverse() -> Fp {
        power(UInt256(0x3c20_8c16_d87c_fd45, 0x9781_6a91_6871_ca8d, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029))
    }

    /// A square root when one exists (p = 3 mod 4, so self^((p+1)/4)).
    public func squareRoot() -> Fp? {
        let c = power(UInt256(0x4f08_2305_b61f_3f52, 0x65e0_5aa4_5a1c_72a3, 0x6e14_116d_a060_5617, 0x0c19_139c_b84c_680a))
        return c.squared() == self ? c : nil
    }

    /// Legendre-style test: is self a square in Fp.
    public var isSquare: Bool { squareRoot() != nil }

    public var description: String { value.decimalString }
}
