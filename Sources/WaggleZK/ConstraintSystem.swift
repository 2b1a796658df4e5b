/// A rank-1 constraint system with its assignment: every constraint states ⟨a,z⟩·⟨b,z⟩ = ⟨c,z⟩
/// for z = [1, public inputs…, witnesses…].
///
/// Build it by allocating variables with their values and adding constraints; the same builder
/// code serves setup (values are then irrelevant) and proving.
public struct ConstraintSystem: Sendable {
    public struct Constraint: Sendable {
        public let a: LinearCombination
        public let b: LinearCombination
        public let c: LinearCombination
        public let name: String?
    }

    public private(set) var constraints: [Constraint] = []
    public private(set) var publicValues: [Fr] = []
    public private(set) var witnessValues: [Fr] = []

    public init() {}

    public var publicInputCount: Int { publicValues.count }
    public var witnessCount: Int { witnessValues.count }
    /// 1 + public inputs + witnesses.
    public var variableCount: Int { 1 + publicValues.count + witnessValues.count }

    public mutating func addPublicInput(_ value: Fr) -> Variable {
        publicValues.append(value)
        return Variable(.publicInput(publicValues.count - 1))
    }

    public mutating func addWitness(_ value: Fr) -> Variable {
        witnessValues.append(value)
        return Variable(.witness(witnessValues.count - 1))
    }

    /// Adds the constraint a · b = c.
    public mutating func enforce(_ a: LinearCombination, _ b: LinearCombination, _ c: LinearCombination, name: String? = nil) {
        constraints.append(Constraint(a: a, b: b, c: c, name: name))
    }

    public func value(of v: Variable) -> Fr {
        switch v.kind {
        case .one: return .one
        case .publicInput(let i): return publicValues[i]
        case .witness(let i): return witnessValues[i]
        }
    }

    /// The value of a linear combination under the current assignment.
    public func value(of lc: LinearCombination) -> Fr { lc.evaluate(value(of:)) }

    /// TESTING ONLY: replaces the assigned value of a public input or witness, so that a
    /// soundness test can hand-forge a witness (a lying remainder, a wrong comparison bit) and
    /// show that the constraints reject it. Nothing outside tests calls this: a prover builds its
    /// assignment only through `addPublicInput` and `addWitness`.
    public mutating func overwriteValueForTesting(_ v: Variable, with value: Fr) {
        switch v.kind {
        case .one: preconditionFailure("the constant one cannot be overwritten")
        case .publicInput(let i): publicValues[i] = value
        case .witness(let i): witnessValues[i] = value
        }
    }

    /// The first constraint that the assignment violates, or nil when all hold.
    public func firstUnsatisfiedConstraint() -> (index: Int, name: String?)? {
        for (i, k) in constraints.enumerated() {
            let a = k.a.evaluate(value(of:)), b = k.b.evaluate(value(of:)), c = k.c.evaluate(value(of:))
            if a * b != c { return (i, k.name) }
        }
        return nil
    }

    /// Throws `.unsatisfied` naming the first failing constraint.
    public func checkSatisfied() throws(R1CSError) {
        if let f = firstUnsatisfiedConstraint() { throw .unsatisfied(index: f.index, name: f.name) }
    }

    /// The full assignment z = [1, publics…, witnesses…].
    public var assignment: [Fr] { [.one] + publicValues + witnessValues }

    /// Rows of the QAP: the constraints followed by one row per instance variable (one and the
    /// public inputs) that makes the IC polynomials linearly independent (as arkworks does).
    var rowCount: Int { constraints.count + 1 + publicInputCount }

    /// Sparse matrices (row, variable index, coefficient) for A, B, C over `rowCount` rows.
    func sparseMatrices() -> (a: [[(Int, Fr)]], b: [[(Int, Fr)]], c: [[(Int, Fr)]]) {
        let np = publicInputCount
        func row(_ lc: LinearCombination) -> [(Int, Fr)] { lc.terms.map { ($0.variable.index(publicCount: np), $0.coefficient) } }
        var a = constraints.map { row($0.a) }
        var b = constraints.map { row($0.b) }
        var c = constraints.map { row($0.c) }
        for i in 0...np {
            a.append([(i, .one)])
            b.append([])
            c.append([])
        }
        return (a, b, c)
    }
}
