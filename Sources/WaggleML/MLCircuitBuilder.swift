import WaggleZK

/// Fixed-point gadgets over WaggleZK's R1CS builder. The builder computes the witness as it adds
/// constraints, from the values already assigned; a value outside its declared range is refused
/// with `MLError.outOfRange` (an honest prover never builds an unsatisfiable system).
///
/// Invariant kept by every gadget: a value it returns is range-checked to `fixedPoint.valueBits`
/// signed bits (B), so sums of at most 2^(253 − 2B) products stay far below r/2 and no wraparound
/// modulo r can fake a comparison or a rescale.
public struct MLCircuitBuilder: Sendable {
    public var cs: ConstraintSystem
    public let fixedPoint: FixedPoint

    public init(fixedPoint: FixedPoint, system: ConstraintSystem = ConstraintSystem()) {
        self.cs = system
        self.fixedPoint = fixedPoint
    }

    var bits: Int { fixedPoint.valueBits }

    /// The signed integer value of `x` (an error when it is beyond 63 bits).
    public func signedValue(_ x: LinearCombination, _ what: String) throws(MLError) -> Int64 {
        guard let v = cs.value(of: x).signedValue else { throw .outOfRange("\(what) is beyond 63 bits") }
        return v
    }

    /// A private signed value, range-checked to B bits.
    public mutating func privateValue(_ q: Int64, _ what: String) throws(MLError) -> Variable {
        let v = cs.addWitness(Fr(signed: q))
        try rangeCheck(LinearCombination(v), what)
        return v
    }

    /// A public signed value, range-checked to B bits.
    public mutating func publicValue(_ q: Int64, _ what: String) throws(MLError) -> Variable {
        let v = cs.addPublicInput(Fr(signed: q))
        try rangeCheck(LinearCombination(v), what)
        return v
    }

    /// Unsigned range check: x ∈ [0, 2^n) by n boolean bits (n + 1 constraints). Returns the
    /// bits, least significant first. n ≤ 200, so the sum of the bits cannot wrap modulo r.
    @discardableResult
    public mutating func assertBits(_ x: LinearCombination, count n: Int, _ what: String) throws(MLError) -> [Variable] {
        precondition(n >= 1 && n <= 200)
        let v = cs.value(of: x).value
        guard v.bitWidth <= n else {
            let shown = cs.value(of: x).signedValue.map(String.init) ?? "a value beyond 63 bits"
            throw .outOfRange("\(what) = \(shown) is not in [0, 2^\(n))")
        }
        var out = [Variable]()
        out.reserveCapacity(n)
        var sum = LinearCombination.zero
        var weight = Fr.one
        for i in 0..<n {
            let b = cs.addWitness(v.bit(i) ? .one : .zero)
            cs.enforce(LinearCombination(b), LinearCombination(b), LinearCombination(b), name: "\(what): bit \(i) is 0 or 1")
            sum = sum + b * weight
            weight = weight.doubled()
            out.append(b)
        }
        cs.enforce(sum, LinearCombination(.one), x, name: "\(what): bits sum to the value")
        return out
    }

    /// Signed range check: x ∈ [−2^(B−1), 2^(B−1)) (B + 1 constraints).
    public mutating func rangeCheck(_ x: LinearCombination, _ what: String) throws(MLError) {
        try assertBits(x + LinearCombination(constant: Fr(UInt64(1) << UInt64(bits - 1))), count: bits, what)
    }

    /// The outputs of `rescale`, exposed so that tests can forge them.
    public struct Rescaled: Sendable {
        public let quotient: Variable
        public let remainder: Variable
    }

    /// x rescaled by 2^k (k = f by default: a sum of products at scale 2^2f back to 2^f),
    /// rounding half up, floor((x + 2^(k−1)) / 2^k): x + 2^(k−1) = q·2^k + rem with rem ∈ [0, 2^k) by k
    /// bits and q range-checked to B bits. The caller guarantees |x| < r/4 (a sum of products of
    /// B-bit values), so (q, rem) is the only decomposition.
    public mutating func rescale(_ x: LinearCombination, by k: Int? = nil, _ what: String) throws(MLError) -> Rescaled {
        let k = k ?? fixedPoint.scale
        let xv = try signedValue(x, what)
        let (shifted, overflow) = xv.addingReportingOverflow(Int64(1) << Int64(k - 1))
        guard !overflow else { throw .outOfRange("\(what) overflows 63 bits") }
        let q = shifted >> Int64(k)
        let rem = shifted - (q << Int64(k))
        let qv = cs.addWitness(Fr(signed: q))
        let rv = cs.addWitness(Fr(signed: rem))
        cs.enforce(
            qv * Fr(UInt64(1) << UInt64(k)) + rv, LinearCombination(.one),
            x + LinearCombination(constant: Fr(UInt64(1) << UInt64(k - 1))), name: "\(what): quotient and remainder")
        try assertBits(LinearCombination(rv), count: k, "\(what) remainder")
        try rangeCheck(LinearCombination(qv), "\(what) quotient")
        return Rescaled(quotient: qv, remainder: rv)
    }

    /// The bit [x ≥ 0] for x known to lie in [−2^(w−1), 2^(w−1)): the top bit of x + 2^(w−1)
    /// decomposed into w bits (w + 1 constraints).
    public mutating func isNonNegative(_ x: LinearCombination, width w: Int, _ what: String) throws(MLError) -> Variable {
        let b = try assertBits(x + LinearCombination(constant: Fr(UInt64(1) << UInt64(w - 1))), count: w, what)
        return b[w - 1]
    }

