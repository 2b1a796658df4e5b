import Foundation
import Testing
@testable import WaggleZK

struct PoseidonTests {
    static func fr(_ s: String) -> Fr { Fr(UInt256(decimal: s)!)! }

    @Test func hashesOneAndTwoLikeCircomlibjs() throws {
        // circomlibjs test/poseidon.js: poseidon([1, 2]) = 0x115cc0f5…189a
        #expect(try Poseidon.hash([Fr(1), Fr(2)]).value.decimalString
            == "7853200120776062878684798364095072458815029376092732009249414926327459813530")
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func matchesCircomlibVectors() throws {
        let cases = try Vectors.json("poseidon/vectors.json") as! [[String: Any]]
        #expect(cases.count >= 9)
        for c in cases {
            let inputs = (c["inputs"] as! [String]).map(Self.fr)
            #expect(try Poseidon.hash(inputs).value.decimalString == c["output"] as! String, "\(c["source"] ?? "")")
        }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func matchesCircomlibPoseidonExVectors() throws {
        let cases = try Vectors.json("poseidon/vectors_ex.json") as! [[String: Any]]
        #expect(cases.count >= 6)
        for c in cases {
            let inputs = (c["inputs"] as! [String]).map(Self.fr)
            let initState = Self.fr("\(c["initState"]!)")
            let nOut = (c["nOut"] as! NSNumber).intValue
            let out = try Poseidon.hashEx(inputs, initialState: initState, outputCount: nOut)
            #expect(out.map { $0.value.decimalString } == c["outputs"] as! [String], "\(c["source"] ?? "")")
        }
    }

    @Test(.enabled(if: Vectors.available, "shared/vectors not found"))
    func grainDerivedConstantsEqualCircomlibjsConstantsJson() throws {
        let json = try Vectors.json("poseidon/constants.json") as! [String: Any]
        let cs = json["C"] as! [[String]]
        let ms = json["M"] as! [[[String]]]
        for t in 2...17 {
            let p = PoseidonParameters.forWidth(t)!
            let c = cs[t - 2].map { Fr(UInt256(hex: $0)!)! }
            let m = ms[t - 2].map { row in row.map { Fr(UInt256(hex: $0)!)! } }
            #expect(p.roundConstants == c, "C for t = \(t)")
            #expect(p.mds == m, "M for t = \(t)")
        }
    }

    @Test func rejectsUnsupportedInputAndOutputCounts() {
        #expect(throws: PoseidonError.unsupportedInputCount(0)) { try Poseidon.hash([]) }
        #expect(throws: PoseidonError.unsupportedInputCount(17)) { try Poseidon.hash([Fr](repeating: .one, count: 17)) }
        #expect(throws: PoseidonError.unsupportedOutputCount(4)) {
            try Poseidon.hashEx([Fr(1), Fr(2)], initialState: .zero, outputCount: 4)
        }
    }
}
