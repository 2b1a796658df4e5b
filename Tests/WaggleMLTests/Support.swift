import WaggleML
import WaggleZK
import WaggleTesting

extension ConstraintSystem {
    var isSatisfied: Bool { firstUnsatisfiedConstraint() == nil }

    /// A copy with one value replaced (the forged witness).
    func forging(_ v: Variable, _ value: Fr) -> ConstraintSystem {
        var copy = self
        copy.overwriteValueForTesting(v, with: value)
        return copy
    }
}

let fp16 = try! FixedPoint()
