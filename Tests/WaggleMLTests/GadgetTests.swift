import Foundation
import Testing
import WaggleML
import WaggleTesting
import WaggleZK

struct QuantizationTests {
    @Test func quantizeRoundsHalfAwayFromZero() throws {
        let fp = try FixedPoint()
        let ulp = 1.0 / 65536
        #expect(try fp.quantize(0.5 * ulp, "x") == 1)
        #expect(try fp.quantize(-0.5 * ulp, "x") == -1)
        #expect(try fp.quantize(1.5 * ulp, "x") == 2)
        #expect(try fp.quantize(-2.5 * ulp, "x") == -3)
        #expect(try fp.quantize(0.49 * ulp, "x") == 0)
        #expect(try fp.quantize(1.25, "x") == 81920)
        #expect(try fp.quantize(-3.75, "x") == -245760)
    }

    @Test func quantizeRefusesValuesOutsideTheDeclaredRange() throws {
        let fp = try FixedPoint(scale: 16, valueBits: 32)
        #expect(try fp.quantize(32767.99998, "x") == fp.maxValue)
        #expect(try fp.quantize(-32768, "x") == fp.minValue)
        #expect(throws: MLError.self) { try fp.quantize(32768, "x") }
        #expect(throws: MLError.self) { try fp.quantize(-32768.00002, "x") }
        #expect(throws: MLError.self) { try fp.quantize(.nan, "x") }
        #expect(throws: MLError.self) { try FixedPoint(scale: 16, valueBits: 17) }
    }

    @Test func signedFieldValuesRoundTrip() {
        for q: Int64 in [0, 1, -1, 12345, -98765, Int64.max, Int64.min + 1] {
            #expect(Fr(signed: q).signedValue == q)
        }
        #expect((Fr(UInt64.max) * Fr(UInt64.max)).signedValue == nil)
    }
}

struct GadgetTests {
    /// A builder holding one unconstrained witness x.
    static func withValue(_ x: Int64, _ fp: FixedPoint = fp16) -> (MLCircuitBuilder, LinearCombination) {
        var b = MLCircuitBuilder(fixedPoint: fp)
        let v = b.cs.addWitness(Fr(signed: x))
        return (b, LinearCombination(v))
    }

    @Test func rescaleMatchesTheIntegerReferenceOnRandomAndBoundaryValues() throws {
        var rng = SplitMix64(seed: 1)
        let limit = Int64(1) << 46
        var values: [Int64] = [0, 1, -1, 32767, 32768, -32768, -32769, 65536, -65536, limit - 1, -limit, 98304, -98304]
        for _ in 0..<200 { values.append(Int64.random(in: -limit..<limit, using: &rng)) }
        for x in values {
            var (b, lc) = Self.withValue(x)
            let r = try b.rescale(lc, "p")
            #expect(b.cs.value(of: LinearCombination(r.quotient)).signedValue == fp16.rescale(x), "x = \(x)")
            #expect(b.cs.isSatisfied, "x = \(x)")
        }
        // Round half up: 1.5 ulp·2^16 → 2, −1.5 → −1.
        #expect(fp16.rescale(3 << 15) == 2)
        #expect(fp16.rescale(-(3 << 15)) == -1)
    }

    @Test func rescaleWithALyingRemainderFailsTheConstraints() throws {
        var (b, lc) = Self.withValue(123_456_789)
        let r = try b.rescale(lc, "p")
        let q = b.cs.value(of: LinearCombination(r.quotient)), rem = b.cs.value(of: LinearCombination(r.remainder))
        let shift = Fr(65536)
        // q + 1 with the remainder wrapped below zero, and q − 1 with the remainder past 2^f.
        var up = b.cs.forging(r.quotient, q + .one)
        up.overwriteValueForTesting(r.remainder, with: rem - shift)
        #expect(!up.isSatisfied)
        var down = b.cs.forging(r.quotient, q - .one)
        down.overwriteValueForTesting(r.remainder, with: rem + shift)
        #expect(!down.isSatisfied)
        #expect(!b.cs.forging(r.remainder, rem + .one).isSatisfied)
        #expect(!b.cs.forging(r.quotient, q + .one).isSatisfied)
    }

    @Test func rangeCheckAcceptsTheBoundsAndRefusesBeyondThem() throws {
        for x in [fp16.minValue, fp16.maxValue, 0, -1] {
            var (b, lc) = Self.withValue(x)
            try b.rangeCheck(lc, "x")
            #expect(b.cs.isSatisfied)
        }
        for x in [fp16.minValue - 1, fp16.maxValue + 1, Int64.max, Int64.min] {
            var (b, lc) = Self.withValue(x)
            #expect(throws: MLError.self) { try b.rangeCheck(lc, "x") }
        }
    }

