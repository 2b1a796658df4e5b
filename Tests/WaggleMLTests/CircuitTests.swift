import Testing
import WaggleML
import WaggleTesting
import WaggleZK

/// Each family end to end at small shapes (setup, prove, verify with WaggleZK), and soundness:
/// the prover refuses a false claim with its reason, and a hand-forged witness or public input
/// fails the constraints (so it cannot be proven).
struct CircuitTests {
    static let binding = Fr(987_654_321)

    /// Logistic regression on 2 features: class 1 iff 0.75·a − 0.5·b + 0.25 ≥ 0.
    static func logistic() throws -> QuantizedModel {
        try QuantizedModel.fromJSON(
            Array(#"{"format":"waggle-model-v1","layers":[{"weights":[[0.75,-0.5]],"bias":[0.25],"activation":"none"}]}"#.utf8),
            fixedPoint: fp16)
    }

    /// Four samples: the model gets three right (the last label is wrong on purpose).
    static func data() throws -> QuantizedDataset {
        try QuantizedDataset.fromCSV("a,b,label\n1,0.5,1\n-1,1,0\n0.2,3,0\n2,-1,0\n", label: "label", fixedPoint: fp16)
    }

    /// An MLP 2-2-3 (dense, ReLU, dense; 15 parameters) with seeded weights.
    static func smallMLP(seed: UInt64) throws -> QuantizedModel {
        try CommitmentTests.mlp(seed: seed, features: 2, hidden: [2], classes: 3)
    }

    static func proveAndVerify(_ circuit: MLCircuit, setup: MLCircuit) throws -> Bool {
        let pk = try Groth16Setup.generate(setup.system, randomness: Groth16SetupRandomness(seed: Fr(42)))
        let (proof, pub) = try Groth16Prover.prove(pk, circuit.system, r: Fr(5), s: Fr(6))
        let vk = PreparedVerifyingKey(pk.verifyingKey)
        let ok = try vk.verify(proof, publicInputs: pub)
        // The same proof does not verify for another sender's binding input.
        var other = pub
        other[MLCircuitFamily.bindingInputIndex] = other[MLCircuitFamily.bindingInputIndex] + .one
        return try ok && !vk.verify(proof, publicInputs: other)
    }

    @Test func accuracyProvesTheTrueCountAndRefusesABetterOne() throws {
        let model = try Self.logistic(), data = try Self.data()
        #expect(try data.correctCount(model) == 3)
        let circuit = try AccuracyCircuit.build(model: model, dataset: data, minCorrect: 3, binding: Self.binding)
        #expect(circuit.system.isSatisfied)
        #expect(circuit.publicInputs == [Self.binding, MLCommitment.model(model), MLCommitment.dataset(data), Fr(3)])
        let setup = try AccuracyCircuit.setupInstance(shape: model.shape, samples: 4, fixedPoint: fp16)
        #expect(setup.system.constraints.count == circuit.system.constraints.count)
        #expect(try Self.proveAndVerify(circuit, setup: setup))

        // The prover refuses a claim of 4 of 4, with the reason.
        #expect(throws: MLError.claimNotSupported("the model classifies 3 of 4 samples correctly, fewer than the claimed 4")) {
            try AccuracyCircuit.build(model: model, dataset: data, minCorrect: 4, binding: Self.binding)
        }
        // Forged: the public claim raised to 4, or the wrong sample's correctness bit set.
        #expect(!circuit.system.forging(Variable(.publicInput(3)), Fr(4)).isSatisfied)
        let wrong = circuit.handles[3]
        #expect(circuit.system.value(of: LinearCombination(wrong)) == .zero)
        #expect(!circuit.system.forging(wrong, .one).isSatisfied)
        // Another dataset or model commitment fails too.
        #expect(!circuit.system.forging(Variable(.publicInput(2)), MLCommitment.dataset(data) + .one).isSatisfied)
        #expect(!circuit.system.forging(Variable(.publicInput(1)), MLCommitment.model(model) + .one).isSatisfied)
    }

