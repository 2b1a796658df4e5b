/// Σ coefficient · variable.
public struct LinearCombination: Sendable {
    public var terms: [(variable: Variable, coefficient: Fr)]

    public init(_ terms: [(variable: Variable, coefficient: Fr)] = []) { self.terms = terms }

    public init(_ v: Variable) { self.terms = [(v, .one)] }

    /// The constant c (c · one).
    public init(constant c: Fr) { self.terms = c.isZero ? [] : [(.one, c)] }

    public static var zero: LinearCombination { LinearCombination() }

    public static func + (a: LinearCombination, b: LinearCombination) -> LinearCombination {
        LinearCombination(a.terms + b.terms)
    }

    public static func - (a: LinearCombination, b: LinearCombination) -> LinearCombination {
        LinearCombination(a.terms + b.terms.map { ($0.variable, -$0.coefficient) })
    }

    public static func * (a: LinearCombination, k: Fr) -> LinearCombination {
        LinearCombination(a.terms.map { ($0.variable, $0.coefficient * k) })
    }

    public static func + (a: LinearCombination, v: Variable) -> LinearCombination { a + LinearCombination(v) }

    /// The value under an assignment lookup.
    func evaluate(_ value: (Variable) -> Fr) -> Fr {
        var acc = Fr.zero
        for t in terms { acc = acc + t.coefficient * value(t.variable) }
        return acc
    }
}
