/// The 80-bit Grain LFSR in self-shrinking mode that the Poseidon reference script
/// (generate_parameters_grain.sage) uses to derive round constants and the MDS matrix.
struct GrainLFSR {
    // State bit i (0 = oldest) is bit i of `lo` for i < 64, bit i - 64 of `hi` otherwise.
    private var lo: UInt64 = 0
    private var hi: UInt64 = 0

    /// Seeds with the parameter description: field (1 = prime, 2 bits), S-box (0 = x^α, 4 bits),
    /// field size (12), width t (12), full rounds (10), partial rounds (10), then 30 ones; the
    /// first 160 output bits are discarded.
    init(fieldSize: Int, width: Int, fullRounds: Int, partialRounds: Int) {
        var bits = [UInt8]()
        func push(_ v: Int, _ n: Int) { for i in stride(from: n - 1, through: 0, by: -1) { bits.append(UInt8((v >> i) & 1)) } }
        push(1, 2); push(0, 4); push(fieldSize, 12); push(width, 12); push(fullRounds, 10); push(partialRounds, 10)
        for _ in 0..<30 { bits.append(1) }
        for (i, b) in bits.enumerated() {
            if i < 64 { lo |= UInt64(b) << UInt64(i) } else { hi |= UInt64(b) << UInt64(i - 64) }
        }
        for _ in 0..<160 { _ = step() }
    }

    @inline(__always)
    private func bit(_ i: Int) -> UInt64 { i < 64 ? (lo >> UInt64(i)) & 1 : (hi >> UInt64(i - 64)) & 1 }

    @inline(__always)
    private mutating func step() -> UInt64 {
        let nb = bit(62) ^ bit(51) ^ bit(38) ^ bit(23) ^ bit(13) ^ bit(0)
        lo = (lo >> 1) | (hi << 63)
        hi = ((hi >> 1) & 0x7fff) | (nb << 15)
        return nb
    }

    /// One output bit: pairs (b1, b2) are drawn until b1 == 1, then b2 is output.
    mutating func nextBit() -> UInt64 {
        while true {
            let b1 = step()
            let b2 = step()
            if b1 == 1 { return b2 }
        }
    }

    /// `n` output bits read most significant first.
    mutating func nextInteger(bits n: Int) -> UInt256 {
        var w: [UInt64] = [0, 0, 0, 0]
        for i in stride(from: n - 1, through: 0, by: -1) {
            w[i >> 6] |= nextBit() << UInt64(i & 63)
        }
        return UInt256(w[0], w[1], w[2], w[3])
    }
}
