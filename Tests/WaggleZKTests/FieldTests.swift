import Testing
@testable import WaggleZK

struct FieldTests {
    static let a = UInt256(decimal: "123456789123456789123456789123456789123456789")!

    @Test func fpMultiplicationAndInverseMatchPythonBigIntegers() {
        let a = Fp(Self.a)!
        let b = -Fp(UInt256(decimal: "987654321987654321987654321")!)!
        #expect((a * b).value.decimalString
            == "21888120939207918721714814676825571384995607453597241891619690691476113573314")
        #expect(a.inverse().value.decimalString
            == "11484970886978678949706430539905254194153340159242460811302861141677330852253")
        #expect(a * a.inverse() == .one)
    }

    @Test func frMultiplicationAndInverseMatchPythonBigIntegers() {
        let a = Fr(Self.a)!
        let b = -Fr(UInt256(decimal: "987654321987654321987654321")!)!
        #expect((a * b).value.decimalString
            == "21888120939207918721714814676825571384847660696715452572628856983406695860348")
        #expect(a.inverse().value.decimalString
            == "3250301802469051773042479549492143190114345155055671168697716811766668913147")
    }

    @Test func fieldAxiomsHoldOnRandomElements() {
        var rng = TestRNG(seed: 1)
        for _ in 0..<50 {
            let a = rng.fp(), b = rng.fp(), c = rng.fp()
            #expect((a * b) * c == a * (b * c))
            #expect(a * (b + c) == a * b + a * c)
            #expect(a - b + b == a)
            #expect(a.squared() == a * a)
            #expect(a.doubled() == a + a)
            #expect(a.halved().doubled() == a)
            #expect(-a + a == .zero)
            if !a.isZero { #expect(a * a.inverse() == .one) }
            let x = Fp2(a, b), y = Fp2(c, a)
            #expect(x.squared() == x * x)
            #expect(x * y == y * x)
            #expect((x + y) - y == x)
            #expect(x * x.inverse() == .one)
            #expect(x.mulByNonResidue() == x * Fp2(Fp(9), Fp(1)))
            if let s = (x.squared()).squareRoot() { #expect(s == x || s == -x) } else { Issue.record("no sqrt of a square") }
        }
    }

    /// The lazily reduced Fp2 product and the limb-level ξ multiplication against the schoolbook
    /// definitions, on the extreme values 0, 1, p - 1 and p - 2 (where reduction bounds are tight).
    @Test func fp2ArithmeticMatchesDefinitionsOnExtremeValues() {
        let pm1 = -Fp.one, pm2 = -Fp(2)
        let values: [Fp] = [.zero, .one, pm1, pm2, Fp(9), -Fp(9)]
        for a0 in values {
            for a1 in values {
                let x = Fp2(a0, a1)
                #expect(x.mulByNonResidue() == Fp2(Fp(9) * a0 - a1, a0 + Fp(9) * a1))
                #expect(x.squared() == Fp2(a0 * a0 - a1 * a1, (a0 * a1).doubled()))
                for b0 in values {
                    for b1 in values {
                        let y = Fp2(b0, b1)
                        #expect(x * y == Fp2(a0 * b0 - a1 * b1, a0 * b1 + a1 * b0))
                    }
                }
            }
        }
    }

    @Test func towerArithmeticIsConsistent() {
        var rng = TestRNG(seed: 2)
        func f2() -> Fp2 { Fp2(rng.fp(), rng.fp()) }
        let a = Fp6(f2(), f2(), f2()), b = Fp6(f2(), f2(), f2())
        #expect(a.squared() == a * a)
        #expect(a * a.inverse() == .one)
        let b0 = f2(), b1 = f2()
        #expect(a.mulBy01(b0, b1) == a * Fp6(b0, b1, .zero))
        let x = Fp12(a, b), y = Fp12(b, a)
        #expect(x.squared() == x * x)
        #expect(x * x.inverse() == .one)
        let l0 = f2(), l3 = f2(), l4 = f2()
        #expect(x.mulBy034(l0, l3, l4) == x * Fp12(Fp6(l0, .zero, .zero), Fp6(l3, l4, .zero)))
        // Frobenius maps agree with powering by p.
        #expect(x.frobenius() == x.power(Fp.modulus))
        #expect(x.frobenius2() == x.frobenius().frobenius())
        #expect(x.frobenius3() == x.frobenius2().frobenius())
        _ = y
    }

    @Test func cyclotomicSquaringMatchesSquaringAfterEasyPart() {
        var rng = TestRNG(seed: 3)
        func f6() -> Fp6 { Fp6(Fp2(rng.fp(), rng.fp()), Fp2(rng.fp(), rng.fp()), Fp2(rng.fp(), rng.fp())) }
        let f = Fp12(f6(), f6())
        var t = f.conjugate() * f.inverse()
        t = t.frobenius2() * t
        #expect(t.cyclotomicSquared() == t.squared())
        #expect(t.cyclotomicPowerByZ() == t.power(UInt256(4_965_661_367_192_848_881)))
        // The addition chain agrees with the NAF ladder and with plain powering on more elements.
        var u = t
        for _ in 0..<3 {
            u = u.frobenius() * u.cyclotomicSquared() * t
            #expect(u.cyclotomicPowerByZ() == u.cyclotomicPowerByZNAF())
            #expect(u.cyclotomicPowerByZ() == u.cyclotomicPower(UInt256(4_965_661_367_192_848_881)))
            #expect(u.cyclotomicSquared(times: 5) == u.power(UInt256(32)))
        }
    }

    @Test func uint256ParsesAndPrintsDecimalAndHex() {
        let s = "21888242871839275222246405745257275088696311157297823662689037894645226208583"
        #expect(UInt256(decimal: s) == Fp.modulus)
        #expect(Fp.modulus.decimalString == s)
        #expect(UInt256(hex: "0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47") == Fp.modulus)
        #expect(UInt256(decimal: "1" + String(repeating: "0", count: 78)) == nil)  // >= 2^256
        #expect(UInt256(decimal: "12a") == nil)
        #expect(UInt256(decimal: "") == nil)
        #expect(UInt256(decimal: "-1") == nil)
        #expect(UInt256(decimal: "0")?.decimalString == "0")
        #expect(UInt256(bigEndian: Fp.modulus.bigEndianBytes) == Fp.modulus)
    }

    @Test func embeddedConstantsMatchTheirDefinitions() {
        let xi = Fp2(Fp(9), Fp(1))
        let pm1 = UInt256(Fp.modulus.l0 - 1, Fp.modulus.l1, Fp.modulus.l2, Fp.modulus.l3)
        #expect(BN254Constants.twistB * xi == Fp2(Fp(3), .zero))
        #expect(BN254Constants.threeTwistB == BN254Constants.twistB * Fp2(Fp(3), .zero))
        // (p-1)/6, /3, /2
        let (d6, _) = pm1.divided(by: 6)
        let (d3, _) = pm1.divided(by: 3)
        let (d2, _) = pm1.divided(by: 2)
        let g1 = xi.power(d6)
        #expect(BN254Constants.frob1_1 == g1)
        #expect(BN254Constants.frob1_2 == g1.power(UInt256(2)))
        #expect(BN254Constants.frob1_3 == g1.power(UInt256(3)))
        #expect(BN254Constants.frob1_4 == g1.power(UInt256(4)))
        #expect(BN254Constants.frob1_5 == g1.power(UInt256(5)))
        #expect(BN254Constants.psiX == xi.power(d3))
        #expect(BN254Constants.psiY == xi.power(d2))
        // γ2,e = γ1,e · conj(γ1,e)-style identity: γ2,e = N(γ1,e) for the Frobenius composition.
        #expect(Fp2(BN254Constants.frob2_1, .zero) == g1 * g1.conjugate())
        #expect(Fp2(BN254Constants.psi2X, .zero) == BN254Constants.psiX * BN254Constants.psiX.conjugate())
        #expect(Fr.rootOfUnity(log2Order: 28).power(UInt256(1 << 27)) == -Fr.one)
    }
}
