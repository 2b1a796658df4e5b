/// Precomputed multiples of a fixed point for fast scalar multiplication: for each 4-bit window
/// w (64 of them) the normalized points j·16^w·P, j = 1…15. A 254-bit multiplication is then at
/// most 64 mixed additions and no doublings.
struct FixedBaseTable<P: JacobianPoint>: Sendable {
    static var windows: Int { 64 }
    /// Above this many IC points (64 public inputs) a key falls back to an MSM for vk_x, which
    /// bounds a prepared key's tables to about 4 MiB (a G1 table is 60 KiB).
    static var maxTablesPerKey: Int { 65 }

    let entries: [P]  // windows × 15, each normalized (z = 1) or the identity

    init(_ base: P) {
        var points = [P]()
        points.reserveCapacity(Self.windows * 15)
        var b = base
        for _ in 0..<Self.windows {
            var m = b
            for _ in 1...15 {
                points.append(m)
                m = m + b
            }
            b = m  // 16·b
        }
        entries = P.batchAffineCoordinates(points).map { c in
            guard let c else { return .identity }
            return P(x: c.x, y: c.y, z: .one)
        }
    }

    func accumulate(_ k: UInt256, into start: P) -> P {
        var acc = start
        let limbs = [k.l0, k.l1, k.l2, k.l3]
        for w in 0..<Self.windows {
            let digit = Int((limbs[w >> 4] >> UInt64((w & 15) * 4)) & 15)
            if digit != 0 {
                let e = entries[w * 15 + digit - 1]
                if !e.isIdentity { acc = acc.addingAffine(x: e.x, y: e.y) }
            }
        }
        return acc
    }

    func multiply(_ k: UInt256) -> P { accumulate(k, into: .identity) }

    /// [k_i]·P for many scalars, spread over all cores, normalized (z = 1 or identity).
    func multiplyMany(_ scalars: [Fr]) -> [P] {
        let chunk = 1024
        let chunks = (scalars.count + chunk - 1) / chunk
        let parts: [[P]] = Parallel.map(count: chunks) { c in
            let lo = c * chunk, hi = min(scalars.count, lo + chunk)
            let pts = (lo..<hi).map { multiply(scalars[$0].value) }
            return P.batchAffineCoordinates(pts).map { a in
                guard let a else { return .identity }
                return P(x: a.x, y: a.y, z: .one)
            }
        }
        return parts.flatMap { $0 }
    }
}
