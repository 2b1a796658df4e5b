import WaggleZK

/// Fixed-point numbers (../shared/DESIGN.md, "Verifiable ML statements"): a real v is the integer
/// q = round(v · 2^scale), rounding half away from zero, and the field element q mod r. Every
/// value a circuit handles is range-checked to `valueBits` signed bits, q ∈ [−2^(B−1), 2^(B−1)).
///
/// Quantization error: |v − q / 2^f| ≤ 2^−(f+1) (≈ 7.6·10⁻⁶ at the default f = 16). A product
/// rescaled by 2^f rounds half up (floor((p + 2^(f−1)) / 2^f)), adding at most 2^−(f+1) per
/// rescale. Real values are parsed with Swift's correctly rounded decimal-to-double conversion and
/// scaled by an exact power of two, so the same text gives the same integer on every platform.
public struct FixedPoint: Sendable, Hashable {
    /// f: values are multiplied by 2^f.
    public let scale: Int
    /// B: every value is a signed B-bit integer.
    public let valueBits: Int

    public static let defaultScale = 16
    public static let defaultValueBits = 32

    public init(scale: Int = FixedPoint.defaultScale, valueBits: Int = FixedPoint.defaultValueBits) throws(MLError) {
        guard (1...24).contains(scale) else { throw .outOfRange("scale \(scale) is not in 1...24") }
        guard valueBits > scale + 1, valueBits <= 40 else {
            throw .outOfRange("value width \(valueBits) bits must exceed the scale + 1 and be at most 40")
        }
        self.scale = scale
        self.valueBits = valueBits
    }

    /// 2^f.
    public var one: Int64 { Int64(1) << Int64(scale) }
    /// The largest quantized value, 2^(B−1) − 1.
    public var maxValue: Int64 { (Int64(1) << Int64(valueBits - 1)) - 1 }
    /// The smallest, −2^(B−1).
    public var minValue: Int64 { -(Int64(1) << Int64(valueBits - 1)) }

    /// round(v · 2^f), half away from zero; `what` names the value in the error.
    public func quantize(_ v: Double, _ what: String) throws(MLError) -> Int64 {
        guard v.isFinite else { throw .outOfRange("\(what) is \(v)") }
        let scaled = (v * Double(one)).rounded(.toNearestOrAwayFromZero)
        guard scaled >= Double(minValue), scaled <= Double(maxValue) else {
            throw .outOfRange("\(what) = \(v) is outside ±\(Double(maxValue) / Double(one)) (scale \(scale), \(valueBits) bits)")
        }
        return Int64(scaled)
    }

    /// q / 2^f as a real number (for display only).
    public func real(_ q: Int64) -> Double { Double(q) / Double(one) }

    /// Throws unless q is a signed B-bit value.
    public func check(_ q: Int64, _ what: String) throws(MLError) {
        guard q >= minValue, q <= maxValue else { throw .outOfRange("\(what) = \(q) needs more than \(valueBits) signed bits") }
    }

    /// Rescales a product p (at scale 2f) to scale f: floor((p + 2^(f−1)) / 2^f), as the circuit's
    /// rescale gadget does.
    /// (Written as ⌊p / 2^f⌋ + ⌊(p mod 2^f + 2^(f−1)) / 2^f⌋, which cannot overflow.)
    public func rescale(_ p: Int64) -> Int64 {
        (p >> Int64(scale)) + (((p & (one - 1)) + (one >> 1)) >> Int64(scale))
    }
}

extension Fr {
    /// The field element q mod r of a signed integer.
    public init(signed q: Int64) {
        self = q >= 0 ? Fr(UInt64(q)) : -Fr(q.magnitude)
    }

    /// The signed integer q with |q| < 2^63 that this element represents (q mod r), or nil when
    /// neither it nor its negation is below 2^63.
    public var signedValue: Int64? {
        let v = value
        if v.l1 == 0, v.l2 == 0, v.l3 == 0, v.l0 < (1 << 63) { return Int64(v.l0) }
        let n = (-self).value
        if n.l1 == 0, n.l2 == 0, n.l3 == 0, n.l0 <= (1 << 63) { return n.l0 == (1 << 63) ? Int64.min : -Int64(n.l0) }
        return nil
    }
}