    /// The bit [a ≥ b] for B-bit values a and b (their difference needs B + 1 bits).
    public mutating func greaterOrEqual(_ a: LinearCombination, _ b: LinearCombination, _ what: String) throws(MLError) -> Variable {
        try isNonNegative(a - b, width: bits + 1, what)
    }

    /// max(x, 0) for a B-bit x: s = [x ≥ 0], y = s·x (B + 2 constraints). Returns y.
    public mutating func relu(_ x: LinearCombination, _ what: String) throws(MLError) -> Variable {
        let s = try isNonNegative(x, width: bits, "\(what) sign")
        let y = cs.addWitness(cs.value(of: s) * cs.value(of: x))
        cs.enforce(LinearCombination(s), x, LinearCombination(y), name: "\(what): relu")
        return y
    }

    /// s·x for a bit s (one constraint).
    public mutating func select(_ s: Variable, _ x: LinearCombination, _ what: String) -> Variable {
        let y = cs.addWitness(cs.value(of: s) * cs.value(of: x))
        cs.enforce(LinearCombination(s), x, LinearCombination(y), name: what)
        return y
    }

    /// A one-hot vector e (booleans summing to one) with Σ j·e_j = the returned index.
    public mutating func oneHot(_ index: Int, count n: Int, _ what: String) -> [Variable] {
        let e = (0..<n).map { cs.addWitness($0 == index ? .one : .zero) }
        var sum = LinearCombination.zero
        for (j, v) in e.enumerated() {
            cs.enforce(LinearCombination(v), LinearCombination(v), LinearCombination(v), name: "\(what): entry \(j) is 0 or 1")
            sum = sum + LinearCombination(v)
        }
        cs.enforce(sum, LinearCombination(.one), LinearCombination(.one), name: "\(what): exactly one entry is 1")
        return e
    }

    /// The index of the first maximum of B-bit values xs, as a one-hot vector e: e is one-hot,
    /// m = Σ e_j·x_j, and for every j, m − x_j − [j < k] ∈ [0, 2^B) where [j < k] = Σ_{i>j} e_i.
    /// So x_k ≥ every x_j, and > every x_j before k: k is the first maximum, nothing else.
    /// Costs n(B + 3) + 1 constraints.
    public mutating func argmax(_ xs: [LinearCombination], _ what: String) throws(MLError) -> [Variable] {
        precondition(!xs.isEmpty)
        let values = try xs.enumerated().map { (j, x) throws(MLError) in try signedValue(x, "\(what)[\(j)]") }
        var k = 0
        for j in values.indices where values[j] > values[k] { k = j }
        let e = oneHot(k, count: xs.count, "\(what) one-hot")
        var m = LinearCombination.zero
        for (j, x) in xs.enumerated() { m = m + LinearCombination(select(e[j], x, "\(what): e[\(j)]·x[\(j)]")) }
        for j in xs.indices {
            var after = LinearCombination.zero
            for i in (j + 1)..<xs.count { after = after + LinearCombination(e[i]) }
            try assertBits(m - xs[j] - after, count: bits, "\(what): x[k] beats x[\(j)]")
        }
        return e
    }

    /// The documented sigmoid approximation σ̂(z) = clamp(1/2 + 3z/16, 0, 1) (a "hard sigmoid";
    /// max |σ̂ − σ| ≈ 0.065, at z ≈ ±2.7 where it saturates) in fixed point:
    /// u = 2^(f−1) + floor((3z + 8) / 16), then clamped to [0, 2^f]. About 3B + 12 constraints.
    public mutating func sigmoid(_ z: LinearCombination, _ what: String) throws(MLError) -> LinearCombination {
        let t = try rescale(z * Fr(3), by: 4, "\(what) slope")
        let u = LinearCombination(t.quotient) + LinearCombination(constant: Fr(UInt64(fixedPoint.one >> 1)))
        let positive = try isNonNegative(u, width: bits + 1, "\(what) lower clamp")
        let low = select(positive, u, "\(what): clamp at 0")
        let above = try isNonNegative(u - LinearCombination(constant: Fr(UInt64(fixedPoint.one))), width: bits + 1, "\(what) upper clamp")
        // y = low + above·(2^f − low)
        let excess = select(above, LinearCombination(constant: Fr(UInt64(fixedPoint.one))) - LinearCombination(low), "\(what): clamp at 1")
        return LinearCombination(low) + LinearCombination(excess)
    }
}

/// The plain-integer references of the gadgets (the same arithmetic, no circuit), used by
/// `evaluate` and by the tests.
public enum FixedPointReference {
    public static func relu(_ x: Int64) -> Int64 { max(x, 0) }

    /// The first index of the maximum.
    public static func argmax(_ xs: [Int64]) -> Int {
        var k = 0
        for j in xs.indices where xs[j] > xs[k] { k = j }
        return k
    }

    /// clamp(2^(f−1) + floor((3z + 8) / 16), 0, 2^f).
    public static func sigmoid(_ z: Int64, _ fp: FixedPoint) -> Int64 {
        let u = (fp.one >> 1) + ((3 * z + 8) >> 4)
        return min(max(u, 0), fp.one)
    }
}
