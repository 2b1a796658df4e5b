extension PreparedVerifyingKey {
    /// Verifies n proofs under this key with one random linear combination:
    ///
    ///   FinalExp( ∏ ML(r_i·A_i, B_i) · ML(Σ r_i·vk_x_i, -γ) · ML(Σ r_i·C_i, -δ) ) == e(α, β)^(Σ r_i)
    ///
    /// (n + 2 Miller loops, one final exponentiation). Σ r_i·vk_x_i is computed as one
    /// combination of the IC points. The scalars must be unpredictable to whoever produced the
    /// proofs; the caller supplies them (see `batchScalars(seed:count:)`). When the combined check
    /// fails, every proof is verified on its own to name the bad ones. Items with the wrong number
    /// of public inputs are reported invalid without entering the combination.
    /// Throws only when `scalars` does not hold one non-zero scalar per item.
    public func batchVerify(_ items: [Groth16BatchItem], scalars: [Fr]) throws(Groth16Error) -> BatchVerificationResult {
        guard scalars.count == items.count else {
            throw .malformed("batch verification needs one scalar per proof (\(items.count) proofs, \(scalars.count) scalars)")
        }
        if scalars.contains(where: { $0.isZero }) { throw .malformed("batch verification scalars must be non-zero") }
        if items.isEmpty { return BatchVerificationResult(invalidIndices: [], combinedCheckPassed: true) }

        let n = items.count
        let wrongCount = items.indices.filter { items[$0].publicInputs.count != publicInputCount }
        if !wrongCount.isEmpty {
            return BatchVerificationResult(invalidIndices: individuallyInvalid(items), combinedCheckPassed: false)
        }

        // Coefficients of the IC points: (Σ r_i, Σ_i r_i·x_i1, …).
        var coeffs = [Fr](repeating: .zero, count: publicInputCount + 1)
        for (item, r) in zip(items, scalars) {
            coeffs[0] = coeffs[0] + r
            for (j, x) in item.publicInputs.enumerated() { coeffs[j + 1] = coeffs[j + 1] + r * x }
        }
        let vkX = combineIC(coeffs)

        let rValues = scalars.map { $0.value }
        let cSum = MultiScalarMultiplication.compute(
            bases: items.map { G1Projective($0.proof.c) }, scalars: rValues, parallel: n >= 16)

        // r_i·A_i and B_i's lines, computed in parallel.
        let scaledA = Parallel.map(count: n) { i in G1Projective(items[i].proof.a).multiplied(by: rValues[i]) }
        let preparedB = Parallel.map(count: n) { i in G2Prepared(items[i].proof.b) }
        let affineA = G1Projective.batchAffineCoordinates(scaledA)
        var pairs = [(G1Affine, G2Prepared)]()
        pairs.reserveCapacity(n + 2)
        for i in 0..<n {
            guard let a = affineA[i] else { continue }
            pairs.append((G1Affine(x: a.x, y: a.y), preparedB[i]))
        }
        pairs.append((vkX.affine, negGammaLines))
        pairs.append((cSum.affine, negDeltaLines))
        let lhs = Pairing.finalExponentiation(Pairing.multiMillerLoop(pairs))
        // Σ r_i as an integer (no reduction needed: α·β has order r).
        let rhs = alphaBeta.cyclotomicPower(coeffs[0].value)
        if lhs == rhs { return BatchVerificationResult(invalidIndices: [], combinedCheckPassed: true) }
        return BatchVerificationResult(invalidIndices: individuallyInvalid(items), combinedCheckPassed: false)
    }

    /// Batch verification with scalars derived from a caller-chosen seed (see `batchScalars`).
    public func batchVerify(_ items: [Groth16BatchItem], seed: Fr) throws(Groth16Error) -> BatchVerificationResult {
        try batchVerify(items, scalars: Self.batchScalars(seed: seed, count: items.count))
    }

    /// r_i = the low 128 bits of Poseidon(seed, i) (1 if that is zero). 128-bit scalars bound the
    /// chance that an invalid batch passes by about 2^-128 while halving the cost of r_i·A_i.
    public static func batchScalars(seed: Fr, count: Int) -> [Fr] {
        (0..<count).map { i in
            let h = (try? Poseidon.hash([seed, Fr(UInt64(i))])) ?? .one
            let v = h.value
            let low = UInt256(v.l0, v.l1, 0, 0)
            return low.isZero ? .one : Fr(low)!
        }
    }

    func individuallyInvalid(_ items: [Groth16BatchItem]) -> [Int] {
        let ok = Parallel.map(count: items.count) { i in
            (try? verify(items[i].proof, publicInputs: items[i].publicInputs)) ?? false
        }
        return ok.indices.filter { !ok[$0] }
    }
}
