/// Circuit-specific Groth16 setup (QAP over a radix-2 domain) from caller-supplied randomness.
public enum Groth16Setup {
    public static func generate(
        _ cs: ConstraintSystem, randomness rnd: Groth16SetupRandomness
    ) throws(Groth16SetupError) -> Groth16ProvingKey {
        if rnd.tau.isZero || rnd.alpha.isZero || rnd.beta.isZero || rnd.gamma.isZero || rnd.delta.isZero {
            throw .zeroRandomness
        }
        guard let domain = EvaluationDomain(minimumSize: cs.rowCount) else { throw .circuitTooLarge(cs.rowCount) }
        let n = domain.size
        let zTau = rnd.tau.power(UInt256(UInt64(n))) - .one
        if zTau.isZero { throw .tauInDomain }

        // Lagrange basis at τ: L_j(τ) = Z(τ)/n · ω^j / (τ - ω^j).
        var denominators = [Fr](repeating: .zero, count: n)
        var w = Fr.one
        var omegas = [Fr](repeating: .one, count: n)
        for j in 0..<n {
            omegas[j] = w
            denominators[j] = rnd.tau - w
            w = w * domain.omega
        }
        let inverses = batchInverse(denominators)
        let zOverN = zTau * domain.sizeInverse
        let lagrange = (0..<n).map { zOverN * omegas[$0] * inverses[$0] }

        // u_k(τ), v_k(τ), w_k(τ).
        let m = cs.sparseMatrices()
        let vars = cs.variableCount
        var u = [Fr](repeating: .zero, count: vars)
        var v = [Fr](repeating: .zero, count: vars)
        var wv = [Fr](repeating: .zero, count: vars)
        for row in 0..<m.a.count {
            let l = lagrange[row]
            for (k, c) in m.a[row] { u[k] = u[k] + c * l }
            for (k, c) in m.b[row] { v[k] = v[k] + c * l }
            for (k, c) in m.c[row] { wv[k] = wv[k] + c * l }
        }
        let gammaInv = rnd.gamma.inverse()
        let deltaInv = rnd.delta.inverse()
        let np = cs.publicInputCount
        let combined = (0..<vars).map { rnd.beta * u[$0] + rnd.alpha * v[$0] + wv[$0] }
        let icScalars = (0...np).map { combined[$0] * gammaInv }
        let lScalars = ((np + 1)..<vars).map { combined[$0] * deltaInv }
        var hScalars = [Fr]()
        hScalars.reserveCapacity(n - 1)
        var t = zTau * deltaInv
        for _ in 0..<(n - 1) {
            hScalars.append(t)
            t = t * rnd.tau
        }

        let g1 = FixedBaseTable(G1Projective.generator)
        let g2 = FixedBaseTable(G2Projective.generator)
        let aQuery = g1.multiplyMany(u)
        let bG1Query = g1.multiplyMany(v)
        let bG2Query = g2.multiplyMany(v)
        let ic = g1.multiplyMany(icScalars).map { $0.affine }
        let lQuery = g1.multiplyMany(lScalars)
        let hQuery = g1.multiplyMany(hScalars)
        let alphaG1 = g1.multiply(rnd.alpha.value).affine
        let betaG1 = g1.multiply(rnd.beta.value).affine
        let betaG2 = g2.multiply(rnd.beta.value).affine
        let gammaG2 = g2.multiply(rnd.gamma.value).affine
        let deltaG1 = g1.multiply(rnd.delta.value).affine
        let deltaG2 = g2.multiply(rnd.delta.value).affine

        // IC points are non-zero for any circuit (the extra instance rows guarantee u_k ≠ 0).
        let vk: Groth16VerifyingKey
        do {
            vk = try Groth16VerifyingKey(
                alpha: alphaG1, beta: betaG2, gamma: gammaG2, delta: deltaG2, ic: ic)
        } catch {
            throw .zeroRandomness
        }
        return Groth16ProvingKey(
            verifyingKey: vk, constraintCount: cs.constraints.count, publicInputCount: np,
            witnessCount: cs.witnessCount, domainSize: n, alphaG1: alphaG1, betaG1: betaG1, betaG2: betaG2,
            deltaG1: deltaG1, deltaG2: deltaG2, aQuery: aQuery, bG1Query: bG1Query, bG2Query: bG2Query,
            hQuery: hQuery, lQuery: lQuery)
    }

    /// Montgomery's batch inversion (zeros stay zero).
    static func batchInverse(_ xs: [Fr]) -> [Fr] {
        var prefix = [Fr](repeating: .one, count: xs.count)
        var acc = Fr.one
        for (i, x) in xs.enumerated() {
            prefix[i] = acc
            if !x.isZero { acc = acc * x }
        }
        var inv = acc.inverse()
        var out = [Fr](repeating: .zero, count: xs.count)
        for i in stride(from: xs.count - 1, through: 0, by: -1) where !xs[i].isZero {
            out[i] = inv * prefix[i]
            inv = inv * xs[i]
        }
        return out
    }
}