    @Test func aWrappedValueCannotPassARangeCheck() throws {
        var (b, lc) = Self.withValue(5)
        let bits = try b.assertBits(lc, count: 8, "x")
        guard case .witness(let i) = lc.terms[0].variable.kind else { Issue.record("not a witness"); return }
        let x = Variable(.witness(i))
        // −1 = r − 1: no 8 bits sum to it; 256 neither; and forging the bits to 0xff does not help.
        #expect(!b.cs.forging(x, -Fr.one).isSatisfied)
        #expect(!b.cs.forging(x, Fr(256)).isSatisfied)
        var allOnes = b.cs.forging(x, -Fr.one)
        for v in bits { allOnes.overwriteValueForTesting(v, with: .one) }
        #expect(!allOnes.isSatisfied)
        // A bit that is not 0 or 1 is refused even when the sum matches.
        var twos = b.cs
        twos.overwriteValueForTesting(bits[0], with: Fr(3))
        twos.overwriteValueForTesting(bits[1], with: .zero)
        twos.overwriteValueForTesting(bits[2], with: .zero)
        #expect(b.cs.value(of: lc) == Fr(5))
        #expect(!twos.isSatisfied)
    }

    @Test func comparisonMatchesTheReferenceAndALyingBitFails() throws {
        var rng = SplitMix64(seed: 2)
        var pairs: [(Int64, Int64)] = [(0, 0), (fp16.maxValue, fp16.minValue), (fp16.minValue, fp16.maxValue), (-1, 0), (0, -1), (5, 5)]
        for _ in 0..<100 { pairs.append((Int64.random(in: fp16.minValue...fp16.maxValue, using: &rng), Int64.random(in: -1000...1000, using: &rng))) }
        for (x, y) in pairs {
            var b = MLCircuitBuilder(fixedPoint: fp16)
            let a = try b.privateValue(x, "a"), c = try b.privateValue(y, "b")
            let ge = try b.greaterOrEqual(LinearCombination(a), LinearCombination(c), "a ≥ b")
            #expect(b.cs.value(of: LinearCombination(ge)) == (x >= y ? .one : .zero), "\(x) ≥ \(y)")
            #expect(b.cs.isSatisfied)
            #expect(!b.cs.forging(ge, x >= y ? .zero : .one).isSatisfied, "\(x) ≥ \(y) with the bit flipped")
        }
    }

    @Test func reluMatchesTheReferenceAndAWrongOutputFails() throws {
        var rng = SplitMix64(seed: 3)
        var values: [Int64] = [0, 1, -1, fp16.maxValue, fp16.minValue]
        for _ in 0..<100 { values.append(Int64.random(in: fp16.minValue...fp16.maxValue, using: &rng)) }
        for x in values {
            var b = MLCircuitBuilder(fixedPoint: fp16)
            let v = try b.privateValue(x, "x")
            let y = try b.relu(LinearCombination(v), "relu")
            #expect(b.cs.value(of: LinearCombination(y)).signedValue == FixedPointReference.relu(x))
            #expect(b.cs.isSatisfied)
            // Passing a negative x through, or zeroing a positive one, fails.
            #expect(!b.cs.forging(y, Fr(signed: x == 0 ? 1 : (x < 0 ? x : 0))).isSatisfied, "x = \(x)")
        }
    }

    @Test func argmaxPicksTheFirstMaximumAndAnyOtherIndexFails() throws {
        var rng = SplitMix64(seed: 4)
        var vectors: [[Int64]] = [[3, 3, 1], [fp16.minValue, fp16.minValue], [fp16.maxValue, fp16.minValue, fp16.maxValue], [-5, -2, -2, -9]]
        for _ in 0..<40 { vectors.append((0..<5).map { _ in Int64.random(in: -4...4, using: &rng) }) }
        for xs in vectors {
            var b = MLCircuitBuilder(fixedPoint: fp16)
            let lcs = try xs.map { LinearCombination(try b.privateValue($0, "x")) }
            let e = try b.argmax(lcs, "argmax")
            let k = FixedPointReference.argmax(xs)
            #expect(e.map { b.cs.value(of: LinearCombination($0)) } == xs.indices.map { $0 == k ? .one : .zero }, "\(xs)")
            #expect(b.cs.isSatisfied)
            for other in xs.indices where other != k {
                // Move the one-hot to another index (a tied later maximum included).
                var forged = b.cs.forging(e[k], .zero)
                forged.overwriteValueForTesting(e[other], with: .one)
                #expect(!forged.isSatisfied, "\(xs): index \(other) instead of \(k)")
            }
        }
    }

    @Test func sigmoidApproximationMatchesItsReferenceAndItsDocumentedError() throws {
        var values: [Int64] = []
        for i in stride(from: -8 * 65536, through: 8 * 65536, by: 4099) { values.append(Int64(i)) }
        values += [0, 1, -1, fp16.maxValue, fp16.minValue]
        for z in values {
            var b = MLCircuitBuilder(fixedPoint: fp16)
            let v = try b.privateValue(z, "z")
            let s = try b.sigmoid(LinearCombination(v), "sigmoid")
            let ref = FixedPointReference.sigmoid(z, fp16)
            #expect(b.cs.value(of: s).signedValue == ref, "z = \(z)")
            #expect(b.cs.isSatisfied)
            let real = 1 / (1 + exp(-fp16.real(z)))
            #expect(abs(fp16.real(ref) - real) < 0.066, "z = \(z)")
            // The output's last witness (the clamp at 1) forged by one unit fails.
            let last = Variable(.witness(b.cs.witnessCount - 1))
            #expect(!b.cs.forging(last, b.cs.value(of: LinearCombination(last)) + .one).isSatisfied)
        }
    }
}

