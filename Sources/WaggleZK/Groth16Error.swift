/// Why a Groth16 key, proof or public-input list was rejected before any pairing was computed,
/// or why a key could not be prepared. `field` names the JSON field (e.g. "pi_b", "IC[2]").
public enum Groth16Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not JSON, or a required field is missing or has the wrong shape.
    case malformed(String)
    /// `protocol` is present and is not "groth16".
    case unsupportedProtocol(String)
    /// `curve` is present and is not bn128 / bn254 / altbn128 (any case).
    case unsupportedCurve(String)
    /// A number is not a decimal string below 2^256.
    case invalidNumber(field: String)
    /// A coordinate is >= p.
    case coordinateNotInField(field: String)
    /// A projective coordinate z is not 1 (G1: "1"; G2: ["1", "0"]); infinity cannot be encoded.
    case notAffine(field: String)
    /// A point is not on its curve (G1: y² = x³ + 3; G2: the twist).
    case pointNotOnCurve(field: String)
    /// A G2 point (proof B or a key point) is not in the order-r subgroup.
    case pointNotInSubgroup(field: String)
    /// Public input `index` is >= r.
    case publicInputNotInField(index: Int)
    /// The number of public inputs differs from the key's (len(IC) - 1).
    case wrongNumberOfPublicInputs(expected: Int, actual: Int)
    /// The key's `nPublic` disagrees with len(IC) - 1.
    case inconsistentKey(String)
    /// The key is forgeable (δ = ±γ or ±the G2 generator): its setup had no secret δ
    /// contribution. Thrown by `Groth16VerifyingKey.requireSecretDelta()` only.
    case forgeableKey(Groth16ForgeableKeyReason)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed input: \(why)"
        case .unsupportedProtocol(let p): return "unsupported protocol \"\(p)\" (expected groth16)"
        case .unsupportedCurve(let c): return "unsupported curve \"\(c)\" (expected bn128/bn254/altbn128)"
        case .invalidNumber(let f): return "\(f): not a decimal number below 2^256"
        case .coordinateNotInField(let f): return "\(f): coordinate is not below the field modulus p"
        case .notAffine(let f): return "\(f): point is not in affine form (z must be 1)"
        case .pointNotOnCurve(let f): return "\(f): point is not on the curve"
        case .pointNotInSubgroup(let f): return "\(f): G2 point is not in the order-r subgroup"
        case .publicInputNotInField(let i): return "public input \(i) is not below the scalar field modulus r"
        case .wrongNumberOfPublicInputs(let e, let a): return "expected \(e) public inputs, got \(a)"
        case .inconsistentKey(let why): return "inconsistent verification key: \(why)"
        case .forgeableKey(let why):
            return "forgeable verification key: \(why), so the key's setup had no secret δ contribution"
                + " and anyone can forge a proof for any public input"
        }
    }
}
