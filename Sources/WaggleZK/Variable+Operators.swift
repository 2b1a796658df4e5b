extension Variable {
    public static func + (a: Variable, b: Variable) -> LinearCombination { LinearCombination(a) + LinearCombination(b) }
    public static func - (a: Variable, b: Variable) -> LinearCombination { LinearCombination(a) - LinearCombination(b) }
    public static func * (a: Variable, k: Fr) -> LinearCombination { LinearCombination([(a, k)]) }
}
