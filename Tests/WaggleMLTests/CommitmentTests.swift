import Testing
import WaggleML
import WaggleTesting
import WaggleZK

struct CommitmentTests {
    /// An MLP with seeded weights: by default 3-4-3 (31 parameters: three sponge chunks).
    static func mlp(seed: UInt64, features: Int = 3, hidden: [Int] = [4], classes: Int = 3) throws -> QuantizedModel {
        var rng = SplitMix64(seed: seed)
        let shape = try MLShape(features: features, hidden: hidden, classes: classes)
        return try QuantizedModel(
            fixedPoint: fp16, shape: shape,
            parameters: (0..<shape.parameterCount).map { _ in Int64.random(in: -70_000...70_000, using: &rng) })
    }

    static func dataset(features: Int, samples: Int, classes: Int, seed: UInt64) throws -> QuantizedDataset {
        var rng = SplitMix64(seed: seed)
        return try QuantizedDataset(
            fixedPoint: fp16, featureNames: (0..<features).map { "f\($0)" },
            samples: (0..<samples).map { _ in
                .init(features: (0..<features).map { _ in Int64.random(in: -200_000...200_000, using: &rng) }, label: Int.random(in: 0..<classes, using: &rng))
            })
    }

    @Test func modelCommitmentInsideTheCircuitEqualsTheOneOutside() throws {
        let m = try Self.mlp(seed: 7)
        var b = MLCircuitBuilder(fixedPoint: fp16)
        let params = try m.parameters.map { LinearCombination(try b.privateValue($0, "w")) }
        let c = b.commitModel(shape: m.shape, parameters: params)
        #expect(b.cs.value(of: c) == MLCommitment.model(m))
        #expect(b.cs.isSatisfied)
    }

    @Test func datasetCommitmentInsideTheCircuitEqualsTheOneOutside() throws {
        // 5 samples (padded to 8), and 16 features (a sponge leaf) with 3 samples.
        for d in [try Self.dataset(features: 3, samples: 5, classes: 3, seed: 8), try Self.dataset(features: 16, samples: 3, classes: 2, seed: 9)] {
            var b = MLCircuitBuilder(fixedPoint: fp16)
            var leaves = [LinearCombination]()
            for s in d.samples {
                let x = try s.features.map { LinearCombination(try b.privateValue($0, "x")) }
                let label = b.cs.addWitness(Fr(UInt64(s.label)))
                let leaf = b.commitLeaf(features: x, label: LinearCombination(label))
                #expect(b.cs.value(of: leaf) == MLCommitment.leaf(s))
                leaves.append(leaf)
            }
            let root = b.merkleRoot(leaves)
            #expect(b.cs.value(of: root) == MLCommitment.dataset(d))
            #expect(b.cs.isSatisfied)
        }
    }

    @Test func commitmentsFollowTheDocumentedConstruction() throws {
        let m = try Self.mlp(seed: 7)
        let p = m.parameters.map { Fr(signed: $0) }
        var h = try Poseidon.hash([16, 2, 3, 4, 3].map { Fr(UInt64($0)) })
        h = try Poseidon.hash([h] + p[0..<15])
        h = try Poseidon.hash([h] + p[15..<30])
        h = try Poseidon.hash([h, p[30]])
        #expect(MLCommitment.model(m) == h)

        let d = try Self.dataset(features: 2, samples: 3, classes: 2, seed: 10)
        let leaves = try d.samples.map { s in try Poseidon.hash(s.features.map { Fr(signed: $0) } + [Fr(UInt64(s.label))]) }
        let root = try Poseidon.hash([try Poseidon.hash([leaves[0], leaves[1]]), try Poseidon.hash([leaves[2], .zero])])
        #expect(MLCommitment.dataset(d) == root)
        // Any change of a weight, a feature or a label changes the commitment.
        var q = m.parameters
        q[30] += 1
        #expect(MLCommitment.model(try QuantizedModel(fixedPoint: fp16, shape: m.shape, parameters: q)) != h)
        var samples = d.samples
        samples[2] = .init(features: samples[2].features, label: 1 - samples[2].label)
        #expect(MLCommitment.dataset(try QuantizedDataset(fixedPoint: fp16, featureNames: d.featureNames, samples: samples)) != root)
    }

    @Test func commitmentsArePinnedGoldenValues() throws {
        let model = try QuantizedModel.fromJSON(
            Array(#"{"format":"waggle-model-v1","layers":[{"weights":[[0.5,-1.25]],"bias":[0.125],"activation":"none"}]}"#.utf8), fixedPoint: fp16)
        let data = try QuantizedDataset.fromCSV("a,b,label\n1.5,-2,1\n0.25,3,0\n-1,0.5,1\n", label: "label", fixedPoint: fp16)
        #expect(MLCommitment.model(model).description == "18926162146176943913622556341623209282260316207670729225275747494521435409619")
        #expect(MLCommitment.dataset(data).description == "15387620463284433192894198302700449547282834880105402134788283918791662059627")
    }
}
