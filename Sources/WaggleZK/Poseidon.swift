/// circomlib-compatible Poseidon over BN254's Fr (same outputs as circomlibjs `poseidon` and the
/// circuits in circomlib/poseidon.circom).
public enum Poseidon {
    /// Poseidon(inputs) with initial state 0 and one output.
    public static func hash(_ inputs: [Fr]) throws(PoseidonError) -> Fr {
        try hashEx(inputs, initialState: .zero, outputCount: 1)[0]
    }

    /// PoseidonEx: state = [initialState, inputs…], permuted; returns state[0..<outputCount].
    public static func hashEx(_ inputs: [Fr], initialState: Fr, outputCount: Int) throws(PoseidonError) -> [Fr] {
        guard let params = PoseidonParameters.forWidth(inputs.count + 1), !inputs.isEmpty else {
            throw .unsupportedInputCount(inputs.count)
        }
        guard outputCount >= 1 && outputCount <= inputs.count + 1 else { throw .unsupportedOutputCount(outputCount) }
        var state = [initialState] + inputs
        permute(&state, params)
        return Array(state[0..<outputCount])
    }

    @inline(__always)
    static func sbox(_ x: Fr) -> Fr {
        let x2 = x.squared()
        return x2.squared() * x
    }

    static func permute(_ state: inout [Fr], _ p: PoseidonParameters) {
        let t = p.width
        let rounds = PoseidonParameters.fullRounds + p.partialRounds
        let half = PoseidonParameters.fullRounds / 2
        var next = [Fr](repeating: .zero, count: t)
        for r in 0..<rounds {
            for i in 0..<t { state[i] = state[i] + p.roundConstants[r * t + i] }
            if r < half || r >= half + p.partialRounds {
                for i in 0..<t { state[i] = sbox(state[i]) }
            } else {
                state[0] = sbox(state[0])
            }
            for i in 0..<t {
                var acc = Fr.zero
                let row = p.mds[i]
                for j in 0..<t { acc = acc + row[j] * state[j] }
                next[i] = acc
            }
            swap(&state, &next)
        }
    }
}
