/// Hybrid voting power: stake amplified by bounded reputation (DESIGN.md, "Voting power").
///
///     VP = floor(stake * (1 + (M - 1) * R / R_max))
///        = floor(stake * (R_max + (M - 1) * R) / R_max)
///
/// computed exactly in integers. R is clamped to [0, R_max]; M >= 1. Reputation without stake
/// gives no power, and reputation can at most multiply stake by M.
public enum VotingPower {
    public static func compute(stake: UInt64, reputation: UInt64, maxReputation: UInt64, multiplier: UInt64) -> UInt64 {
        guard maxReputation > 0, multiplier > 1, stake > 0 else { return stake }
        let r = min(reputation, maxReputation)
        // numerator = R_max + (M - 1) * R  <=  M * R_max, computed in 128 bits.
        let (extraHi, extraLo) = (multiplier - 1).multipliedFullWidth(by: r)
        let (numLo, carry) = extraLo.addingReportingOverflow(maxReputation)
        let numHi = extraHi + (carry ? 1 : 0)
        // stake * numerator / R_max, with the product in up to 192 bits: do it as 128-bit steps.
        let product = UInt128Math.multiply(stake, hi: numHi, lo: numLo)
        let quotient = UInt128Math.divide(product, by: maxReputation)
        return quotient
    }
}

/// Minimal wide arithmetic for `VotingPower`: a 192-bit product divided by a 64-bit divisor,
/// saturating to UInt64.max when the quotient does not fit.
enum UInt128Math {
    struct U192 { var w2: UInt64; var w1: UInt64; var w0: UInt64 }

    static func multiply(_ a: UInt64, hi: UInt64, lo: UInt64) -> U192 {
        let (p0h, p0l) = a.multipliedFullWidth(by: lo)
        let (p1h, p1l) = a.multipliedFullWidth(by: hi)
        let (mid, c) = p0h.addingReportingOverflow(p1l)
        return U192(w2: p1h + (c ? 1 : 0), w1: mid, w0: p0l)
    }

    static func divide(_ n: U192, by d: UInt64) -> UInt64 {
        // Long division word by word; the quotient must fit in 64 bits.
        if n.w2 >= d { return .max }
        let (q1, r1) = d.dividingFullWidth((high: n.w2, low: n.w1))
        if q1 != 0 { return .max }
        let (q0, _) = d.dividingFullWidth((high: r1, low: n.w0))
        return q0
    }
}
