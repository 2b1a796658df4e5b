import Testing
import WaggleCore

@testable import WaggleZK

/// Batch verification across circuits (a block's contributions to several circuits) and the
/// prepared-key cache.
@Suite struct MultiCircuitBatchTests {
    /// Two keys of the x³ + x + 5 = y circuit from different setups (two circuit ids), and two
    /// valid proofs under each, interleaved: [k1, k2, k1, k2].
    static func twoCircuits() throws -> (keys: [PreparedVerifyingKey], entries: [(key: PreparedVerifyingKey, item: Groth16BatchItem)]) {
        let cs3 = ProverTests.cubic(x: 3), cs4 = ProverTests.cubic(x: 4)
        let pk1 = try Groth16Setup.generate(cs3, randomness: Groth16SetupRandomness(seed: ProverTests.setupSeed))
        let pk2 = try Groth16Setup.generate(cs3, randomness: Groth16SetupRandomness(seed: Fr(31_337)))
        let k1 = PreparedVerifyingKey(pk1.verifyingKey), k2 = PreparedVerifyingKey(pk2.verifyingKey)
        var entries: [(key: PreparedVerifyingKey, item: Groth16BatchItem)] = []
        for (i, (pk, key)) in [(pk1, k1), (pk2, k2), (pk1, k1), (pk2, k2)].enumerated() {
            let (p, x) = try Groth16Prover.prove(pk, i < 2 ? cs3 : cs4, r: Fr(UInt64(3 + i)), s: Fr(UInt64(17 + i)))
            entries.append((key, Groth16BatchItem(proof: p, publicInputs: x)))
        }
        return ([k1, k2], entries)
    }

    /// The proof of another item: it does not verify for this item's inputs (or key).
    static func withForeignProof(
        _ entries: [(key: PreparedVerifyingKey, item: Groth16BatchItem)], at i: Int
    ) -> [(key: PreparedVerifyingKey, item: Groth16BatchItem)] {
        var out = entries
        let donor = entries[(i + 1) % entries.count].item.proof
        out[i] = (entries[i].key, Groth16BatchItem(proof: donor, publicInputs: entries[i].item.publicInputs))
        return out
    }

    @Test func aBatchOverSeveralCircuitsPassesOnlyWhenEveryProofVerifies() throws {
        let (keys, entries) = try Self.twoCircuits()
        #expect(keys[0].circuitID != keys[1].circuitID)
        let ok = PreparedVerifyingKey.batchVerify(entries)
        #expect(ok.combinedCheckPassed && ok.allValid)
        for i in entries.indices {
            let bad = Self.withForeignProof(entries, at: i)
            #expect(try bad[i].key.verify(bad[i].item.proof, publicInputs: bad[i].item.publicInputs) == false)
            let r = PreparedVerifyingKey.batchVerify(bad)
            #expect(!r.combinedCheckPassed && r.invalidIndices == [i], "bad proof at \(i)")
        }
        // A valid proof checked under the other circuit's key is invalid too.
        var swapped = entries
        swapped[1] = (keys[0], entries[1].item)
        #expect(PreparedVerifyingKey.batchVerify(swapped).invalidIndices == [1])
        // An item with the wrong number of inputs is named without entering the combination.
        var short = entries
        short[2] = (entries[2].key, Groth16BatchItem(proof: entries[2].item.proof, publicInputs: []))
        #expect(PreparedVerifyingKey.batchVerify(short).invalidIndices == [2])
    }

