import Foundation
import Testing
import WaggleCore
@testable import WaggleZK

/// The snarkjs-format fixtures under shared/vectors/groth16 and groth16-invalid.
struct Groth16VectorTests {
    struct Triple {
        var vk: [String: Any]
        var proof: [String: Any]
        var pub: [Any]
        var vkData: Data { try! JSONSerialization.data(withJSONObject: vk) }
        var proofData: Data { try! JSONSerialization.data(withJSONObject: proof) }
        var pubData: Data { try! JSONSerialization.data(withJSONObject: pub) }

        func verify() throws -> Bool {
            try PreparedVerifyingKey(snarkjsJSON: vkData).verify(proofJSON: proofData, publicJSON: pubData)
        }
    }

    static func load(_ folder: String) throws -> Triple {
        Triple(
            vk: try Vectors.json("\(folder)/verification_key.json") as! [String: Any],
            proof: try Vectors.json("\(folder)/proof.json") as! [String: Any],
            pub: try Vectors.json("\(folder)/public.json") as! [Any])
    }

    static let multiplier = "groth16/zkml-learning-multiplier"

    /// The fixture whose key skipped its phase-2 contribution (δ = γ = the G2 generator): its proof
    /// verifies mathematically, and the key is forgeable (ForgeableKeyTests forges a proof for it).
    static let forgeableFixture = "circom-compat-b64f038"

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func everySnarkjsFixtureVerifiesAndOnlyOneKeyIsForgeable() throws {
        let folders = Vectors.subfolders("groth16")
        #expect(folders.count == 10)
        #expect(folders.contains(Self.forgeableFixture))
        for f in folders {
            let base = "groth16/\(f)"
            let key = try PreparedVerifyingKey(snarkjsJSON: try Vectors.data("\(base)/verification_key.json"))
            let ok = try key.verify(
                proofJSON: try Vectors.data("\(base)/proof.json"), publicJSON: try Vectors.data("\(base)/public.json"))
            #expect(ok, "\(f) should verify")
            if f == Self.forgeableFixture {
                #expect(key.key.forgeabilityReason == .deltaEqualsGamma, "\(f): verifies, but its key is forgeable (δ = γ)")
                #expect(throws: Groth16Error.forgeableKey(.deltaEqualsGamma)) { try key.key.requireSecretDelta() }
            } else {
                #expect(key.key.forgeabilityReason == nil, "\(f)")
                try key.key.requireSecretDelta()
            }
        }
    }

