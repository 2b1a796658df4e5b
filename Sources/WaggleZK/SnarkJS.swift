import Foundation
import WaggleCore

/// Reading and writing snarkjs's JSON formats (verification_key.json, proof.json, public.json).
///
/// Numbers are decimal strings. G1 points are `[x, y, "1"]`, G2 points
/// `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` (real part first, the reverse of EIP-197), and
/// `vk_alphabeta_12` is `[[[c00.c0, c00.c1], …3], [… 3]]` (Fp12 = c0 + c1·w over Fp6 over Fp2).
/// A missing z coordinate (`[x, y]`) is accepted as affine.
public enum SnarkJS {
    static let curveNames: Set<String> = ["bn128", "bn254", "altbn128", "alt_bn128"]

    // MARK: Parsing (WaggleCore's strict JSON parser: duplicate keys, trailing commas and
    // anything after the value are refused, so every reader sees the same document)

    /// Parses a verification_key.json. `vk_alphabeta_12` is ignored: e(alpha, beta) is always
    /// computed (`PreparedVerifyingKey`), never read, so a key written with another
    /// final-exponentiation convention (or none) is read the same.
    public static func parseVerifyingKey(_ data: Data) throws(Groth16Error) -> Groth16VerifyingKey {
        try parseVerifyingKey(json: try json(data, "verification key"))
    }

    /// A verification_key.json already parsed (strictly) into a JSON value, as genesis embeds it.
    public static func parseVerifyingKey(json value: JSONValue) throws(Groth16Error) -> Groth16VerifyingKey {
        guard let obj = value.objectValue else { throw .malformed("verification key is not a JSON object") }
        try checkHeader(obj)
        let alpha = try g1(obj["vk_alpha_1"], "vk_alpha_1")
        let beta = try g2(obj["vk_beta_2"], "vk_beta_2")
        let gamma = try g2(obj["vk_gamma_2"], "vk_gamma_2")
        let delta = try g2(obj["vk_delta_2"], "vk_delta_2")
        guard let icRaw = obj["IC"]?.arrayValue else { throw .malformed("IC is missing or not an array") }
        var ic = [G1Affine]()
        for (i, p) in icRaw.enumerated() { ic.append(try g1(p, "IC[\(i)]")) }
        if let n = obj["nPublic"] {
            guard let count = nonNegativeInteger(n) else { throw .malformed("nPublic is not a non-negative integer") }
            if count != ic.count - 1 {
                throw .inconsistentKey("nPublic is \(count) but IC has \(ic.count) points")
            }
        }
        return try Groth16VerifyingKey(alpha: alpha, beta: beta, gamma: gamma, delta: delta, ic: ic)
    }

    public static func parseProof(_ data: Data) throws(Groth16Error) -> Groth16Proof {
        let obj = try object(data, "proof")
        try checkHeader(obj)
        let a = try g1(obj["pi_a"], "pi_a")
        let b = try g2(obj["pi_b"], "pi_b")
        let c = try g1(obj["pi_c"], "pi_c")
        return try Groth16Proof(a: a, b: b, c: c)
    }

    /// The public signals; each must be a decimal string < r.
    public static func parsePublicInputs(_ data: Data) throws(Groth16Error) -> [Fr] {
        guard let arr = try json(data, "public inputs").arrayValue else { throw .malformed("public inputs are not a JSON array") }
        var out = [Fr]()
        for (i, v) in arr.enumerated() {
            let n = try number(v, "public[\(i)]")
            guard let f = Fr(n) else { throw .publicInputNotInField(index: i) }
            out.append(f)
        }
        return out
    }

    /// The document, parsed strictly; `.malformed("<what> is not valid JSON: <where and why>")`.
    static func json(_ data: Data, _ what: String) throws(Groth16Error) -> JSONValue {
        do { return try JSONValue.parse(Array(data)) } catch {
            let why = (error as? JSONValue.ParseError)?.reason ?? "\(error)"
            throw .malformed("\(what) is not valid JSON: \(why)")
        }
    }

    static func object(_ data: Data, _ what: String) throws(Groth16Error) -> [String: JSONValue] {
        guard let obj = try json(data, what).objectValue else { throw .malformed("\(what) is not a JSON object") }
        return obj
    }

    static func checkHeader(_ obj: [String: JSONValue]) throws(Groth16Error) {
        if let p = obj["protocol"] {
            guard let s = p.stringValue, s.lowercased() == "groth16" else {
                throw .unsupportedProtocol(p.stringValue ?? p.text)
            }
        }
        if let c = obj["curve"] {
            guard let s = c.stringValue, curveNames.contains(s.lowercased()) else {
                throw .unsupportedCurve(c.stringValue ?? c.text)
            }
        }
    }

