import Foundation

/// The logic behind `waggle zk verify --vk FILE --proof FILE --public FILE [--json]`.
///
/// Exit 2: a file cannot be read, is not JSON, has the wrong shape or a non-decimal / too large
/// number, is not affine, names another curve or protocol, or the verification key itself is
/// rejected (bad point, nPublic/IC mismatch, wrong vk_alphabeta_12).
/// Exit 1: the inputs are well formed but the statement is rejected: a proof coordinate >= p, a
/// proof point off its curve or B outside G2, a public input >= r, the wrong number of public
/// inputs, or a failing pairing equation.
public enum ZKVerifyCLI {
    public static func run(vkPath: String, proofPath: String, publicPath: String, json: Bool) -> ZKVerifyOutcome {
        func finish(_ code: Int32, _ message: String) -> ZKVerifyOutcome {
            if json {
                let status = code == 0 ? "valid" : code == 1 ? "invalid" : "error"
                let escaped = jsonEscaped(message)
                return ZKVerifyOutcome(
                    exitCode: code, line: "{\"valid\":\(code == 0),\"status\":\"\(status)\",\"reason\":\"\(escaped)\"}")
            }
            return ZKVerifyOutcome(exitCode: code, line: code == 0 ? "valid: \(message)" : code == 1 ? "invalid: \(message)" : "error: \(message)")
        }
        func read(_ path: String, _ what: String) -> Data? { FileManager.default.contents(atPath: path) }

        guard let vkData = read(vkPath, "verification key") else { return finish(2, "cannot read verification key \(vkPath)") }
        guard let proofData = read(proofPath, "proof") else { return finish(2, "cannot read proof \(proofPath)") }
        guard let publicData = read(publicPath, "public inputs") else { return finish(2, "cannot read public inputs \(publicPath)") }

        let key: PreparedVerifyingKey
        do { key = try PreparedVerifyingKey(snarkjsJSON: vkData) } catch {
            return finish(2, "verification key: \(error)")
        }
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

    static func isEncodingError(_ e: Groth16Error) -> Bool {
        switch e {
        case .malformed, .unsupportedProtocol, .unsupportedCurve, .invalidNumber, .notAffine, .inconsistentKey:
            return true
        case .coordinateNotInField, .pointNotOnCurve, .pointNotInSubgroup, .publicInputNotInField,
            .wrongNumberOfPublicInputs, .alphaBetaMismatch:
            return false
        }
    }

    /// `s` as the inside of a JSON string: quotes, backslashes and every control character escaped.
    static func jsonEscaped(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
