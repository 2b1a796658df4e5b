import Testing
@testable import WaggleZK

struct CurveTests {
    /// A point on the twist E'(Fp2) whose order is not r (found deterministically).
    static func twistPointOutsideSubgroup() -> G2Affine {
        var x = Fp2(Fp(1), Fp(1))
        while true {
            let rhs = x.squared() * x + BN254Constants.twistB
            if let y = rhs.squareRoot() {
                let q = G2Affine(x: x, y: y)
                if !G2Projective(q).isInSubgroupByOrder { return q }
            }
            x = x + Fp2.one
        }
    }

    @Test func generatorsAreOnTheirCurvesAndHaveOrderR() {
        #expect(G1Affine.generator.isOnCurve)
        #expect(G2Affine.generator.isOnCurve)
        #expect(G1Projective.generator.multiplied(by: Fr.modulus).isIdentity)
        #expect(G2Projective.generator.isInSubgroupByOrder)
        #expect(G2Projective.generator.isInSubgroup)
    }

    @Test func groupLawIsConsistent() {
        let g = G1Projective.generator
        let g2 = g.doubled()
        #expect(g + g == g2)
        #expect(g2 + g == g.multiplied(by: UInt256(3)))
        #expect(g2.adding(g.affine) == g.multiplied(by: UInt256(3)))
        #expect((g - g).isIdentity)
        #expect(g.multiplied(by: UInt256(5)).isOnCurve)
        let h = G2Projective.generator
        #expect(h.doubled() + h == h.multiplied(by: UInt256(3)))
        #expect(h.doubled().adding(h.affine) == h.multiplied(by: UInt256(3)))
        #expect(h.multiplied(by: UInt256(7)).affine.isOnCurve)
    }

    @Test func psiSubgroupCheckAgreesWithOrderCheck() {
        let bad = Self.twistPointOutsideSubgroup()
        #expect(!bad.isInSubgroup)
        var p = G2Projective(bad)
        for k in 1...6 {
            let q = p.multiplied(by: UInt256(UInt64(k * 7 + 1)))
            #expect(q.isInSubgroup == q.isInSubgroupByOrder)
            p = p + G2Projective.generator
        }
        let good = G2Projective.generator.multiplied(by: UInt256(123_456_789))
        #expect(good.isInSubgroup)
        // Clearing the cofactor lands in G2: the ψ test must accept the result.
        let cofactor = UInt256(
            decimal: "21888242871839275222246405745257275088844257914179612981679871602714643921549")!
        let cleared = G2Projective(bad).multiplied(by: cofactor)
        #expect(cleared.isInSubgroupByOrder)
        #expect(cleared.isInSubgroup)
    }

    @Test func pairingIsBilinearAndNonDegenerate() {
        let g1 = G1Projective.generator, g2 = G2Projective.generator
        let a = UInt256(1_234_567), b = UInt256(7_654_321)
        let e = Pairing.pairing(g1.affine, g2.affine)
        #expect(e != .one)
        let lhs = Pairing.pairing(g1.multiplied(by: a).affine, g2.multiplied(by: b).affine)
        let rhs = Pairing.pairing(g1.multiplied(by: b).affine, g2.multiplied(by: a).affine)
        #expect(lhs == rhs)
        #expect(Pairing.pairing(g1.doubled().affine, g2.affine) == e * e)
        #expect(e.power(Fr.modulus) == .one)
        // e(P, Q) · e(-P, Q) = 1 via one shared final exponentiation.
        let prepared = G2Prepared(g2.affine)
        #expect(Pairing.check([(g1.affine, prepared), ((-g1).affine, prepared)]))
        #expect(!Pairing.check([(g1.affine, prepared), (g1.affine, prepared)]))
    }

    /// The hard part is libff's/ffjavascript's: the exact exponent times λ = 2z(6z²+3z+1).
    @Test func finalExponentiationIsTheFuentesCastanedaMultipleOfTheExactOne() {
        let ml = Pairing.multiMillerLoop([(G1Affine.generator, G2Prepared(G2Affine.generator))])
        var easy = ml.conjugate() * ml.inverse()
        easy = easy.frobenius2() * easy
        let lambdaHard: [UInt64] = [
            0xcaa4_1523_6614_4ab4, 0x114d_c0ec_2cab_7ffd, 0x0cf0_888c_7a0f_f6cf, 0x65c5_644e_949b_6a90,
            0x1be2_4588_8511_7085, 0x5b35_eb71_9e58_db4b, 0x2566_c550_aeb7_e0e2, 0x0c97_4024_a316_619f,
            0xd147_cb7d_3a52_03dc, 0x621d_9bfe_d77c_2ad0, 0x2647_3fbc_d1c3_ec1e, 0xe865_1852_7b5e_4036,
            0x2925_9e97_12ca_7b71, 0x1891_045f_68d1_5763, 0x0067_9dd9_74c6_8787,
        ]
        #expect(Pairing.finalExponentiation(ml) == Self.power(easy, lambdaHard))
    }

    static func power(_ x: Fp12, _ limbs: [UInt64]) -> Fp12 {
        var acc = Fp12.one
        for limb in limbs.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                acc = acc.squared()
                if (limb >> UInt64(bit)) & 1 == 1 { acc = acc * x }
            }
        }
        return acc
    }
}