    /// The circuit id is SHA-256(0x15 ‖ canonical key), recomputed independently in Python from the
    /// JSON files (Docs/PROTOCOL.md, "Groth16 verifying keys, proofs and circuit ids"); the encoding decodes to the same key.
    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func circuitIDsOfFixtureKeys() throws {
        let expected = [
            "zkml-learning-multiplier": "0x56a8f7d7548d22bfdabb3435c8e4dbe8b1bd39a37da33bea0200916f59439b6d",
            "sp1-arithmetic": "0x1777c87d63c7ab6e133a607afdfe599b33210a369077d20b9d2978eac5b2f2f4",
            "circom-compat-b64f038": "0xff1af39e16845b2982f107d7442cf3fe68d6ff0df3bfbd9677ee42c9b4b79f88",
        ]
        for (f, id) in expected {
            let vk = try SnarkJS.parseVerifyingKey(try Vectors.data("groth16/\(f)/verification_key.json"))
            #expect(vk.circuitID.hex == id, "\(f)")
            #expect(PreparedVerifyingKey(vk).circuitID.hex == id, "\(f)")
            let bytes = vk.canonicalBytes
            #expect(bytes.count == 1 + 64 + 3 * 128 + 4 + 64 * vk.ic.count)
            #expect(try Groth16VerifyingKey(canonicalBytes: bytes, maxPublicInputs: 16) == vk)
            #expect(throws: (any Error).self) { try Groth16VerifyingKey(canonicalBytes: bytes + [0], maxPublicInputs: 16) }
            #expect(throws: (any Error).self) { try Groth16VerifyingKey(canonicalBytes: bytes, maxPublicInputs: vk.publicInputCount - 1) }
            var otherTag = bytes
            otherTag[0] = 2
            #expect(throws: (any Error).self) { try Groth16VerifyingKey(canonicalBytes: otherTag, maxPublicInputs: 16) }
            var offCurve = bytes
            offCurve[64] ^= 1  // alpha.y
            #expect(throws: Groth16Error.pointNotOnCurve(field: "vk_alpha_1")) {
                try Groth16VerifyingKey(canonicalBytes: offCurve, maxPublicInputs: 16)
            }
        }
        // The vk_alphabeta_12 field is not part of the key, so it cannot change the id.
        var t = try Self.load(Self.multiplier)
        t.vk["vk_alphabeta_12"] = "garbage"
        #expect(try SnarkJS.parseVerifyingKey(t.vkData).circuitID.hex == expected["zkml-learning-multiplier"])
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func alphaBetaEqualsSnarkjsVkAlphabeta12() throws {
        var checked = 0
        for f in Vectors.subfolders("groth16") {
            let data = try Vectors.data("groth16/\(f)/verification_key.json")
            let vk = try SnarkJS.parseVerifyingKey(data)
            guard let field = try JSONValue.parse(Array(data))["vk_alphabeta_12"] else { continue }
            let claimed = try SnarkJS.fp12(field, "vk_alphabeta_12")
            let prepared = PreparedVerifyingKey(vk)
            #expect(prepared.alphaBeta == claimed, "\(f)")
            #expect(Pairing.pairing(vk.alpha, vk.beta) == claimed, "\(f)")
            checked += 1
        }
        #expect(checked >= 5)
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func wellFormedButWrongProofFails() throws {
        let invalid = Vectors.subfolders("groth16-invalid")
        #expect(!invalid.isEmpty, "the groth16-invalid fixtures were not found")
        for f in invalid {
            let t = try Self.load("groth16-invalid/\(f)")
            #expect(try t.verify() == false, "\(f) must not verify")
        }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func keyWithoutAlphaBetaIsAcceptedAndVerifies() throws {
        let t = try Self.load("groth16/sp1-arithmetic")
        #expect(t.vk["vk_alphabeta_12"] == nil)
        #expect(try t.verify())
    }

    /// e(α, β) with the exact final exponentiation (easy part, then (p⁴ − p² + 1)/r), as tools other
    /// than snarkjs/libff write it: ours is that value to the power λ = 2z(6z² + 3z + 1).
    static func exactAlphaBeta(_ ours: Fp12) -> Fp12 {
        let z = Fr(4_965_661_367_192_848_881)
        let lambda = Fr(2) * z * (Fr(6) * z * z + Fr(3) * z + Fr(1))
        let exact = ours.cyclotomicPower(lambda.inverse().value)
        #expect(exact != ours)
        #expect(exact.cyclotomicPower(lambda.value) == ours)
        return exact
    }

    static func fp12JSON(_ x: Fp12) -> [[[String]]] {
        [x.c0, x.c1].map { s in [s.c0, s.c1, s.c2].map { [$0.c0.value.decimalString, $0.c1.value.decimalString] } }
    }

    /// vk_alphabeta_12 is computed, never trusted: a key carrying the other convention's exact
    /// e(α, β), a wrong value or something that is not an Fp12 at all parses and verifies the same.
    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func vkAlphabeta12IsIgnoredWhateverConventionOrGarbageItHolds() throws {
        let original = try Self.load(Self.multiplier)
        let ours = PreparedVerifyingKey(try SnarkJS.parseVerifyingKey(original.vkData)).alphaBeta
        var wrong = original.vk["vk_alphabeta_12"] as! [[[String]]]
        wrong[0][0][0] = "1"
        let values: [(String, Any)] = [
            ("exact final exponentiation", Self.fp12JSON(Self.exactAlphaBeta(ours))),
            ("wrong coordinate", wrong),
            ("not an Fp12", "garbage"),
            ("a number above p", [[[String(repeating: "9", count: 90)]]]),
        ]
        for (what, value) in values {
            var t = original
            t.vk["vk_alphabeta_12"] = value
            #expect(try t.verify(), "\(what)")
            #expect(try SnarkJS.parseVerifyingKey(t.vkData) == SnarkJS.parseVerifyingKey(original.vkData), "\(what)")
            #expect(try PreparedVerifyingKey(snarkjsJSON: t.vkData).alphaBeta == ours, "\(what)")
        }
    }

    /// Duplicate keys are refused (Foundation's parser let the last one win, so two readers could
    /// see two different keys or proofs in one file).
    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func duplicateKeysAreRefused() throws {
        let t = try Self.load(Self.multiplier)
        let vkText = String(decoding: try Vectors.data("\(Self.multiplier)/verification_key.json"), as: UTF8.self)
        let proofText = String(decoding: try Vectors.data("\(Self.multiplier)/proof.json"), as: UTF8.self)
        let pubData = try Vectors.data("\(Self.multiplier)/public.json")
        #expect(try PreparedVerifyingKey(snarkjsJSON: Data(vkText.utf8)).verify(proofJSON: Data(proofText.utf8), publicJSON: pubData))

        // A second vk_delta_2 (equal to gamma: the forgeable value) after the real one.
        let gamma = try JSONSerialization.data(withJSONObject: t.vk["vk_gamma_2"]!)
        let dupVK = Self.insertBeforeLastBrace(vkText, ", \"vk_delta_2\": \(String(decoding: gamma, as: UTF8.self))")
        Self.expectMalformed(containing: "duplicate key \"vk_delta_2\"") { _ = try SnarkJS.parseVerifyingKey(Data(dupVK.utf8)) }
        // A second pi_c in the proof, and a duplicate inside a nested object.
        let dupProof = Self.insertBeforeLastBrace(proofText, ", \"pi_c\": [\"1\", \"2\", \"1\"]")
        Self.expectMalformed(containing: "duplicate key \"pi_c\"") { _ = try SnarkJS.parseProof(Data(dupProof.utf8)) }
        let nested = Self.insertBeforeLastBrace(proofText, ", \"extra\": {\"a\": 1, \"a\": 2}")
        Self.expectMalformed(containing: "duplicate key \"a\"") { _ = try SnarkJS.parseProof(Data(nested.utf8)) }
        // Strict JSON elsewhere too: trailing commas and trailing data.
        Self.expectMalformed(containing: "public inputs is not valid JSON") { _ = try SnarkJS.parsePublicInputs(Data(#"["35",]"#.utf8)) }
        Self.expectMalformed(containing: "proof is not valid JSON") { _ = try SnarkJS.parseProof(Data((proofText + "{}").utf8)) }
    }

    static func insertBeforeLastBrace(_ text: String, _ insertion: String) -> String {
        let i = text.lastIndex(of: "}")!
        return String(text[..<i]) + insertion + String(text[i...])
    }

    static func expectMalformed(containing needle: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected Groth16Error.malformed containing \(needle)", sourceLocation: sourceLocation)
        } catch let e as Groth16Error {
            guard case .malformed(let why) = e, why.contains(needle) else {
                Issue.record("expected malformed containing \(needle), got \(e)", sourceLocation: sourceLocation)
                return
            }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func acceptsCurveNamesInAnyCase() throws {
        for name in ["bn128", "BN254", "AltBn128", "altbn128"] {
            var t = try Self.load(Self.multiplier)
            t.vk["curve"] = name
            t.proof["curve"] = name
            #expect(try t.verify(), "\(name)")
        }
        var t = try Self.load(Self.multiplier)
        t.vk["curve"] = "bls12381"
        #expect(throws: Groth16Error.unsupportedCurve("bls12381")) { try t.verify() }
        var t2 = try Self.load(Self.multiplier)
        t2.proof["protocol"] = "plonk"
        #expect(throws: Groth16Error.unsupportedProtocol("plonk")) { try t2.verify() }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func rejectsProofWithPublicInputAboveModulus() throws {
        var t = try Self.load(Self.multiplier)
        t.pub = [Fr.modulus.decimalString]
        #expect(throws: Groth16Error.publicInputNotInField(index: 0)) { try t.verify() }
        // 35 + r is the same field element as 35, so only the range check can reject it.
        let (sum, _) = MontgomeryArithmetic.sub(
            (Fr.modulus.l0, Fr.modulus.l1, Fr.modulus.l2, Fr.modulus.l3), (UInt64.max - 34, UInt64.max, UInt64.max, UInt64.max))
        t.pub = [UInt256(sum.0, sum.1, sum.2, sum.3).decimalString]
        #expect(throws: Groth16Error.publicInputNotInField(index: 0)) { try t.verify() }
        t.pub = [String(repeating: "9", count: 80)]
        #expect(throws: Groth16Error.invalidNumber(field: "public[0]")) { try t.verify() }
        // One value, one encoding: a leading zero is refused (snarkjs never writes one).
        t.pub = ["035"]
        #expect(throws: Groth16Error.invalidNumber(field: "public[0]")) { try t.verify() }
        t.pub = ["0"]
        #expect(try t.verify() == false, "a lone zero is canonical: it parses, and is the wrong input")
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func rejectsLeadingZerosInProofCoordinatesAndLooseNPublic() throws {
        var t = try Self.load(Self.multiplier)
        var a = t.proof["pi_a"] as! [String]
        a[2] = "01"
        t.proof["pi_a"] = a
        #expect(throws: Groth16Error.invalidNumber(field: "pi_a")) { try t.verify() }
        for loose: Any in [true, 1.5, "+1", "01", -1] {
            var k = try Self.load(Self.multiplier)
            k.vk["nPublic"] = loose
            #expect(throws: Groth16Error.malformed("nPublic is not a non-negative integer"), "\(loose)") { try k.verify() }
        }
        var ok = try Self.load(Self.multiplier)
        ok.vk["nPublic"] = "1"
        #expect(try ok.verify())
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func rejectsCoordinateAboveFieldModulus() throws {
        var t = try Self.load(Self.multiplier)
        var a = t.proof["pi_a"] as! [String]
        let x = UInt256(decimal: a[0])!
        let (s, _) = MontgomeryArithmetic.sub((x.l0, x.l1, x.l2, x.l3), MontgomeryArithmetic.sub((0, 0, 0, 0), (Fp.modulus.l0, Fp.modulus.l1, Fp.modulus.l2, Fp.modulus.l3)).0)
        a[0] = UInt256(s.0, s.1, s.2, s.3).decimalString  // x + p
        t.proof["pi_a"] = a
        #expect(throws: Groth16Error.coordinateNotInField(field: "pi_a")) { try t.verify() }
        var t2 = try Self.load(Self.multiplier)
        var b = t2.proof["pi_b"] as! [[String]]
        b[1][1] = Fp.modulus.decimalString
        t2.proof["pi_b"] = b
        #expect(throws: Groth16Error.coordinateNotInField(field: "pi_b")) { try t2.verify() }
        var t3 = try Self.load(Self.multiplier)
        var ic = t3.vk["IC"] as! [[String]]
        ic[1][1] = Fp.modulus.decimalString
        t3.vk["IC"] = ic
        #expect(throws: Groth16Error.coordinateNotInField(field: "IC[1]")) { try t3.verify() }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func rejectsPointsNotOnTheirCurves() throws {
        var t = try Self.load(Self.multiplier)
        var c = t.proof["pi_c"] as! [String]
        c[1] = (Fp(UInt256(decimal: c[1])!)! + .one).value.decimalString
        t.proof["pi_c"] = c
        #expect(throws: Groth16Error.pointNotOnCurve(field: "pi_c")) { try t.verify() }
        var t2 = try Self.load(Self.multiplier)
        var b = t2.proof["pi_b"] as! [[String]]
        b[0].swapAt(0, 1)  // swapping c0/c1 (EIP-197 order) leaves the twist
        t2.proof["pi_b"] = b
        #expect(throws: Groth16Error.pointNotOnCurve(field: "pi_b")) { try t2.verify() }
        var t3 = try Self.load(Self.multiplier)
        var g = t3.vk["vk_gamma_2"] as! [[String]]
        g[1][0] = "5"
        t3.vk["vk_gamma_2"] = g
        #expect(throws: Groth16Error.pointNotOnCurve(field: "vk_gamma_2")) { try t3.verify() }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func rejectsProofPointBOutsideSubgroup() throws {
        var t = try Self.load(Self.multiplier)
        let q = CurveTests.twistPointOutsideSubgroup()
        t.proof["pi_b"] = [
            [q.x.c0.value.decimalString, q.x.c1.value.decimalString],
            [q.y.c0.value.decimalString, q.y.c1.value.decimalString], ["1", "0"],
        ]
        #expect(throws: Groth16Error.pointNotInSubgroup(field: "pi_b")) { try t.verify() }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func rejectsWrongNumberOfPublicInputs() throws {
        var t = try Self.load(Self.multiplier)
        t.pub = ["35", "1"]
        #expect(throws: Groth16Error.wrongNumberOfPublicInputs(expected: 1, actual: 2)) { try t.verify() }
        t.pub = []
        #expect(throws: Groth16Error.wrongNumberOfPublicInputs(expected: 1, actual: 0)) { try t.verify() }
        var t2 = try Self.load(Self.multiplier)
        t2.vk["nPublic"] = 3
        #expect(throws: Groth16Error.inconsistentKey("nPublic is 3 but IC has 2 points")) { try t2.verify() }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func rejectsNonAffineAndMalformedEncodings() throws {
        var t = try Self.load(Self.multiplier)
        var a = t.proof["pi_a"] as! [String]
        a[2] = "2"
        t.proof["pi_a"] = a
        #expect(throws: Groth16Error.notAffine(field: "pi_a")) { try t.verify() }
        var t2 = try Self.load(Self.multiplier)
        var b = t2.proof["pi_b"] as! [[String]]
        b[2] = ["1", "1"]
        t2.proof["pi_b"] = b
        #expect(throws: Groth16Error.notAffine(field: "pi_b")) { try t2.verify() }
        var t3 = try Self.load(Self.multiplier)
        t3.proof["pi_c"] = nil
        #expect(throws: Groth16Error.self) { try t3.verify() }
        var t4 = try Self.load(Self.multiplier)
        t4.proof["pi_a"] = ["0x12", "3", "1"]
        #expect(throws: Groth16Error.invalidNumber(field: "pi_a")) { try t4.verify() }
        let key = try PreparedVerifyingKey(snarkjsJSON: t.vkData)
        Self.expectMalformed(containing: "proof is not valid JSON: malformed JSON: expected a string key at byte 1") {
            _ = try key.verify(proofJSON: Data("{nope".utf8), publicJSON: Data("[]".utf8))
        }
        #expect(throws: Groth16Error.malformed("public inputs are not a JSON array")) {
            try key.verify(proofJSON: try Self.load(Self.multiplier).proofData, publicJSON: Data("{}".utf8))
        }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func tamperedPublicInputOrProofPointFails() throws {
        var t = try Self.load(Self.multiplier)
        t.pub = ["36"]
        #expect(try t.verify() == false)
        // Replace A by 2A: still a valid point, wrong proof.
        var t2 = try Self.load(Self.multiplier)
        let proof = try SnarkJS.parseProof(t2.proofData)
        let a2 = G1Projective(proof.a).doubled().affine
        t2.proof["pi_a"] = [a2.x.value.decimalString, a2.y.value.decimalString, "1"]
        #expect(try t2.verify() == false)
        // Swap A and C.
        var t3 = try Self.load(Self.multiplier)
        let a = t3.proof["pi_a"]
        t3.proof["pi_a"] = t3.proof["pi_c"]
        t3.proof["pi_c"] = a
        #expect(try t3.verify() == false)
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func snarkjsEncodingRoundTrips() throws {
        let t = try Self.load("groth16/sp1-arithmetic")
        let vk = try SnarkJS.parseVerifyingKey(t.vkData)
        let proof = try SnarkJS.parseProof(t.proofData)
        let pub = try SnarkJS.parsePublicInputs(t.pubData)
        #expect(try SnarkJS.parseVerifyingKey(SnarkJS.encode(vk)) == vk)
        #expect(try SnarkJS.parseProof(SnarkJS.encode(proof)) == proof)
        #expect(try SnarkJS.parsePublicInputs(SnarkJS.encode(publicInputs: pub)) == pub)
    }
}
