import WaggleCore

extension PreparedVerifyingKey {
    /// Verifies n proofs under this key with one random linear combination:
    ///
    ///   FinalExp( ∏ ML(r_i·A_i, B_i) · ML(Σ r_i·vk_x_i, -γ) · ML(Σ r_i·C_i, -δ) ) == e(α, β)^(Σ r_i)
    ///
    /// (n + 2 Miller loops, one final exponentiation). The coefficients r_i are derived here, by
    /// Fiat-Shamir, from every batched (circuit id, proof, public inputs) in order
    /// (`batchCoefficients(for:)`, Docs/ZK.md "Batch verification"): whoever made the proofs
    /// fixed them before the coefficients existed, so no choice of proofs can make invalid ones
    /// cancel. When the combined check fails, every proof is verified on its own to name the bad
    /// ones. Items with the wrong number of public inputs are reported invalid without entering the
    /// combination.
    public func batchVerify(_ items: [Groth16BatchItem]) -> BatchVerificationResult {
        let scalars = Self.batchCoefficients(for: items.map { (circuitID: circuitID, item: $0) })
        // The derived scalars are one non-zero scalar per item, so the scalar form cannot throw.
        do { return try batchVerify(items, scalars: scalars) } catch {
            preconditionFailure("derived batch coefficients were refused: \(error)")
        }
    }

    /// The batch check with caller-chosen scalars (one non-zero Fr per item). Internal: a caller
    /// who chooses (or can predict) the scalars can make invalid proofs cancel; the tests reach it
    /// with `@testable import` to show exactly that.
    func batchVerify(_ items: [Groth16BatchItem], scalars: [Fr]) throws(Groth16Error) -> BatchVerificationResult {
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

    /// The scheme this module used before the coefficients came from the batch: r_i from a
    /// caller-chosen seed and the position only (the low 128 bits of Poseidon(seed, i)). Kept,
    /// internal, for the test that shows why it was unsound.
    func batchVerify(_ items: [Groth16BatchItem], seed: Fr) throws(Groth16Error) -> BatchVerificationResult {
        try batchVerify(items, scalars: Self.batchScalars(seed: seed, count: items.count))
    }

    /// See `batchVerify(_:seed:)`: r_i = the low 128 bits of Poseidon(seed, i) (1 if zero).
    static func batchScalars(seed: Fr, count: Int) -> [Fr] {
        (0..<count).map { i in
            let h = (try? Poseidon.hash([seed, Fr(UInt64(i))])) ?? .one
            let v = h.value
            let low = UInt256(v.l0, v.l1, 0, 0)
            return low.isZero ? .one : Fr(low)!
        }
    }

    /// The Fiat-Shamir seed of a batch: SHA-256 over a domain tag and every item, in order:
    ///
    ///   seed = SHA-256(0x16 ‖ u32 n ‖ item_1 ‖ … ‖ item_n)
    ///   item = circuit id (32) ‖ proof (256: A ‖ B ‖ C, canonical) ‖ u32 k ‖ x_1 (32) ‖ … ‖ x_k (32)
    ///
    /// (public inputs as 32-byte big-endian integers < r). Items that will be reported for a wrong
    /// input count are hashed like the others.
    static func batchSeed(for items: [(circuitID: Hash256, item: Groth16BatchItem)]) -> Hash256 {
        var e = CanonicalEncoder(capacity: 16 + items.count * (32 + 256 + 4 + 32 * 4))
        e.u32(UInt32(items.count))
        for (id, item) in items {
            e.fixed(id.bytes)
            item.proof.encode(to: &e)
            e.u32(UInt32(item.publicInputs.count))
            for x in item.publicInputs { e.fixed(x.value.bigEndianBytes) }
        }
        return HashDomain.hash(HashDomain.groth16Batch, e.bytes)
    }

    /// r_i = the first 16 bytes of SHA-256(seed ‖ u32 i) as a big-endian integer (1 if zero), for
    /// i = 0..<n, with `seed = batchSeed(for: items)`. 128-bit scalars bound the chance that an
    /// invalid batch passes by about 2^-128 while halving the cost of r_i·A_i.
    static func batchCoefficients(for items: [(circuitID: Hash256, item: Groth16BatchItem)]) -> [Fr] {
        let seed = batchSeed(for: items).bytes
        return (0..<items.count).map { i in
            var e = CanonicalEncoder(capacity: 36)
            e.fixed(seed)
            e.u32(UInt32(i))
            let h = Hash256.sha256(e.bytes).bytes
            let low = UInt256(bigEndian: [UInt8](repeating: 0, count: 16) + Array(h[0..<16]))
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
