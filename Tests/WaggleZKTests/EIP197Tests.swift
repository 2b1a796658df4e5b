import Foundation
import Testing
@testable import WaggleZK

struct EIP197Tests {
    struct Case {
        let name: String
        let input: [UInt8]
        let expected: [UInt8]
    }

    static func cases(_ file: String) throws -> [Case] {
        guard let arr = try Vectors.json("eip197/\(file)") as? [[String: Any]] else { return [] }
        return arr.map {
            Case(
                name: $0["Name"] as? String ?? "?", input: hexBytes($0["Input"] as? String ?? ""),
                expected: hexBytes($0["Expected"] as? String ?? ""))
        }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func addMatchesGoEthereumVectors() throws {
        let cases = try Self.cases("bn256Add.json")
        #expect(cases.count == 16)
        for c in cases {
            #expect(try EIP197.add(c.input) == c.expected, "\(c.name)")
        }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func scalarMulMatchesGoEthereumVectors() throws {
        let cases = try Self.cases("bn256ScalarMul.json")
        #expect(cases.count == 19)
        for c in cases {
            #expect(try EIP197.scalarMul(c.input) == c.expected, "\(c.name)")
        }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func pairingMatchesGoEthereumVectors() throws {
        let cases = try Self.cases("bn256Pairing.json")
        #expect(cases.count == 14)
        for c in cases {
            #expect(try EIP197.pairing(c.input) == c.expected, "\(c.name)")
        }
    }

    static func generatorPairInput() -> [UInt8] {
        EIP197.encodeG1(G1Affine.generator) + EIP197.encodeG2(G2Affine.generator)
    }

    @Test func pairingRejectsInputLengthNotMultipleOf192() {
        let input = Self.generatorPairInput()
        #expect(throws: EIP197Error.invalidInputLength(191)) { try EIP197.pairing(Array(input.dropLast())) }
        #expect(throws: EIP197Error.invalidInputLength(193)) { try EIP197.pairing(input + [0]) }
    }

    @Test func pairingRejectsCoordinateAboveFieldModulus() {
        var input = Self.generatorPairInput()
        // Replace G1.x by p + 1 (≡ 1, the generator's x, so only the range check can catch it).
        let pPlus1 = UInt256(Fp.modulus.l0 + 1, Fp.modulus.l1, Fp.modulus.l2, Fp.modulus.l3)
        input.replaceSubrange(0..<32, with: pPlus1.bigEndianBytes)
        #expect(throws: EIP197Error.coordinateNotInField) { try EIP197.pairing(input) }
        // Same for a G2 coordinate (x.c1, the first word of the G2 encoding).
        var input2 = Self.generatorPairInput()
        input2.replaceSubrange(64..<96, with: Fp.modulus.bigEndianBytes)
        #expect(throws: EIP197Error.coordinateNotInField) { try EIP197.pairing(input2) }
        #expect(throws: EIP197Error.coordinateNotInField) {
            try EIP197.add(pPlus1.bigEndianBytes + UInt256(2).bigEndianBytes)
        }
    }

    @Test func rejectsPointsOffTheirCurves() {
        var input = Self.generatorPairInput()
        input[63] ^= 1  // G1.y = 3
        #expect(throws: EIP197Error.pointNotOnCurve) { try EIP197.pairing(input) }
        var input2 = Self.generatorPairInput()
        input2[191] ^= 1
        #expect(throws: EIP197Error.pointNotOnCurve) { try EIP197.pairing(input2) }
        #expect(throws: EIP197Error.pointNotOnCurve) {
            try EIP197.scalarMul(UInt256(1).bigEndianBytes + UInt256(3).bigEndianBytes + UInt256(5).bigEndianBytes)
        }
    }

    @Test func pairingRejectsG2PointOutsideSubgroup() throws {
        let q = CurveTests.twistPointOutsideSubgroup()
        #expect(q.isOnCurve)
        let input = EIP197.encodeG1(G1Affine.generator) + EIP197.encodeG2(q)
        #expect(throws: EIP197Error.pointNotInSubgroup) { try EIP197.pairing(input) }
    }

    @Test func emptyPairingInputIsTrue() throws {
        #expect(try EIP197.pairing([]).last == 1)
    }
}
