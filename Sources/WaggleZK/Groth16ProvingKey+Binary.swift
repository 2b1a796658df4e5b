import WaggleCore

// The proving key as one binary file (`proving_key` written by `waggle ml setup`), in the
// project's canonical encoding with EIP-197 point layouts (see Groth16+Canonical.swift):
//
//   proving key = "WGPK" ‖ u8 version (1) ‖ verifying key (canonical)
//                 ‖ u64 constraints ‖ u64 public inputs ‖ u64 witnesses ‖ u64 domain size
//                 ‖ alpha g1 ‖ beta g1 ‖ beta g2 ‖ delta g1 ‖ delta g2
//                 ‖ u32 n ‖ A[n] g1 ‖ u32 n ‖ B1[n] g1 ‖ u32 n ‖ B2[n] g2
//                 ‖ u32 n ‖ H[n] g1 ‖ u32 n ‖ L[n] g1
//
// Query points may be the point at infinity (a variable absent from A or B), encoded all-zero as
// EIP-197 does. Decoding checks every coordinate < p and every point on its curve, and the
// query lengths against the shape; it does not check G2 subgroup membership of the queries (a
// damaged key can only make the owner's own proofs fail to verify).
extension Groth16ProvingKey {
    static let binaryMagic: [UInt8] = Array("WGPK".utf8)
    static let binaryVersion: UInt8 = 1

    /// The binary encoding above.
    public var binaryBytes: [UInt8] {
        var e = CanonicalEncoder(capacity: 64 * (aQuery.count + bG1Query.count + hQuery.count + lQuery.count) + 128 * bG2Query.count + 4096)
        e.fixed(Self.binaryMagic)
        e.u8(Self.binaryVersion)
        verifyingKey.encode(to: &e)
        e.u64(UInt64(constraintCount)); e.u64(UInt64(publicInputCount)); e.u64(UInt64(witnessCount)); e.u64(UInt64(domainSize))
        e.fixed(EIP197.encodeG1(alphaG1)); e.fixed(EIP197.encodeG1(betaG1)); e.fixed(EIP197.encodeG2(betaG2))
        e.fixed(EIP197.encodeG1(deltaG1)); e.fixed(EIP197.encodeG2(deltaG2))
        for q in [aQuery, bG1Query] {
            e.u32(UInt32(q.count))
            for p in q { e.fixed(EIP197.encodeG1(p.affine)) }
        }
        e.u32(UInt32(bG2Query.count))
        for p in bG2Query { e.fixed(EIP197.encodeG2(p.affine)) }
        for q in [hQuery, lQuery] {
            e.u32(UInt32(q.count))
            for p in q { e.fixed(EIP197.encodeG1(p.affine)) }
        }
        return e.bytes
    }

    /// Decodes `binaryBytes`, refusing a wrong magic or version, a shape whose query lengths do
    /// not match, off-curve points and trailing bytes.
    public init(binaryBytes bytes: [UInt8]) throws {
        var d = CanonicalDecoder(bytes)
        guard try d.fixed(4) == Self.binaryMagic else { throw CodecError(.unknownTag, "not a Waggle proving key (no WGPK magic)") }
        let version = try d.u8()
        guard version == Self.binaryVersion else { throw CodecError(.unknownTag, "proving key version \(version) is not 1") }
        let vk = try Groth16VerifyingKey(canonicalBytes: try Self.verifyingKeyBytes(&d), maxPublicInputs: 1 << 20)
        func count(_ what: String) throws -> Int {
            let v = try d.u64()
            guard v <= 1 << 28 else { throw CodecError(.lengthOverLimit, "\(what) \(v) is over 2^28") }
            return Int(v)
        }
        let constraints = try count("constraint count"), publics = try count("public input count")
        let witnesses = try count("witness count"), domain = try count("domain size")
        guard vk.ic.count == publics + 1, domain >= constraints + publics + 1 else {
            throw CodecError(.lengthOverLimit, "proving key shape does not match its verifying key")
        }
        func g1(_ field: String) throws -> G1Affine {
            do { return try EIP197.decodeG1(try d.fixed(64), at: 0) } catch let e as EIP197Error { throw Groth16Proof.groth16Error(e, field) }
        }
        func g2(_ field: String) throws -> G2Affine {
            let raw = try d.fixed(128)
            guard let xi = Fp(UInt256(bigEndian: raw[0..<32])), let xr = Fp(UInt256(bigEndian: raw[32..<64])),
                let yi = Fp(UInt256(bigEndian: raw[64..<96])), let yr = Fp(UInt256(bigEndian: raw[96..<128]))
            else { throw Groth16Error.coordinateNotInField(field: field) }
            let x = Fp2(xr, xi), y = Fp2(yr, yi)
            if x.isZero && y.isZero { return .infinity }
            let q = G2Affine(x: x, y: y)
            guard q.isOnCurve else { throw Groth16Error.pointNotOnCurve(field: field) }
            return q
        }
        func g1s(_ field: String, expected: Int) throws -> [G1Projective] {
            let n = Int(try d.u32())
            guard n == expected else { throw CodecError(.lengthOverLimit, "\(field) has \(n) points, expected \(expected)") }
            return try (0..<n).map { G1Projective(try g1("\(field)[\($0)]")) }
        }
        let alphaG1 = try g1("alpha_1"), betaG1 = try g1("beta_1"), betaG2 = try g2("beta_2")
        let deltaG1 = try g1("delta_1"), deltaG2 = try g2("delta_2")
        let vars = 1 + publics + witnesses
        let a = try g1s("A", expected: vars)
        let b1 = try g1s("B1", expected: vars)
        let nb2 = Int(try d.u32())
        guard nb2 == vars else { throw CodecError(.lengthOverLimit, "B2 has \(nb2) points, expected \(vars)") }
        let b2 = try (0..<nb2).map { G2Projective(try g2("B2[\($0)]")) }
        let h = try g1s("H", expected: domain - 1)
        let l = try g1s("L", expected: witnesses)
        try d.finish()
        self.init(
            verifyingKey: vk, constraintCount: constraints, publicInputCount: publics, witnessCount: witnesses,
            domainSize: domain, alphaG1: alphaG1, betaG1: betaG1, betaG2: betaG2, deltaG1: deltaG1, deltaG2: deltaG2,
            aQuery: a, bG1Query: b1, bG2Query: b2, hQuery: h, lQuery: l)
    }

    /// The verifying key's canonical bytes at the decoder's position (its IC length tells its size).
    static func verifyingKeyBytes(_ d: inout CanonicalDecoder) throws -> [UInt8] {
        let head = try d.fixed(1 + 64 + 3 * 128)
        let nBytes = try d.fixed(4)
        let n = Int(UInt32(nBytes[0]) << 24 | UInt32(nBytes[1]) << 16 | UInt32(nBytes[2]) << 8 | UInt32(nBytes[3]))
        guard n >= 1, n <= (1 << 20) + 1 else { throw CodecError(.lengthOverLimit, "IC has \(n) points") }
        return head + nBytes + (try d.fixed(64 * n))
    }
}
