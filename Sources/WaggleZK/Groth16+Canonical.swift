import WaggleCore

// Waggle's canonical binary encoding of Groth16 keys and proofs (Docs/PROTOCOL.md, "Groth16
// verifying keys, proofs and circuit ids"): the EIP-197 byte layout for points, inside the
// project's canonical encoding.
//
//   g1            = x(32) ‖ y(32)                      big-endian integers < p
//   g2            = x.c1(32) ‖ x.c0(32) ‖ y.c1(32) ‖ y.c0(32)   imaginary part first (EIP-197)
//   fr            = 32 bytes, big-endian integer < r
//   verifying key = 0x01 (Groth16 over BN254) ‖ alpha g1 ‖ beta g2 ‖ gamma g2 ‖ delta g2
//                   ‖ u32 len(IC) ‖ IC_0 g1 ‖ … ‖ IC_n g1
//   proof         = A g1 ‖ B g2 ‖ C g1                   (256 bytes)
//   circuit id    = SHA-256(0x15 ‖ verifying key)
//
// Points at infinity have no encoding (a valid key or proof never holds one). e(alpha, beta) is
// not part of the key.

extension Groth16VerifyingKey: CanonicalEncodable {
    /// The one-byte tag that starts a verifying key's encoding: Groth16 over BN254.
    public static let canonicalTag: UInt8 = 0x01

    public func encode(to e: inout CanonicalEncoder) {
        e.u8(Self.canonicalTag)
        e.fixed(EIP197.encodeG1(alpha))
        e.fixed(EIP197.encodeG2(beta))
        e.fixed(EIP197.encodeG2(gamma))
        e.fixed(EIP197.encodeG2(delta))
        e.u32(UInt32(ic.count))
        for p in ic { e.fixed(EIP197.encodeG1(p)) }
    }

    /// The number of public inputs of a canonical key, read from its header (`len(IC) − 1`) without
    /// decoding or checking a point: for a key already validated, before the expensive work.
    /// nil if the bytes are too short to hold the header or declare no IC point.
    public static func publicInputCount(canonicalBytes bytes: [UInt8]) -> Int? {
        let at = 1 + 64 + 3 * 128
        guard bytes.count >= at + 4 else { return nil }
        let n = bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
        return n >= 1 ? n - 1 : nil
    }

    /// The circuit id: SHA-256(0x15 ‖ canonical encoding), the key's identity on chain
    /// (../shared/DESIGN.md, "Circuits"). Anyone computes it offline from a snarkjs
    /// verification_key.json: `try SnarkJS.parseVerifyingKey(data).circuitID`.
    public var circuitID: Hash256 { HashDomain.hash(HashDomain.circuit, canonicalBytes) }

    /// Decodes and validates a canonical verifying key (every coordinate < p, points on their
    /// curves and not infinity, G2 points in the subgroup, 1 ≤ len(IC) ≤ maxPublicInputs + 1),
    /// rejecting trailing bytes. Like `init(alpha:…)` it accepts forgeable keys; the chain calls
    /// `requireSecretDelta()` after decoding.
    public init(canonicalBytes bytes: [UInt8], maxPublicInputs: Int) throws {
        var d = CanonicalDecoder(bytes)
        let tag = try d.u8()
        guard tag == Self.canonicalTag else { throw CodecError(.unknownTag, "verifying key tag \(tag) is not 0x01 (Groth16 over BN254)") }
        let alpha = try Self.g1(&d, "vk_alpha_1")
        let beta = try Self.g2(&d, "vk_beta_2")
        let gamma = try Self.g2(&d, "vk_gamma_2")
        let delta = try Self.g2(&d, "vk_delta_2")
        let n = Int(try d.u32())
        guard n >= 1, n - 1 <= maxPublicInputs else {
            throw CodecError(.lengthOverLimit, "IC has \(n) points; a key has 1 to \(maxPublicInputs + 1)")
        }
        var ic = [G1Affine]()
        ic.reserveCapacity(min(n, 1024))
        for i in 0..<n { ic.append(try Self.g1(&d, "IC[\(i)]")) }
        try d.finish()
        self = try Groth16VerifyingKey(alpha: alpha, beta: beta, gamma: gamma, delta: delta, ic: ic)
    }

    static func g1(_ d: inout CanonicalDecoder, _ field: String) throws -> G1Affine {
        let raw = try d.fixed(64)
        do {
            let p = try EIP197.decodeG1(raw, at: 0)
            if p.isInfinity { throw Groth16Error.notAffine(field: field) }
            return p
        } catch let e as EIP197Error {
            throw Groth16Proof.groth16Error(e, field)
        }
    }

    static func g2(_ d: inout CanonicalDecoder, _ field: String) throws -> G2Affine {
        let raw = try d.fixed(128)
        do {
            let q = try EIP197.decodeG2(raw, at: 0)
            if q.isInfinity { throw Groth16Error.notAffine(field: field) }
            return q
        } catch let e as EIP197Error {
            throw Groth16Proof.groth16Error(e, field)
        }
    }
}

extension Groth16Proof: CanonicalCodable {
    public func encode(to e: inout CanonicalEncoder) {
        e.fixed(EIP197.encodeG1(a))
        e.fixed(EIP197.encodeG2(b))
        e.fixed(EIP197.encodeG1(c))
    }

    /// Decodes 256 bytes and validates them as `init(a:b:c:)` does: `g1` and `g2` refuse
    /// infinity and points off their curves, and `g2` points outside G2, field by field in order,
    /// so the points are not checked a second time (the G2 subgroup check is the costly part of
    /// reading a proof).
    public init(from d: inout CanonicalDecoder) throws {
        let a = try Groth16VerifyingKey.g1(&d, "pi_a")
        let b = try Groth16VerifyingKey.g2(&d, "pi_b")
        let c = try Groth16VerifyingKey.g1(&d, "pi_c")
        self = Groth16Proof(trusted: a, b, c)
    }

    static func groth16Error(_ e: EIP197Error, _ field: String) -> Groth16Error {
        switch e {
        case .coordinateNotInField: .coordinateNotInField(field: field)
        case .pointNotOnCurve: .pointNotOnCurve(field: field)
        case .pointNotInSubgroup: .pointNotInSubgroup(field: field)
        case .invalidInputLength: .malformed("\(field): wrong length")
        }
    }
}
