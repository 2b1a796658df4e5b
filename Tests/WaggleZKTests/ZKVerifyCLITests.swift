import Foundation
import Testing
@testable import WaggleZK

struct ZKVerifyCLITests {
    static func path(_ folder: String, _ file: String) -> String {
        Vectors.url("\(folder)/\(file)")?.path ?? "/nonexistent"
    }

    static func run(_ folder: String, publicPath: String? = nil, json: Bool = false) -> ZKVerifyOutcome {
        ZKVerifyCLI.run(
            vkPath: path(folder, "verification_key.json"), proofPath: path(folder, "proof.json"),
            publicPath: publicPath ?? path(folder, "public.json"), json: json)
    }

    static func temp(_ contents: String) throws -> String {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("waggle-zk-cli-\(UUID().uuidString).json")
        try Data(contents.utf8).write(to: u)
        return u.path
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func exitsZeroForValidProof() {
        let o = Self.run("groth16/gnark-cubic")
        #expect(o.exitCode == 0)
        #expect(o.line.hasPrefix("valid"))
        #expect(!o.line.contains("\n"))
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func exitsOneForInvalidProofOrOutOfRangeInput() throws {
        #expect(Self.run("groth16-invalid/circom-compat-bb0f542").exitCode == 1)
        let tampered = try Self.temp("[\"36\"]")
        defer { try? FileManager.default.removeItem(atPath: tampered) }
        #expect(Self.run("groth16/gnark-cubic", publicPath: tampered).exitCode == 1)
        let tooBig = try Self.temp("[\"\(Fr.modulus.decimalString)\"]")
        defer { try? FileManager.default.removeItem(atPath: tooBig) }
        let o = Self.run("groth16/gnark-cubic", publicPath: tooBig)
        #expect(o.exitCode == 1)
        #expect(o.line.contains("public input 0"))
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func exitsTwoForUnreadableOrMalformedInput() throws {
        let o = Self.run("groth16/gnark-cubic", publicPath: "/nonexistent/public.json")
        #expect(o.exitCode == 2)
        #expect(o.line.contains("cannot read"))
        let garbage = try Self.temp("not json")
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        #expect(Self.run("groth16/gnark-cubic", publicPath: garbage).exitCode == 2)
        let vkAsProof = ZKVerifyCLI.run(
            vkPath: Self.path("groth16/gnark-cubic", "verification_key.json"),
            proofPath: Self.path("groth16/gnark-cubic", "verification_key.json"),
            publicPath: Self.path("groth16/gnark-cubic", "public.json"), json: false)
        #expect(vkAsProof.exitCode == 2)
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func jsonFlagPrintsOneJSONObject() throws {
        let o = Self.run("groth16/gnark-cubic", json: true)
        #expect(o.exitCode == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(o.line.utf8)) as? [String: Any]
        #expect(obj?["valid"] as? Bool == true)
        #expect(obj?["status"] as? String == "valid")
        let bad = Self.run("groth16-invalid/circom-compat-bb0f542", json: true)
        let badObj = try JSONSerialization.jsonObject(with: Data(bad.line.utf8)) as? [String: Any]
        #expect(badObj?["valid"] as? Bool == false)
    }

    @Test func jsonReasonsWithControlCharactersStayOneValidJSONLine() throws {
        let vk = try Self.temp(#"{"protocol": "a\nb\u0001", "curve": "bn128"}"#)
        defer { try? FileManager.default.removeItem(atPath: vk) }
        let o = ZKVerifyCLI.run(vkPath: vk, proofPath: vk, publicPath: vk, json: true)
        #expect(o.exitCode == 2)
        #expect(!o.line.contains("\n"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(o.line.utf8)) as? [String: Any])
        #expect((obj["reason"] as? String)?.contains("a\nb\u{01}") == true)
    }

    /// The fixture's key is forgeable (δ = γ): the verdict and exit code stay the mathematical ones,
    /// with a warning (a stderr line in text mode, fields in JSON).
    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func forgeableKeyKeepsTheVerdictAndWarns() throws {
        let o = Self.run("groth16/circom-compat-b64f038")
        #expect(o.exitCode == 0)
        #expect(o.line.hasPrefix("valid: "))
        let warning = try #require(o.warning)
        #expect(warning.hasPrefix("warning: the verification key is forgeable (δ = γ)"))
        #expect(warning.contains("no secret δ contribution"))
        #expect(!warning.contains("\n"))

        let j = Self.run("groth16/circom-compat-b64f038", json: true)
        #expect(j.exitCode == 0)
        #expect(j.warning == nil)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.line.utf8)) as? [String: Any])
        #expect(obj["valid"] as? Bool == true)
        #expect(obj["forgeable_key"] as? Bool == true)
        #expect((obj["warning"] as? String)?.contains("forgeable (δ = γ)") == true)

        // A failing proof under the same key: still exit 1, still the warning.
        let tampered = try Self.temp("[\"1\"]")
        defer { try? FileManager.default.removeItem(atPath: tampered) }
        let bad = Self.run("groth16/circom-compat-b64f038", publicPath: tampered, json: true)
        #expect(bad.exitCode == 1)
        let badObj = try #require(try JSONSerialization.jsonObject(with: Data(bad.line.utf8)) as? [String: Any])
        #expect(badObj["forgeable_key"] as? Bool == true)

        // Keys with a secret δ: no warning, and `forgeable_key: false` in JSON.
        let honest = Self.run("groth16/gnark-cubic", json: true)
        #expect(honest.warning == nil)
        let honestObj = try #require(try JSONSerialization.jsonObject(with: Data(honest.line.utf8)) as? [String: Any])
        #expect(honestObj["forgeable_key"] as? Bool == false)
        #expect(honestObj["warning"] == nil)
        #expect(Self.run("groth16/gnark-cubic").warning == nil)
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func duplicateKeysAreAnError() throws {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: Self.path("groth16/gnark-cubic", "proof.json"))), as: UTF8.self)
        let i = text.lastIndex(of: "}")!
        let dup = try Self.temp(String(text[..<i]) + #", "pi_a": ["1", "2", "1"]"# + String(text[i...]))
        defer { try? FileManager.default.removeItem(atPath: dup) }
        let o = ZKVerifyCLI.run(
            vkPath: Self.path("groth16/gnark-cubic", "verification_key.json"), proofPath: dup,
            publicPath: Self.path("groth16/gnark-cubic", "public.json"), json: false)
        #expect(o.exitCode == 2)
        #expect(o.line.hasPrefix("error: "))
        #expect(o.line.contains("duplicate key \"pi_a\""))
    }
}
