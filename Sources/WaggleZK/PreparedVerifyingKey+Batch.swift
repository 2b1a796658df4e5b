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
        try Self.batchVerify(items.map { (key: self, item: $0) }, scalars: scalars)
    }

    /// Verifies proofs under several keys (a block's contributions to several circuits) with one
    /// random linear combination, grouping the items by circuit id:
    ///
    ///   FinalExp( ∏_i ML(r_i·A_i, B_i) · ∏_k [ ML(Σ_{i∈k} r_i·vk_x_i, -γ_k) · ML(Σ_{i∈k} r_i·C_i, -δ_k) ] )
    ///     == ∏_k e(α_k, β_k)^(Σ_{i∈k} r_i)
    ///
    /// (n + 2K Miller loops for K circuits, one final exponentiation). The coefficients are
    /// derived, by Fiat-Shamir, from every (circuit id, proof, public inputs) in the order given
    /// (`batchCoefficients(for:)`), exactly as for one key. When the combined check fails, every
    /// proof is verified on its own under its key to name the bad ones.
    public static func batchVerify(_ entries: [(key: PreparedVerifyingKey, item: Groth16BatchItem)]) -> BatchVerificationResult {
        let scalars = batchCoefficients(for: entries.map { (circuitID: $0.key.circuitID, item: $0.item) })
        // The derived scalars are one non-zero scalar per item, so the scalar form cannot throw.
        do { return try batchVerify(entries, scalars: scalars) } catch {
            preconditionFailure("derived batch coefficients were refused: \(error)")
        }
    }

    static func batchVerify(
        _ entries: [(key: PreparedVerifyingKey, item: Groth16BatchItem)], scalars: [Fr]
    ) throws(Groth16Error) -> BatchVerificationResult {
        guard scalars.count == entries.count else {
            throw .malformed("batch verification needs one scalar per proof (\(entries.count) proofs, \(scalars.count) scalars)")
        }
        if scalars.contains(where: { $0.isZero }) { throw .malformed("batch verification scalars must be non-zero") }
        if entries.isEmpty { return BatchVerificationResult(invalidIndices: [], combinedCheckPassed: true) }

        let n = entries.count
        if entries.contains(where: { $0.item.publicInputs.count != $0.key.publicInputCount }) {
            return BatchVerificationResult(invalidIndices: individuallyInvalid(entries), combinedCheckPassed: false)
        }

        // Group the items by circuit, in order of first appearance (the order changes nothing in
        // the product; it only keeps the work reproducible).
        var groupIndex: [Hash256: Int] = [:]
        var groups: [(key: PreparedVerifyingKey, members: [Int])] = []
        for (i, e) in entries.enumerated() {
            if let g = groupIndex[e.key.circuitID] {
                groups[g].members.append(i)
            } else {
                groupIndex[e.key.circuitID] = groups.count
                groups.append((key: e.key, members: [i]))
            }
        }

        let rValues = scalars.map { $0.value }
        // r_i·A_i and B_i's lines, computed in parallel.
        let scaledA = Parallel.map(count: n) { i in G1Projective(entries[i].item.proof.a).multiplied(by: rValues[i]) }
        let preparedB = Parallel.map(count: n) { i in G2Prepared(entries[i].item.proof.b) }
        let affineA = G1Projective.batchAffineCoordinates(scaledA)
        var pairs = [(G1Affine, G2Prepared)]()
        pairs.reserveCapacity(n + 2 * groups.count)
        for i in 0..<n {
            guard let a = affineA[i] else { continue }
            pairs.append((G1Affine(x: a.x, y: a.y), preparedB[i]))
        }
        var rhs = Fp12.one
        for (key, members) in groups {
            // Coefficients of the IC points: (Σ r_i, Σ_i r_i·x_i1, …) over this circuit's items.
            var coeffs = [Fr](repeating: .zero, count: key.publicInputCount + 1)
            for i in members {
                let r = scalars[i]
                coeffs[0] = coeffs[0] + r
                for (j, x) in entries[i].item.publicInputs.enumerated() { coeffs[j + 1] = coeffs[j + 1] + r * x }
            }
            let vkX = key.combineIC(coeffs)
            let cSum = MultiScalarMultiplication.compute(
                bases: members.map { G1Projective(entries[$0].item.proof.c) }, scalars: members.map { rValues[$0] },
                parallel: members.count >= 16)
            pairs.append((vkX.affine, key.negGammaLines))
            pairs.append((cSum.affine, key.negDeltaLines))
            // Σ r_i as an integer (no reduction needed: e(α, β) has order r).
            rhs = rhs * key.alphaBeta.cyclotomicPower(coeffs[0].value)
        }
        // The n + 2K Miller loops in parallel parts (one per core), one final exponentiation.
        let lhs = Pairing.finalExponentiation(Pairing.parallelMultiMillerLoop(pairs, parts: Parallel.cores))
        if lhs == rhs { return BatchVerificationResult(invalidIndices: [], combinedCheckPassed: true) }
        return BatchVerificationResult(invalidIndices: individuallyInvalid(entries), combinedCheckPassed: false)
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

    static func individuallyInvalid(_ entries: [(key: PreparedVerifyingKey, item: Groth16BatchItem)]) -> [Int] {
        let ok = Parallel.map(count: entries.count) { i in
            (try? entries[i].key.verify(entries[i].item.proof, publicInputs: entries[i].item.publicInputs)) ?? false
        }
        return ok.indices.filter { !ok[$0] }
    }
}
