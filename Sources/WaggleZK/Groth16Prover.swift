/// The Groth16 prover: QAP witness polynomial via NTTs, then five multi-scalar multiplications
/// (Pippenger, all cores). The blinding scalars r and s are supplied by the caller.
public enum Groth16Prover {
    /// A proof that the constraint system's assignment satisfies it, plus its public inputs.
    /// Throws `.unsatisfied` (naming the first failing constraint) or `.shapeMismatch`.
    public static func prove(
        _ pk: Groth16ProvingKey, _ cs: ConstraintSystem, r: Fr, s: Fr
    ) throws(R1CSError) -> (proof: Groth16Proof, publicInputs: [Fr]) {
        guard cs.constraints.count == pk.constraintCount, cs.publicInputCount == pk.publicInputCount,
            cs.witnessCount == pk.witnessCount
        else {
            throw .shapeMismatch(
                "key: \(pk.constraintCount) constraints, \(pk.publicInputCount) public, \(pk.witnessCount) witness; "
                    + "system: \(cs.constraints.count), \(cs.publicInputCount), \(cs.witnessCount)")
        }
        try cs.checkSatisfied()
        guard let domain = EvaluationDomain(minimumSize: pk.domainSize) else { throw .shapeMismatch("domain") }
        let z = cs.assignment
        let h = quotientCoefficients(cs, z, domain)

        let zScalars = z.map { $0.value }
        let np = cs.publicInputCount
        let witnessScalars = Array(zScalars[(np + 1)...])
        let hScalars = h.prefix(domain.size - 1).map { $0.value }

        let msmA = MultiScalarMultiplication.compute(bases: pk.aQuery, scalars: zScalars)
        let msmB2 = MultiScalarMultiplication.compute(bases: pk.bG2Query, scalars: zScalars)
        let msmB1 = MultiScalarMultiplication.compute(bases: pk.bG1Query, scalars: zScalars)
        let msmL = MultiScalarMultiplication.compute(bases: pk.lQuery, scalars: witnessScalars)
        let msmH = MultiScalarMultiplication.compute(bases: pk.hQuery, scalars: hScalars)

        let delta1 = G1Projective(pk.deltaG1)
        let a = G1Projective(pk.alphaG1) + msmA + delta1.multiplied(by: r.value)
        let b2 = G2Projective(pk.betaG2) + msmB2 + G2Projective(pk.deltaG2).multiplied(by: s.value)
        let b1 = G1Projective(pk.betaG1) + msmB1 + delta1.multiplied(by: s.value)
        let c = msmL + msmH + a.multiplied(by: s.value) + b1.multiplied(by: r.value)
            - delta1.multiplied(by: (r * s).value)
        return (Groth16Proof(trusted: a.affine, b2.affine, c.affine), cs.publicValues)
    }

    /// h(x) = (a(x)·b(x) - c(x)) / Z(x), computed on the coset g·⟨ω⟩.
    static func quotientCoefficients(_ cs: ConstraintSystem, _ z: [Fr], _ domain: EvaluationDomain) -> [Fr] {
        let n = domain.size
        let np = cs.publicInputCount
        var a = [Fr](repeating: .zero, count: n)
        var b = [Fr](repeating: .zero, count: n)
        var c = [Fr](repeating: .zero, count: n)
        @inline(__always) func eval(_ lc: LinearCombination) -> Fr {
            var acc = Fr.zero
            for t in lc.terms { acc = acc + t.coefficient * z[t.variable.index(publicCount: np)] }
            return acc
        }
        for (i, k) in cs.constraints.enumerated() {
            a[i] = eval(k.a)
            b[i] = eval(k.b)
            c[i] = eval(k.c)
        }
        // The instance rows (see ConstraintSystem.sparseMatrices): A = z_j, B = C = 0.
        for j in 0...np { a[cs.constraints.count + j] = z[j] }
        domain.intt(&a); domain.cosetNTT(&a)
        domain.intt(&b); domain.cosetNTT(&b)
        domain.intt(&c); domain.cosetNTT(&c)
        let zInv = domain.vanishingOnCoset.inverse()
        var h = [Fr](repeating: .zero, count: n)
        for i in 0..<n { h[i] = (a[i] * b[i] - c[i]) * zInv }
        domain.cosetINTT(&h)
        return h
    }
}
