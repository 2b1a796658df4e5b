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

    /// The same combination with one term per variable (coefficients summed, zero terms dropped,
    /// variables in order of first appearance): keeps combinations small when gadgets such as
    /// Poseidon's linear layers add many of them together.
    public func simplified() -> LinearCombination {
        var position = [Variable: Int]()
        var merged = [(variable: Variable, coefficient: Fr)]()
        merged.reserveCapacity(terms.count)
        for t in terms {
            if let i = position[t.variable] {
                merged[i].coefficient = merged[i].coefficient + t.coefficient
            } else {
                position[t.variable] = merged.count
                merged.append(t)
            }
        }
        return LinearCombination(merged.filter { !$0.coefficient.isZero })
    }

    /// The value under an assignment lookup.
    func evaluate(_ value: (Variable) -> Fr) -> Fr {
        var acc = Fr.zero
        for t in terms { acc = acc + t.coefficient * value(t.variable) }
        return acc
    }
}
