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
        let windowCount = (maxBits + c - 1) / c
        let limbs: [UInt64] = scalars.flatMap { [$0.l0, $0.l1, $0.l2, $0.l3] }
        let windowSums: [P] = Parallel.map(count: windowCount, parallel: parallel) { w in
            bases.withUnsafeBufferPointer { bp in
                limbs.withUnsafeBufferPointer { lp in windowSum(bp, lp, window: w, bits: c) }
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

    @inline(__always)
    static func digit(_ limbs: UnsafeBufferPointer<UInt64>, _ i: Int, _ bitOffset: Int, _ c: Int) -> Int {
        let limb = bitOffset >> 6
        let shift = bitOffset & 63
        if limb >= 4 { return 0 }
        var v = limbs[i * 4 + limb] >> UInt64(shift)
        if shift + c > 64 && limb + 1 < 4 { v |= limbs[i * 4 + limb + 1] << UInt64(64 - shift) }
        return Int(v & ((1 << UInt64(c)) - 1))
    }

    static func windowSum<P: JacobianPoint>(
        _ bases: UnsafeBufferPointer<P>, _ limbs: UnsafeBufferPointer<UInt64>, window w: Int, bits c: Int
    ) -> P {
        var buckets = [P](repeating: .identity, count: (1 << c) - 1)
        let offset = w * c
        for i in 0..<bases.count {
            let d = digit(limbs, i, offset, c)
            if d == 0 { continue }
            let b = bases[i]
            if b.isIdentity { continue }
            buckets[d - 1] = buckets[d - 1].addingAffine(x: b.x, y: b.y)
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
