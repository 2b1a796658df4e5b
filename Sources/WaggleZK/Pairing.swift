/// The optimal ate pairing on BN254: e(P, Q) = FinalExp(MillerLoop(P, Q)).
///
/// The final exponentiation's hard part is the Fuentes-Castañeda–Knapp–Rodríguez-Henríquez
/// chain used by libff and by snarkjs/ffjavascript: it raises to 2z(6z^2 + 3z + 1)·(p^4 - p^2 + 1)/r,
/// a fixed multiple of the "exact" exponent. Pairing checks (== 1) are unaffected by the multiple;
/// GT values (such as snarkjs's `vk_alphabeta_12`) only match with this same chain.
public enum Pairing {
    /// ∏ MillerLoop(P_i, Q_i), skipping pairs where either point is infinity.
    public static func multiMillerLoop(_ pairs: [(G1Affine, G2Prepared)]) -> Fp12 {
        let active = pairs.filter { !$0.0.isInfinity && !$0.1.isInfinity }
        if active.isEmpty { return .one }
        let ps = active.map { $0.0 }
        let qs = active.map { $0.1 }
        return ps.withUnsafeBufferPointer { pb in
            qs.withUnsafeBufferPointer { qb in millerLoop(pb, qb) }
        }
    }

    /// `multiMillerLoop` over contiguous parts of `pairs` computed concurrently (at most
    /// `parts`, each of at least 8 pairs), multiplied together: every step of the loop squares f
    /// and multiplies in each pair's line, so the loop over all pairs is exactly the product of
    /// the loops over the parts (each part repeats only the squarings).
    static func parallelMultiMillerLoop(_ pairs: [(G1Affine, G2Prepared)], parts: Int) -> Fp12 {
        let n = pairs.count
        let k = max(1, min(parts, n / 8))
        if k == 1 { return multiMillerLoop(pairs) }
        let size = (n + k - 1) / k
        let loops = Parallel.map(count: k) { c in multiMillerLoop(Array(pairs[min(n, c * size)..<min(n, (c + 1) * size)])) }
        return loops.reduce(Fp12.one, *)
    }

    @inline(__always)
    static func ell(_ f: inout Fp12, _ l: LineCoefficients, _ p: G1Affine) {
        f = f.mulBy034(l.c0.scaled(by: p.y), l.c1.scaled(by: p.x), l.c2)
    }

    static func millerLoop(_ ps: UnsafeBufferPointer<G1Affine>, _ qs: UnsafeBufferPointer<G2Prepared>) -> Fp12 {
        let digits = G2Prepared.ateLoopCount
        var f = Fp12.one
        var idx = 0
        let n = ps.count
        for i in stride(from: digits.count - 1, through: 1, by: -1) {
            if i != digits.count - 1 { f = f.squared() }
            for k in 0..<n { ell(&f, qs[k].lines[idx], ps[k]) }
            idx += 1
            if digits[i - 1] != 0 {
                for k in 0..<n { ell(&f, qs[k].lines[idx], ps[k]) }
                idx += 1
            }
        }
        for k in 0..<n { ell(&f, qs[k].lines[idx], ps[k]) }
        idx += 1
        for k in 0..<n { ell(&f, qs[k].lines[idx], ps[k]) }
        return f
    }

    /// f^((p^12 - 1)/r · 2z(6z^2+3z+1)) — see the type's comment.
    public static func finalExponentiation(_ f: Fp12) -> Fp12 {
        // Easy part: f^((p^6 - 1)(p^2 + 1)).
        var t = f.conjugate() * f.inverse()
        t = t.frobenius2() * t
        return hardPart(t)
    }

    /// libff's alt_bn128_final_exponentiation_last_chunk (Fuentes-Castañeda et al.).
    static func hardPart(_ elt: Fp12) -> Fp12 {
        // exp_by_neg_z(x) = (x^z)^-1; in the cyclotomic subgroup the inverse is the conjugate.
        func expByNegZ(_ x: Fp12) -> Fp12 { x.cyclotomicPowerByZ().conjugate() }
        let a = expByNegZ(elt)
        let b = a.cyclotomicSquared()
        let c = b.cyclotomicSquared()
        let d = c * b
        let e = expByNegZ(d)
        let f = e.cyclotomicSquared()
        let g = expByNegZ(f)
        let h = d.conjugate()
        let i = g.conjugate()
        let j = i * e
        let k = j * h
        let l = k * b
        let m = k * e
        let n = m * elt
        let o = l.frobenius()
        let p = o * n
        let q = k.frobenius2()
        let r = q * p
        let s = elt.conjugate()
        let tt = s * l
        let u = tt.frobenius3()
        return u * r
    }

    /// e(P, Q).
    public static func pairing(_ p: G1Affine, _ q: G2Affine) -> Fp12 {
        finalExponentiation(multiMillerLoop([(p, G2Prepared(q))]))
    }

    /// Whether ∏ e(P_i, Q_i) == 1 (one shared final exponentiation).
    public static func check(_ pairs: [(G1Affine, G2Prepared)]) -> Bool {
        finalExponentiation(multiMillerLoop(pairs)) == .one
    }
}