    /// A JSON integer (not a boolean, not a fraction or exponent) or a canonical decimal string,
    /// at most 2^31 − 1.
    static func nonNegativeInteger(_ v: JSONValue) -> Int? {
        switch v {
        case .string(let s):
            guard s.utf8.count <= 10, s.utf8.count == 1 || s.utf8.first != UInt8(ascii: "0"),
                s.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return nil }
            return Int(s).flatMap { $0 <= Int(Int32.max) ? $0 : nil }
        case .uint(let u):
            // The parser gives `.uint` only for an integer token (`.double` for a fraction or an
            // exponent, `.bool` for true/false, `.int` for a negative integer).
            return u <= UInt64(Int32.max) ? Int(u) : nil
        default:
            return nil
        }
    }

    /// A canonical decimal string: digits only, no leading zero (so one value has one encoding, as
    /// snarkjs writes it), below 2^256.
    static func number(_ v: JSONValue?, _ field: String) throws(Groth16Error) -> UInt256 {
        guard let s = v?.stringValue, s.utf8.count == 1 || s.utf8.first != UInt8(ascii: "0"), let n = UInt256(decimal: s) else {
            throw .invalidNumber(field: field)
        }
        return n
    }

    static func fp(_ v: JSONValue?, _ field: String) throws(Groth16Error) -> Fp {
        guard let f = Fp(try number(v, field)) else { throw .coordinateNotInField(field: field) }
        return f
    }

    static func fp2(_ v: JSONValue?, _ field: String) throws(Groth16Error) -> Fp2 {
        guard let a = v?.arrayValue, a.count == 2 else { throw .malformed("\(field) is not a pair of numbers") }
        return Fp2(try fp(a[0], field), try fp(a[1], field))
    }

    static func g1(_ v: JSONValue?, _ field: String) throws(Groth16Error) -> G1Affine {
        guard let a = v?.arrayValue, a.count == 2 || a.count == 3 else {
            throw .malformed("\(field) is missing or not a G1 point [x, y, z]")
        }
        let x = try fp(a[0], field)
        let y = try fp(a[1], field)
        if a.count == 3 {
            let z = try number(a[2], field)
            if z != UInt256(1) { throw .notAffine(field: field) }
        }
        let p = G1Affine(x: x, y: y)
        guard p.isOnCurve else { throw .pointNotOnCurve(field: field) }
        return p
    }

    static func g2(_ v: JSONValue?, _ field: String) throws(Groth16Error) -> G2Affine {
        guard let a = v?.arrayValue, a.count == 2 || a.count == 3 else {
            throw .malformed("\(field) is missing or not a G2 point [[x0, x1], [y0, y1], [z0, z1]]")
        }
        let x = try fp2(a[0], field)
        let y = try fp2(a[1], field)
        if a.count == 3 {
            guard let z = a[2].arrayValue, z.count == 2 else { throw .malformed("\(field) z is not a pair") }
            let z0 = try number(z[0], field)
            let z1 = try number(z[1], field)
            if z0 != UInt256(1) || !z1.isZero { throw .notAffine(field: field) }
        }
        let q = G2Affine(x: x, y: y)
        guard q.isOnCurve else { throw .pointNotOnCurve(field: field) }
        return q
    }

    /// An Fp12 in `vk_alphabeta_12`'s layout. Not used when reading keys (the field is ignored);
    /// the tests use it to compare a fixture's value with the computed e(alpha, beta).
    static func fp12(_ v: JSONValue?, _ field: String) throws(Groth16Error) -> Fp12 {
        guard let a = v?.arrayValue, a.count == 2 else { throw .malformed("\(field) is not an Fp12 element") }
        var sixes = [Fp6]()
        for half in a {
            guard let h = half.arrayValue, h.count == 3 else { throw .malformed("\(field) is not an Fp12 element") }
            sixes.append(Fp6(try fp2(h[0], field), try fp2(h[1], field), try fp2(h[2], field)))
        }
        return Fp12(sixes[0], sixes[1])
    }

    // MARK: Writing (snarkjs's layout: one-space indentation, decimal strings)

    /// A verification_key.json, with `vk_alphabeta_12` = e(alpha, beta) as this module (and
    /// snarkjs) computes it, or `alphaBeta` when given.
    public static func encode(_ key: Groth16VerifyingKey, alphaBeta: Fp12? = nil) -> Data {
        var fields: [(String, OrderedJSON)] = [
            ("protocol", .string("groth16")),
            ("curve", .string("bn128")),
            ("nPublic", .number(key.publicInputCount)),
            ("vk_alpha_1", g1Value(key.alpha)),
            ("vk_beta_2", g2Value(key.beta)),
            ("vk_gamma_2", g2Value(key.gamma)),
            ("vk_delta_2", g2Value(key.delta)),
        ]
        let ab = alphaBeta ?? Pairing.pairing(key.alpha, key.beta)
        fields.append(("vk_alphabeta_12", .array([ab.c0, ab.c1].map { s in .array([s.c0, s.c1, s.c2].map(fp2Value)) })))
        fields.append(("IC", .array(key.ic.map(g1Value))))
        return Data(OrderedJSON.object(fields).rendered().utf8)
    }

    public static func encode(_ proof: Groth16Proof) -> Data {
        let v = OrderedJSON.object([
            ("pi_a", g1Value(proof.a)), ("pi_b", g2Value(proof.b)), ("pi_c", g1Value(proof.c)),
            ("protocol", .string("groth16")), ("curve", .string("bn128")),
        ])
        return Data(v.rendered().utf8)
    }

    public static func encode(publicInputs: [Fr]) -> Data {
        Data(OrderedJSON.array(publicInputs.map { .string($0.value.decimalString) }).rendered().utf8)
    }

    static func fpValue(_ x: Fp) -> OrderedJSON { .string(x.value.decimalString) }
    static func fp2Value(_ x: Fp2) -> OrderedJSON { .array([fpValue(x.c0), fpValue(x.c1)]) }
    static func g1Value(_ p: G1Affine) -> OrderedJSON {
        p.isInfinity ? .array([.string("0"), .string("1"), .string("0")]) : .array([fpValue(p.x), fpValue(p.y), .string("1")])
    }
    static func g2Value(_ q: G2Affine) -> OrderedJSON {
        q.isInfinity
            ? .array([fp2Value(.zero), fp2Value(.one), fp2Value(.zero)])
            : .array([fp2Value(q.x), fp2Value(q.y), fp2Value(.one)])
    }
}
