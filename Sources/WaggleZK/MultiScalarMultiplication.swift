/// Pippenger's bucket method for Σ k_i · P_i, with the windows spread over all cores.
public enum MultiScalarMultiplication {
    /// Σ scalars[i] · bases[i]. Every base must be normalized (z = 1) or the identity.
    public static func compute<P: JacobianPoint>(bases: [P], scalars: [UInt256], parallel: Bool = true) -> P {
        precondition(bases.count == scalars.count, "MSM needs one scalar per base")
        let n = bases.count
        if n == 0 { return .identity }
        if n < 8 {
            var acc = P.identity
            for i in 0..<n { acc = acc + bases[i].multiplied(by: scalars[i]) }
            return acc
        }
        let maxBits = scalars.reduce(0) { max($0, $1.bitWidth) }
        if maxBits == 0 { return .identity }
        let c = windowBits(n)
        // Signed digits in [-2^(c-1), 2^(c-1)) (the top one in [0, 2^(c-1)]): half as many buckets;
        // one extra bit of windows for the carry.
        let windowCount = (maxBits + 1 + c - 1) / c
        let digits = signedDigits(scalars, bits: c, windows: windowCount)
        let windowSums: [P] = Parallel.map(count: windowCount, parallel: parallel) { w in
            bases.withUnsafeBufferPointer { bp in
                digits.withUnsafeBufferPointer { dp in windowSum(bp, dp, window: w, windows: windowCount, bits: c) }
            }
        }
        var acc = P.identity
        for w in stride(from: windowCount - 1, through: 0, by: -1) {
            for _ in 0..<c { acc = acc.doubled() }
            acc = acc + windowSums[w]
        }
        return acc
    }

    static func windowBits(_ n: Int) -> Int {
        if n < 32 { return 3 }
        // ≈ ln(n) + 2, the usual choice.
        let lg = Int.bitWidth - n.leadingZeroBitCount
        return max(4, min(16, lg * 69 / 100 + 2))
    }

    /// Scalar i's digits, window-major per scalar: digits[i * windows + w] in [-2^(c-1), 2^(c-1)),
    /// the top window in [0, 2^(c-1)]; Σ digit·2^(c·w) equals the scalar.
    static func signedDigits(_ scalars: [UInt256], bits c: Int, windows: Int) -> [Int32] {
        let half = 1 << (c - 1)
        let full = 1 << c
        let mask = UInt64(full - 1)
        var out = [Int32](repeating: 0, count: scalars.count * windows)
        for (i, k) in scalars.enumerated() {
            let limbs = [k.l0, k.l1, k.l2, k.l3]
            var carry = 0
            for w in 0..<windows {
                let offset = w * c
                let limb = offset >> 6
                let shift = offset & 63
                var raw: UInt64 = 0
                if limb < 4 {
                    raw = limbs[limb] >> UInt64(shift)
                    if shift + c > 64 && limb + 1 < 4 { raw |= limbs[limb + 1] << UInt64(64 - shift) }
                }
                var d = Int(raw & mask) + carry
                // The top window keeps its digit unsigned (at most 2^(c-1), which still has a bucket).
                if d >= half && w < windows - 1 {
                    d -= full
                    carry = 1
                } else {
                    carry = 0
                }
                out[i * windows + w] = Int32(d)
            }
        }
        return out
    }

    static func windowSum<P: JacobianPoint>(
        _ bases: UnsafeBufferPointer<P>, _ digits: UnsafeBufferPointer<Int32>, window w: Int, windows: Int, bits c: Int
    ) -> P {
        var buckets = [P](repeating: .identity, count: 1 << (c - 1))
        for i in 0..<bases.count {
            let d = Int(digits[i * windows + w])
            if d == 0 { continue }
            let b = bases[i]
            if b.isIdentity { continue }
            if d > 0 {
                buckets[d - 1] = buckets[d - 1].addingAffine(x: b.x, y: b.y)
            } else {
                buckets[-d - 1] = buckets[-d - 1].addingAffine(x: b.x, y: -b.y)
            }
        }
        var running = P.identity
        var sum = P.identity
        for j in stride(from: buckets.count - 1, through: 0, by: -1) {
            running = running + buckets[j]
            sum = sum + running
        }
        return sum
    }
}