    @Test func accuracyOfAMultilayerPerceptronMatchesEvaluation() throws {
        let model = try Self.smallMLP(seed: 11)
        let data = try CommitmentTests.dataset(features: 2, samples: 3, classes: 3, seed: 12)
        let correct = try data.correctCount(model)
        let circuit = try AccuracyCircuit.build(model: model, dataset: data, minCorrect: correct, binding: Self.binding)
        #expect(circuit.system.isSatisfied)
        #expect(circuit.handles.filter { circuit.system.value(of: LinearCombination($0)) == .one }.count == correct)
        #expect(throws: MLError.self) {
            try AccuracyCircuit.build(model: model, dataset: data, minCorrect: correct + 1, binding: Self.binding)
        }
        #expect(!circuit.system.forging(Variable(.publicInput(3)), Fr(UInt64(correct + 1))).isSatisfied)
        for h in circuit.handles {
            let v = circuit.system.value(of: LinearCombination(h))
            #expect(!circuit.system.forging(h, .one - v).isSatisfied)
        }
    }

    @Test func inferenceProvesThePredictedClassAndRefusesAnother() throws {
        let model = try Self.logistic()
        let x: [Int64] = [65536, 32768]
        #expect(try model.predict(x) == 1)
        let circuit = try InferenceCircuit.build(model: model, input: x, outputClass: 1, binding: Self.binding)
        #expect(circuit.publicInputs == [Self.binding, MLCommitment.model(model), Fr(65536), Fr(32768), Fr(1)])
        let setup = try InferenceCircuit.setupInstance(shape: model.shape, fixedPoint: fp16)
        #expect(try Self.proveAndVerify(circuit, setup: setup))
        #expect(throws: MLError.claimNotSupported("the model maps this input to class 1, not 0")) {
            try InferenceCircuit.build(model: model, input: x, outputClass: 0, binding: Self.binding)
        }
        #expect(!circuit.system.forging(Variable(.publicInput(4)), .zero).isSatisfied)
        var both = circuit.system.forging(Variable(.publicInput(4)), .zero)
        both.overwriteValueForTesting(circuit.handles[0], with: .zero)
        #expect(!both.isSatisfied)
        // Another input with the same claimed class still must match the model: flip the input.
        #expect(!circuit.system.forging(Variable(.publicInput(2)), Fr(signed: -65536 * 4)).isSatisfied)
    }

    @Test func inferenceOfAMultilayerPerceptronNamesTheArgmax() throws {
        let model = try Self.smallMLP(seed: 13)
        let x: [Int64] = [40_000, -70_000]
        let k = try model.predict(x)
        let circuit = try InferenceCircuit.build(model: model, input: x, outputClass: k, binding: Self.binding)
        #expect(circuit.system.isSatisfied)
        for other in 0..<3 where other != k {
            #expect(throws: MLError.self) { try InferenceCircuit.build(model: model, input: x, outputClass: other, binding: Self.binding) }
            var forged = circuit.system.forging(Variable(.publicInput(4)), Fr(UInt64(other)))
            forged.overwriteValueForTesting(circuit.handles[k], with: .zero)
            forged.overwriteValueForTesting(circuit.handles[other], with: .one)
            #expect(!forged.isSatisfied)
        }
    }

    @Test func trainStepProvesTheUpdateAndRefusesOtherWeights() throws {
        let model = try Self.logistic(), data = try Self.data()
        let eta: Int64 = 8192  // 0.125 (0.5 over a batch of 4)
        let updated = try TrainStepCircuit.step(model: model, dataset: data, learningRate: eta)
        #expect(updated != model)
        let circuit = try TrainStepCircuit.build(model: model, dataset: data, learningRate: eta, updated: updated, binding: Self.binding)
        #expect(circuit.publicInputs == [Self.binding, MLCommitment.dataset(data), MLCommitment.model(model), MLCommitment.model(updated), Fr(8192)])
        let setup = try TrainStepCircuit.setupInstance(features: 2, samples: 4, fixedPoint: fp16)
        #expect(try Self.proveAndVerify(circuit, setup: setup))

        var p = updated.parameters
        p[0] += 1
        let other = try QuantizedModel(fixedPoint: fp16, shape: model.shape, parameters: p)
        #expect(throws: MLError.self) {
            try TrainStepCircuit.build(model: model, dataset: data, learningRate: eta, updated: other, binding: Self.binding)
        }
        // Forged: the claimed w' commitment, an updated weight, or the learning rate.
        #expect(!circuit.system.forging(Variable(.publicInput(3)), MLCommitment.model(other)).isSatisfied)
        var w = circuit.system.forging(circuit.handles[0], Fr(signed: p[0]))
        w.overwriteValueForTesting(Variable(.publicInput(3)), with: MLCommitment.model(other))
        #expect(!w.isSatisfied)
        #expect(!circuit.system.forging(Variable(.publicInput(4)), Fr(8193)).isSatisfied)
    }

    @Test func trainStepReferenceFollowsTheDocumentedFormula() throws {
        let model = try Self.logistic(), data = try Self.data()
        let eta: Int64 = 8192
        let fp = fp16
        let w = model.layers[0].weights[0], bias = model.layers[0].bias[0]
        let e = try data.samples.map { s in
            FixedPointReference.sigmoid(try model.logits(s.features)[0], fp) - Int64(s.label) * fp.one
        }
        var expected = [Int64]()
        for j in 0..<2 {
            let g = fp.rescale(zip(e, data.samples).map { $0 * $1.features[j] }.reduce(0, +))
            expected.append(w[j] - fp.rescale(eta * g))
        }
        expected.append(bias - fp.rescale(eta * e.reduce(0, +)))
        #expect(try TrainStepCircuit.step(model: model, dataset: data, learningRate: eta).parameters == expected)
    }

    @Test func constraintCountsBySmallShape() throws {
        let acc = try AccuracyCircuit.setupInstance(shape: try MLShape(features: 2, classes: 2), samples: 4, fixedPoint: fp16)
        let inf = try InferenceCircuit.setupInstance(shape: try MLShape(features: 2, classes: 2), fixedPoint: fp16)
        let train = try TrainStepCircuit.setupInstance(features: 2, samples: 4, fixedPoint: fp16)
        print("constraints: accuracy 2 features 4 samples \(acc.system.constraints.count), inference 2-1 \(inf.system.constraints.count), train-step 2 features 4 samples \(train.system.constraints.count)")
        // Setup instances have the documented public input counts.
        #expect(acc.system.publicInputCount == 4)
        #expect(inf.system.publicInputCount == 5)
        #expect(train.system.publicInputCount == 5)
    }
}
