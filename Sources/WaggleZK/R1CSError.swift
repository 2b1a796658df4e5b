/// Why a constraint system cannot be proven.
public enum R1CSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Constraint `index` (named `name` when it was given one) is not satisfied: a·b != c.
    case unsatisfied(index: Int, name: String?)
    /// The proving key was made for a different shape (constraints / inputs / witnesses).
    case shapeMismatch(String)

    public var description: String {
        switch self {
        case .unsatisfied(let i, let name): return "constraint \(i)\(name.map { " (\($0))" } ?? "") is not satisfied"
        case .shapeMismatch(let why): return "proving key does not fit the constraint system: \(why)"
        }
    }
}
