import Foundation
import Testing
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

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func everySnarkjsFixtureVerifies() throws {
        let folders = Vectors.subfolders("groth16")
        #expect(folders.count == 10)
        for f in folders {
            let base = "groth16/\(f)"
            let key = try PreparedVerifyingKey(snarkjsJSON: try Vectors.data("\(base)/verification_key.json"))
            let ok = try key.verify(
                proofJSON: try Vectors.data("\(base)/proof.json"), publicJSON: try Vectors.data("\(base)/public.json"))
            #expect(ok, "\(f) should verify")
        }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func alphaBetaEqualsSnarkjsVkAlphabeta12() throws {
        var checked = 0
        for f in Vectors.subfolders("groth16") {
            let vk = try SnarkJS.parseVerifyingKey(try Vectors.data("groth16/\(f)/verification_key.json"))
            guard let claimed = vk.claimedAlphaBeta else { continue }
            let prepared = try PreparedVerifyingKey(vk)
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

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func rejectsKeyWhoseAlphaBetaIsWrong() throws {
        var t = try Self.load(Self.multiplier)
        var ab = t.vk["vk_alphabeta_12"] as! [[[String]]]
        ab[0][0][0] = "1"
        t.vk["vk_alphabeta_12"] = ab
        #expect(throws: Groth16Error.alphaBetaMismatch) { try t.verify() }
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
        #expect(throws: Groth16Error.malformed("proof is not valid JSON")) {
            try key.verify(proofJSON: Data("{nope".utf8), publicJSON: Data("[]".utf8))
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
