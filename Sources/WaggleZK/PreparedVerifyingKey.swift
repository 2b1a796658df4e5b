import WaggleCore

/// A Groth16 verifying key prepared once for many verifications: e(alpha, beta) computed (never
/// read from the key file), the Miller-loop lines of beta, -gamma and -delta precomputed, and the
/// circuit id computed.
public struct PreparedVerifyingKey: Sendable {
    public let key: Groth16VerifyingKey
    /// e(alpha, beta), computed here.
    public let alphaBeta: Fp12
    /// `key.circuitID`: SHA-256(0x15 ‖ the key's canonical encoding). Batch verification hashes it
    /// into its coefficients.
    public let circuitID: Hash256
    let betaLines: G2Prepared
    let negGammaLines: G2Prepared
    let negDeltaLines: G2Prepared
    let icTables: [FixedBaseTable<G1Projective>]

    public var publicInputCount: Int { key.publicInputCount }

    /// Prepares a validated key. It does not refuse forgeable keys: call
    /// `key.requireSecretDelta()` where a key is admitted (see `Groth16VerifyingKey`).
    public init(_ key: Groth16VerifyingKey) {
        self.key = key
        self.circuitID = key.circuitID
        self.betaLines = G2Prepared(key.beta)
        self.negGammaLines = G2Prepared(-key.gamma)
        self.negDeltaLines = G2Prepared(-key.delta)
        self.alphaBeta = Pairing.finalExponentiation(Pairing.multiMillerLoop([(key.alpha, betaLines)]))
        // Fixed-base tables make vk_x cheap; skip them for keys with very many inputs.
        self.icTables = key.ic.count <= FixedBaseTable<G1Projective>.maxTablesPerKey
            ? key.ic.map { FixedBaseTable(G1Projective($0)) } : []
    }

    /// vk_x = IC_0 + Σ x_i · IC_{i+1}.
    func linearCombination(_ inputs: [Fr]) -> G1Projective {
        var acc = G1Projective(key.ic[0])
        if icTables.count == inputs.count + 1 {
            for (t, x) in zip(icTables.dropFirst(), inputs) { acc = t.accumulate(x.value, into: acc) }
        } else {
            for (i, x) in inputs.enumerated() {
                acc = acc + G1Projective(key.ic[i + 1]).multiplied(by: x.value)
            }
        }
        return acc
    }

    /// Σ coeffs[j] · IC_j.
    func combineIC(_ coeffs: [Fr]) -> G1Projective {
        if icTables.count == coeffs.count {
            var acc = G1Projective.identity
            for (t, x) in zip(icTables, coeffs) { acc = t.accumulate(x.value, into: acc) }
            return acc
        }
        return MultiScalarMultiplication.compute(bases: key.ic.map { G1Projective($0) }, scalars: coeffs.map { $0.value })
    }

    func checkCount(_ n: Int) throws(Groth16Error) {
        if n != publicInputCount { throw .wrongNumberOfPublicInputs(expected: publicInputCount, actual: n) }
    }

    /// Groth16 verification: e(A, B) == e(alpha, beta) · e(vk_x, gamma) · e(C, delta), as
    /// FinalExp(ML(A, B) · ML(vk_x, -gamma) · ML(C, -delta)) == e(alpha, beta).
    /// Throws (before any pairing) when the number of inputs is wrong; returns false when the
    /// pairing equation fails.
    public func verify(_ proof: Groth16Proof, publicInputs: [Fr]) throws(Groth16Error) -> Bool {
        try checkCount(publicInputs.count)
        let vkX = linearCombination(publicInputs).affine
        let ml = Pairing.multiMillerLoop([
            (proof.a, G2Prepared(proof.b)), (vkX, negGammaLines), (proof.c, negDeltaLines),
        ])
        return Pairing.finalExponentiation(ml) == alphaBeta
    }

    /// As `verify(_:publicInputs:)` with integer inputs, each checked to be < r.
    public func verify(_ proof: Groth16Proof, publicInputs: [UInt256]) throws(Groth16Error) -> Bool {
        try checkCount(publicInputs.count)
        return try verify(proof, publicInputs: try Self.fieldInputs(publicInputs))
    }

    static func fieldInputs(_ xs: [UInt256]) throws(Groth16Error) -> [Fr] {
        var out = [Fr]()
        out.reserveCapacity(xs.count)
        for (i, x) in xs.enumerated() {
            guard let f = Fr(x) else { throw .publicInputNotInField(index: i) }
            out.append(f)
        }
        return out
    }
}
