import Foundation
import WaggleCore

/// The logic behind `waggle zk verify --vk FILE --proof FILE --public FILE [--json]`.
///
/// Exit 2: a file cannot be read, is not (strict) JSON, has the wrong shape or a non-decimal / too
/// large number, is not affine, names another curve or protocol, or the verification key itself is
/// rejected (bad point, nPublic/IC mismatch).
/// Exit 1: the inputs are well formed but the statement is rejected: a proof coordinate >= p, a
/// proof point off its curve or B outside G2, a public input >= r, the wrong number of public
/// inputs, or a failing pairing equation.
///
/// A forgeable key (δ = ±γ or ±the G2 generator, `Groth16VerifyingKey.forgeabilityReason`) keeps
/// the mathematical verdict and exit code, with a warning: `ZKVerifyOutcome.warning` (printed on
/// standard error) and, with --json, the fields `"forgeable_key": true` and `"warning"`. Once the
/// key has been read, the JSON object always has `forgeable_key`.
public enum ZKVerifyCLI {
    public static func run(vkPath: String, proofPath: String, publicPath: String, json: Bool) -> ZKVerifyOutcome {
        var keyWasRead = false
        var forgeable: Groth16ForgeableKeyReason? = nil
        func finish(_ code: Int32, _ message: String) -> ZKVerifyOutcome {
            let warning = forgeable.map { Self.forgeableWarning($0) }
            if json {
                let status = code == 0 ? "valid" : code == 1 ? "invalid" : "error"
                var obj: [String: JSONValue] = [
                    "valid": .bool(code == 0), "status": .string(status), "reason": .string(message),
                ]
                if keyWasRead { obj["forgeable_key"] = .bool(forgeable != nil) }
                if let warning { obj["warning"] = .string(warning) }
                return ZKVerifyOutcome(exitCode: code, line: JSONValue.object(obj).text, warning: nil)
            }
            let line = code == 0 ? "valid: \(message)" : code == 1 ? "invalid: \(message)" : "error: \(message)"
            return ZKVerifyOutcome(exitCode: code, line: line, warning: warning.map { "warning: \($0)" })
        }
        func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

        guard let vkData = read(vkPath) else { return finish(2, "cannot read verification key \(vkPath)") }
        guard let proofData = read(proofPath) else { return finish(2, "cannot read proof \(proofPath)") }
        guard let publicData = read(publicPath) else { return finish(2, "cannot read public inputs \(publicPath)") }

        let key: PreparedVerifyingKey
        do { key = try PreparedVerifyingKey(snarkjsJSON: vkData) } catch {
            return finish(2, "verification key: \(error)")
        }
        keyWasRead = true
        forgeable = key.key.forgeabilityReason
        let proof: Groth16Proof
        let inputs: [Fr]
        do {
            proof = try SnarkJS.parseProof(proofData)
            inputs = try SnarkJS.parsePublicInputs(publicData)
            if try key.verify(proof, publicInputs: inputs) {
                return finish(0, "Groth16 proof verifies with \(inputs.count) public input\(inputs.count == 1 ? "" : "s")")
            }
            return finish(1, "pairing check failed (the proof does not match the key and public inputs)")
        } catch {
            return finish(isEncodingError(error) ? 2 : 1, "\(error)")
        }
    }

    /// The warning for a forgeable key, e.g. "the verification key is forgeable (δ = γ): its setup
    /// had no secret δ contribution, so anyone can make a proof that verifies for any public input".
    static func forgeableWarning(_ reason: Groth16ForgeableKeyReason) -> String {
        "the verification key is forgeable (\(reason)): its setup had no secret δ contribution, "
            + "so anyone can make a proof that verifies for any public input"
    }

    static func isEncodingError(_ e: Groth16Error) -> Bool {
        switch e {
        case .malformed, .unsupportedProtocol, .unsupportedCurve, .invalidNumber, .notAffine, .inconsistentKey, .forgeableKey:
            return true
        case .coordinateNotInField, .pointNotOnCurve, .pointNotInSubgroup, .publicInputNotInField,
            .wrongNumberOfPublicInputs:
            return false
        }
    }
}
