/// The Ethereum alt_bn128 precompiles (0x06 add, 0x07 scalar mul, 0x08 pairing) on byte strings.
///
/// Encoding: every field element and scalar is 32 bytes big-endian; G1 = x ‖ y; G2 =
/// x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0 (imaginary part FIRST); all-zero encodes the point at infinity.
public enum EIP197 {
    /// 0x06: input right-padded with zeros to 128 bytes, extra bytes ignored; 64-byte output.
    public static func add(_ input: [UInt8]) throws(EIP197Error) -> [UInt8] {
        let data = padded(input, to: 128)
        let a = try decodeG1(data, at: 0)
        let b = try decodeG1(data, at: 64)
        return encodeG1((G1Projective(a) + G1Projective(b)).affine)
    }

    /// 0x07: x ‖ y ‖ s, right-padded to 96 bytes; s is a full 256-bit scalar.
    public static func scalarMul(_ input: [UInt8]) throws(EIP197Error) -> [UInt8] {
        let data = padded(input, to: 96)
        let a = try decodeG1(data, at: 0)
        let s = UInt256(bigEndian: data[64..<96])
        return encodeG1(G1Projective(a).multiplied(by: s).affine)
    }

    /// 0x08: k × (G1 ‖ G2); returns 32 bytes ending in 1 when ∏ e(P_i, Q_i) == 1, else 0.
    public static func pairing(_ input: [UInt8]) throws(EIP197Error) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        if try pairingCheck(input) { out[31] = 1 }
        return out
    }

    /// The pairing precompile's answer as a Bool.
    public static func pairingCheck(_ input: [UInt8]) throws(EIP197Error) -> Bool {
        guard input.count % 192 == 0 else { throw .invalidInputLength(input.count) }
        var pairs = [(G1Affine, G2Prepared)]()
        var offset = 0
        while offset < input.count {
            let p = try decodeG1(input, at: offset)
            let q = try decodeG2(input, at: offset + 64)
            pairs.append((p, G2Prepared(q)))
            offset += 192
        }
        return Pairing.check(pairs)
    }

    static func padded(_ input: [UInt8], to n: Int) -> [UInt8] {
        if input.count >= n { return Array(input[0..<n]) }
        return input + [UInt8](repeating: 0, count: n - input.count)
    }

    static func decodeFp(_ data: [UInt8], at offset: Int) throws(EIP197Error) -> Fp {
        guard let v = Fp(UInt256(bigEndian: data[offset..<(offset + 32)])) else { throw .coordinateNotInField }
        return v
    }

    /// A G1 point (64 bytes at `offset`), checked to be on the curve.
    public static func decodeG1(_ data: [UInt8], at offset: Int) throws(EIP197Error) -> G1Affine {
        let x = try decodeFp(data, at: offset)
        let y = try decodeFp(data, at: offset + 32)
        if x.isZero && y.isZero { return .infinity }
        let p = G1Affine(x: x, y: y)
        guard p.isOnCurve else { throw .pointNotOnCurve }
        return p
    }

    /// A G2 point (128 bytes at `offset`, imaginary parts first), checked on the twist and in G2.
    public static func decodeG2(_ data: [UInt8], at offset: Int) throws(EIP197Error) -> G2Affine {
        let xi = try decodeFp(data, at: offset)
        let xr = try decodeFp(data, at: offset + 32)
        let yi = try decodeFp(data, at: offset + 64)
        let yr = try decodeFp(data, at: offset + 96)
        let x = Fp2(xr, xi), y = Fp2(yr, yi)
        if x.isZero && y.isZero { return .infinity }
        let q = G2Affine(x: x, y: y)
        guard q.isOnCurve else { throw .pointNotOnCurve }
        guard q.isInSubgroup else { throw .pointNotInSubgroup }
        return q
    }

    public static func encodeG1(_ p: G1Affine) -> [UInt8] {
        if p.isInfinity { return [UInt8](repeating: 0, count: 64) }
        return p.x.value.bigEndianBytes + p.y.value.bigEndianBytes
    }

    public static func encodeG2(_ q: G2Affine) -> [UInt8] {
        if q.isInfinity { return [UInt8](repeating: 0, count: 128) }
        return q.x.c1.value.bigEndianBytes + q.x.c0.value.bigEndianBytes
            + q.y.c1.value.bigEndianBytes + q.y.c0.value.bigEndianBytes
    }
}