    /// The multi-circuit check agrees with single verification on random mixes of valid and
    /// invalid proofs (seeded).
    @Test func aBatchOverSeveralCircuitsAgreesWithSingleVerification() throws {
        let (_, entries) = try Self.twoCircuits()
        var seed: UInt64 = 0x5EED
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 33
        }
        for _ in 0..<8 {
            var batch: [(key: PreparedVerifyingKey, item: Groth16BatchItem)] = []
            for _ in 0..<(1 + Int(next() % 6)) {
                let i = Int(next() % UInt64(entries.count))
                batch.append(next() % 4 == 0 ? Self.withForeignProof(entries, at: i)[i] : entries[i])
            }
            let single = batch.indices.filter { i in
                !((try? batch[i].key.verify(batch[i].item.proof, publicInputs: batch[i].item.publicInputs)) ?? false)
            }
            let r = PreparedVerifyingKey.batchVerify(batch)
            #expect(r.invalidIndices == single)
            #expect(r.combinedCheckPassed == single.isEmpty)
        }
    }

    /// The cache gives the key it was given (never another), the same verdicts as a freshly
    /// prepared key, and holds at most `capacity` keys, evicting the least recently used.
    @Test func preparedKeyCacheKeepsVerdictsAndStaysWithinItsBound() throws {
        let (keys, entries) = try Self.twoCircuits()
        let pk3 = try Groth16Setup.generate(ProverTests.cubic(x: 3), randomness: Groth16SetupRandomness(seed: Fr(99)))
        let bytes = [keys[0].key.canonicalBytes, keys[1].key.canonicalBytes, pk3.verifyingKey.canonicalBytes]
        let cache = PreparedVerifyingKeyCache(capacity: 2)

        let a = try cache.prepared(canonicalBytes: bytes[0], maxPublicInputs: 256)
        #expect(a.circuitID == keys[0].circuitID && a.key == keys[0].key)
        _ = try cache.prepared(canonicalBytes: bytes[1], maxPublicInputs: 256)
        #expect(cache.statistics == .init(hits: 0, misses: 2, evictions: 0))
        // A hit for key 0 makes key 1 the least recently used.
        #expect(try cache.prepared(canonicalBytes: bytes[0], maxPublicInputs: 256).key == keys[0].key)
        #expect(cache.statistics.hits == 1)
        _ = try cache.prepared(canonicalBytes: bytes[2], maxPublicInputs: 256)
        #expect(cache.count == 2 && cache.statistics.evictions == 1)
        #expect(cache.contains(keys[0].circuitID) && !cache.contains(keys[1].circuitID))
        #expect(cache.contains(pk3.verifyingKey.circuitID))

        // Same verdicts with and without the cache, for valid and invalid proofs.
        for (i, e) in entries.enumerated() {
            let cached = try cache.prepared(canonicalBytes: e.key.key.canonicalBytes, maxPublicInputs: 256)
            #expect(cached.circuitID == e.key.circuitID)
            let bad = Self.withForeignProof(entries, at: i)[i].item
            #expect(try cached.verify(e.item.proof, publicInputs: e.item.publicInputs) == true)
            #expect(try cached.verify(bad.proof, publicInputs: bad.publicInputs) == false)
            #expect(cache.count <= 2)
        }

        // Bytes that do not decode are refused and not remembered; a key over the caller's input
        // limit is refused even after it was cached under a larger limit.
        var broken = bytes[0]
        broken[broken.count - 1] ^= 1
        #expect(throws: (any Error).self) { try cache.prepared(canonicalBytes: broken, maxPublicInputs: 256) }
        #expect(throws: (any Error).self) { try cache.prepared(canonicalBytes: bytes[0], maxPublicInputs: 0) }
        #expect(cache.count <= 2)
    }

    @Test func statementDigestIsTheSeedOfTheOneItemBatch() throws {
        let (keys, entries) = try Self.twoCircuits()
        let item = entries[0].item
        let d = item.statementDigest(circuitID: keys[0].circuitID)
        #expect(d == PreparedVerifyingKey.batchSeed(for: [(circuitID: keys[0].circuitID, item: item)]))
        #expect(d != item.statementDigest(circuitID: keys[1].circuitID))
        #expect(d != entries[2].item.statementDigest(circuitID: keys[0].circuitID))
    }
}

extension MultiCircuitBatchTests {
    /// The batch's Miller loop runs in parallel parts; their product is exactly the whole loop.
    @Test func aMillerLoopSplitIntoPartsEqualsTheWholeLoop() {
        var pairs: [(G1Affine, G2Prepared)] = []
        for i in UInt64(1)...21 {
            let p: G1Affine = G1Projective.generator.multiplied(by: UInt256(i * 7 + 1)).affine
            let q: G2Affine = G2Projective(G2Affine.generator).multiplied(by: UInt256(i + 2)).affine
            pairs.append((p, G2Prepared(q)))
        }
        let whole = Pairing.multiMillerLoop(pairs)
        for parts in [1, 2, 3, 8] {
            #expect(Pairing.parallelMultiMillerLoop(pairs, parts: parts) == whole, "\(parts) parts")
        }
        #expect(Pairing.parallelMultiMillerLoop(Array(pairs.prefix(20)), parts: 2) != whole)
    }
}
