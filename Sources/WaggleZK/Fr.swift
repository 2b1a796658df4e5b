/// An element of BN254's scalar field Fr, r = 0x30644e72…0001 (the group order), in Montgomery form (R = 2^256).
public struct Fr: FieldElement, CustomStringConvertible {
    @usableFromInline var l: MontgomeryArithmetic.Limbs

    @inlinable @inline(__always)
    init(mont l: MontgomeryArithmetic.Limbs) { self.l = l }

    @inlinable @inline(__always)
    init(mont l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) { self.l = (l0, l1, l2, l3) }

    @inlinable @inline(__always) static var q: MontgomeryArithmetic.Limbs {
        (0x43e1_f593_f000_0001, 0x2833_e848_79b9_7091, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029)
    }
    @inlinable @inline(__always) static var qInvNeg: UInt64 { 0xc2e1_f593_efff_ffff }
    @inlinable @inline(__always) static var r2: MontgomeryArithmetic.Limbs {
        (0x1bb8_e645_ae21_6da7, 0x53fe_3ab1_e35c_59e3, 0x8c49_833d_53bb_8085, 0x0216_d0b1_7f4e_44a5)
    }

    /// The modulus r as an integer.
    public static let modulus = UInt256(
        0x43e1_f593_f000_0001, 0x2833_e848_79b9_7091, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029)

    public static var zero: Fr { Fr(mont: 0, 0, 0, 0) }
    public static var one: Fr {
        Fr(mont: 0xac96_341c_4fff_fffb, 0x36fc_7695_9f60_cd29, 0x666e_a36f_7879_462e, 0x0e0a_77c1_9a07_df2f)
    }

    /// The element equal to `value`, or nil when value >= r.
    @inlinable
    public init?(_ value: UInt256) {
        guard value < Fr.modulus else { return nil }
        self.l = MontgomeryArithmetic.montMul((value.l0, value.l1, value.l2, value.l3), Fr.r2, Fr.q, Fr.qInvNeg)
    }

    /// `value` reduced modulo r (value < 2^256 < 6r, so a few subtractions).
    public init(reducing value: UInt256) {
        var v = value
        while !(v < Fr.modulus) {
            let (d, _) = MontgomeryArithmetic.sub((v.l0, v.l1, v.l2, v.l3), Fr.q)
            v = UInt256(d.0, d.1, d.2, d.3)
        }
        self.init(v)!
    }

    @inlinable public init(_ small: UInt64) { self.init(UInt256(small))! }

    /// The canonical integer value.
    @inlinable
    public var value: UInt256 {
        let r = MontgomeryArithmetic.montMul(l, (1, 0, 0, 0), Fr.q, Fr.qInvNeg)
        return UInt256(r.0, r.1, r.2, r.3)
    }

    @inlinable public var isZero: Bool { (l.0 | l.1 | l.2 | l.3) == 0 }

    @inlinable public static func == (a: Fr, b: Fr) -> Bool {
        a.l.0 == b.l.0 && a.l.1 == b.l.1 && a.l.2 == b.l.2 && a.l.3 == b.l.3
    }

    public func hash(into h: inout Hasher) { h.combine(l.0); h.combine(l.1); h.combine(l.2); h.combine(l.3) }

    @inlinable @inline(__always)
    public static func + (a: Fr, b: Fr) -> Fr { Fr(mont: MontgomeryArithmetic.modAdd(a.l, b.l, q)) }
    @inlinable @inline(__always)
    public static func - (a: Fr, b: Fr) -> Fr { Fr(mont: MontgomeryArithmetic.modSub(a.l, b.l, q)) }
    @inlinable @inline(__always)
    public static func * (a: Fr, b: Fr) -> Fr { Fr(mont: MontgomeryArithmetic.montMul(a.l, b.l, q, qInvNeg)) }
    @inlinable @inline(__always)
    public static prefix func - (a: Fr) -> Fr { Fr(mont: MontgomeryArithmetic.modNeg(a.l, q)) }
    @inlinable @inline(__always)
    public func squared() -> Fr { Fr(mont: MontgomeryArithmetic.montMul(l, l, Fr.q, Fr.qInvNeg)) }
    @inlinable @inline(__always)
    public func doubled() -> Fr { Fr(mont: MontgomeryArithmetic.modDouble(l, Fr.q)) }
    @inlinable @inline(__always)
    public func halved() -> Fr { Fr(mont: MontgomeryArithmetic.modHalve(l, Fr.q)) }

    /// self^e for an exponent given as an integer.
    public func power(_ e: UInt256) -> Fr {
        var result = Fr.one
        let n = e.bitWidth
        var i = n - 1
        while i >= 0 {
            result = result.squared()
            if e.bit(i) { result = result * self }
            i -= 1
        }
        return result
    }

    /// Inverse by Fermat (r - 2); zero maps to zero.
    public func inverse() -> Fr {
        power(UInt256(0x43e1_f593_efff_ffff, 0x2833_e848_79b9_7091, 0xb850_45b6_8181_585d, 0x3064_4e72_e131_a029))
    }

    public var description: String { value.decimalString }
}

extension Fr {
    /// The two-adicity of r - 1: Fr has roots of unity of order 2^28.
    public static let twoAdicity = 28

    /// A primitive 2^k-th root of unity, derived from the multiplicative generator 5.
    public static func rootOfUnity(log2Order k: Int) -> Fr {
        precondition(k >= 0 && k <= twoAdicity, "Fr has no root of unity of order 2^\(k)")
        // (r - 1) / 2^28
        let t = UInt256(0x9b97_0914_3e1f_593f, 0x1815_85d2_833e_8487, 0x131a_029b_8504_5b68, 0x0000_0003_0644_e72e)
        var w = Fr(5).power(t)
        for _ in k..<twoAdicity { w = w.squared() }
        return w
    }

    /// Interprets 32 big-endian bytes as an integer and reduces it modulo r.
    public init(reducingBigEndian bytes: [UInt8]) {
        self.init(reducing: UInt256(bigEndian: bytes))
    }
}
