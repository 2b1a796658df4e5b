/// Precomputed multiples of a fixed G1 point for fast scalar multiplication: for each 4-bit
/// window w (64 of them) the affine points j·16^w·P, j = 1…15. A 254-bit multiplication is then
/// at most 64 mixed additions and no doublings.
struct FixedBaseTable: Sendable {
    static let windowBits = 4
    static let windows = 64
    /// Above this many IC points a key falls back to plain scalar multiplication (each table is
    /// 60 KiB).
    static let maxTablesPerKey = 257

    let entries: [G1Affine]  // windows × 15

    init(_ base: G1Affine) {
        var points = [G1Projective]()
        points.reserveCapacity(Self.windows * 15)
        var b = G1Projective(base)
        for _ in 0..<Self.windows {
            var m = b
            for _ in 1...15 {
                points.append(m)
                m = m + b
            }
            b = m  // 16·b
        }
        entries = G1Projective.batchAffineCoordinates(points).map { c in
            guard let c else { return .infinity }
            return G1Affine(x: c.x, y: c.y)
        }
    }

    func accumulate(_ k: UInt256, into start: G1Projective) -> G1Projective {
        var acc = start
        let limbs = [k.l0, k.l1, k.l2, k.l3]
        for w in 0..<Self.windows {
            let digit = Int((limbs[w >> 4] >> UInt64((w & 15) * 4)) & 15)
            if digit != 0 { acc = acc.adding(entries[w * 15 + digit - 1]) }
        }
        return acc
    }
}
