extension Poseidon {
    /// Poseidon(inputs) as R1CS constraints appended to `cs`: the same permutation as `hash`
    /// (circomlib's Poseidon(n) template), with each S-box x⁵ costing three constraints
    /// (x², x⁴, x⁵) and every round-constant addition and MDS multiplication kept linear. A
    /// width-t hash costs 3 · (8t + partial rounds) constraints. Returns the output as a linear
    /// combination whose value equals `hash` of the inputs' values.
    public static func hash(
        _ inputs: [LinearCombination], in cs: inout ConstraintSystem
    ) throws(PoseidonError) -> LinearCombination {
        guard let p = PoseidonParameters.forWidth(inputs.count + 1), !inputs.isEmpty else {
            throw .unsupportedInputCount(inputs.count)
        }
        let t = p.width
        var state = [LinearCombination.zero] + inputs
        let rounds = PoseidonParameters.fullRounds + p.partialRounds
        let half = PoseidonParameters.fullRounds / 2
        for r in 0..<rounds {
            for i in 0..<t { state[i] = state[i] + LinearCombination(constant: p.roundConstants[r * t + i]) }
            if r < half || r >= half + p.partialRounds {
                for i in 0..<t { state[i] = sbox(state[i], &cs) }
            } else {
                state[0] = sbox(state[0], &cs)
            }
            var next = [LinearCombination]()
            next.reserveCapacity(t)
            for i in 0..<t {
                var acc = LinearCombination.zero
                for j in 0..<t { acc = acc + state[j] * p.mds[i][j] }
                next.append(acc.simplified())
            }
            state = next
        }
        return state[0]
    }

    /// x⁵ with three constraints; returns the fresh variable holding it.
    static func sbox(_ x: LinearCombination, _ cs: inout ConstraintSystem) -> LinearCombination {
        let xv = cs.value(of: x)
        let x2v = xv.squared(), x4v = x2v.squared()
        let x2 = cs.addWitness(x2v)
        cs.enforce(x, x, LinearCombination(x2), name: "poseidon x^2")
        let x4 = cs.addWitness(x4v)
        cs.enforce(LinearCombination(x2), LinearCombination(x2), LinearCombination(x4), name: "poseidon x^4")
        let x5 = cs.addWitness(x4v * xv)
        cs.enforce(LinearCombination(x4), x, LinearCombination(x5), name: "poseidon x^5")
        return LinearCombination(x5)
    }
}
