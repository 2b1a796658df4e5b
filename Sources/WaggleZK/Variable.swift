/// A variable of a constraint system: the constant one, a public input, or a private witness.
public struct Variable: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case one
        case publicInput(Int)
        case witness(Int)
    }

    public let kind: Kind

    public init(_ kind: Kind) { self.kind = kind }

    /// The constant 1 (variable 0 of the R1CS).
    public static let one = Variable(.one)

    /// Index in the full assignment [1, public inputs…, witnesses…].
    func index(publicCount: Int) -> Int {
        switch kind {
        case .one: return 0
        case .publicInput(let i): return 1 + i
        case .witness(let i): return 1 + publicCount + i
        }
    }
}
