import WaggleZK

/// The three built-in circuit families (Docs/ML.md). Each has exactly one binding public input,
/// at index 0 (`bindingInputIndex`): Poseidon(sender, task id, nonce) (Docs/CONTRIBUTIONS.md,
/// "The binding rule"); a proof is valid for one sender, task and nonce only. Every family is
/// built by one function for setup (with an all-zero instance of the shape) and for proving, so
/// the constraint system's shape never depends on the values.
public enum MLCircuitFamily: String, Sendable, CaseIterable {
    case accuracy
    case inference
    case trainStep = "train-step"

    /// The index of the binding public input in every family.
    public static let bindingInputIndex = 0

    /// The public inputs in order, by name.
    public func publicInputNames(features: Int) -> [String] {
        switch self {
        case .accuracy: return ["binding", "model_commitment", "dataset_commitment", "min_correct"]
        case .inference: return ["binding", "model_commitment"] + (0..<features).map { "input_\($0)" } + ["output_class"]
        case .trainStep: return ["binding", "dataset_commitment", "weights_commitment", "updated_weights_commitment", "learning_rate"]
        }
    }
}

/// A built circuit: the constraint system with its assignment, and handles for tests.
public struct MLCircuit: Sendable {
    public let system: ConstraintSystem
    public var publicInputs: [Fr] { system.publicValues }
    /// Variables a soundness test may forge: the per-sample correctness bits (accuracy), the
    /// predicted-class indicators (inference), the updated weights (train step).
    public let handles: [Variable]
}

extension MLCircuitBuilder {
    /// Model parameters as private, range-checked witnesses (commitment order).
    mutating func privateParameters(_ p: [Int64], _ what: String) throws(MLError) -> [LinearCombination] {
        try p.enumerated().map { (i, q) throws(MLError) in LinearCombination(try privateValue(q, "\(what) parameter \(i)")) }
    }

    /// The logits of a dense network (parameters in commitment order) on an in-circuit input:
    /// each neuron rescale(Σ w·x + b·2^f), range-checked, ReLU on hidden layers. One product
    /// constraint per weight.
    mutating func forward(_ shape: MLShape, _ params: [LinearCombination], _ input: [LinearCombination], _ what: String) throws(MLError) -> [LinearCombination] {
        var a = input
        var at = 0
        let layers = shape.dimensions.count - 1
        for l in 0..<layers {
            let (ni, no) = (shape.dimensions[l], shape.dimensions[l + 1])
            var out = [LinearCombination]()
            for o in 0..<no {
                var acc = LinearCombination.zero
                for i in 0..<ni {
                    let w = params[at + o * ni + i]
                    let p = cs.addWitness(cs.value(of: w) * cs.value(of: a[i]))
                    cs.enforce(w, a[i], LinearCombination(p), name: "\(what) layer \(l) w[\(o)][\(i)]·x[\(i)]")
                    acc = acc + LinearCombination(p)
                }
                acc = acc + params[at + no * ni + o] * Fr(UInt64(fixedPoint.one))
                let z = try rescale(acc, "\(what) layer \(l) neuron \(o)").quotient
                out.append(l == layers - 1 ? LinearCombination(z) : LinearCombination(try relu(LinearCombination(z), "\(what) layer \(l) neuron \(o)")))
            }
            at += no * (ni + 1)
            a = out
        }
        return a
    }

    /// The predicted class as indicators: one output ⇒ [s] with s = [logit ≥ 0] (class = s);
    /// several ⇒ the argmax one-hot vector (class = Σ j·e_j).
    mutating func classify(_ logits: [LinearCombination], _ what: String) throws(MLError) -> [Variable] {
        if logits.count == 1 { return [try isNonNegative(logits[0], width: bits, "\(what) sign")] }
        return try argmax(logits, "\(what) argmax")
    }

    /// The class index of indicators from `classify`.
    static func classIndex(_ e: [Variable]) -> LinearCombination {
        if e.count == 1 { return LinearCombination(e[0]) }
        var c = LinearCombination.zero
        for (j, v) in e.enumerated() where j > 0 { c = c + v * Fr(UInt64(j)) }
        return c
    }

    /// A label as indicators in the same form as `classify` (a bit, or a one-hot vector).
    mutating func labelIndicators(_ label: Int, outputs: Int, _ what: String) throws(MLError) -> [Variable] {
        let classes = outputs == 1 ? 2 : outputs
        guard label < classes else { throw .shapeMismatch("\(what): label \(label) is not a class of \(classes)") }
        if outputs == 1 {
            let y = cs.addWitness(Fr(UInt64(label)))
            cs.enforce(LinearCombination(y), LinearCombination(y), LinearCombination(y), name: "\(what): binary label is 0 or 1")
            return [y]
        }
        return oneHot(label, count: outputs, "\(what) label")
    }

    /// Enforces that a computed value equals a public input.
    mutating func enforceEqual(_ computed: LinearCombination, _ pub: Variable, _ what: String) {
        cs.enforce(computed, LinearCombination(.one), LinearCombination(pub), name: what)
    }
}

/// (a) Accuracy: a committed model classifies at least `min_correct` of the k samples of a
/// committed dataset correctly (k = all samples). Public inputs: binding, model commitment,
/// dataset commitment, min_correct.
public enum AccuracyCircuit {
    public static func build(
        model: QuantizedModel, dataset: QuantizedDataset, minCorrect: Int, binding: Fr
    ) throws(MLError) -> MLCircuit {
        let correct = try dataset.correctCount(model)
        guard minCorrect <= correct, minCorrect >= 0 else {
            throw .claimNotSupported("the model classifies \(correct) of \(dataset.samples.count) samples correctly, fewer than the claimed \(minCorrect)")
        }
        return try construct(model: model, dataset: dataset, minCorrect: minCorrect, binding: binding)
    }

    /// The circuit for `shape` and k samples with an all-zero instance (for setup).
    public static func setupInstance(shape: MLShape, samples k: Int, fixedPoint: FixedPoint) throws(MLError) -> MLCircuit {
        let (model, data) = try zeroInstance(shape: shape, samples: k, fixedPoint: fixedPoint)
        return try construct(model: model, dataset: data, minCorrect: 0, binding: .zero)
    }

    static func construct(model: QuantizedModel, dataset: QuantizedDataset, minCorrect: Int, binding: Fr) throws(MLError) -> MLCircuit {
        let shape = model.shape
        var b = MLCircuitBuilder(fixedPoint: model.fixedPoint)
        _ = b.cs.addPublicInput(binding)
        let modelPub = b.cs.addPublicInput(MLCommitment.model(model))
        let dataPub = b.cs.addPublicInput(MLCommitment.dataset(dataset))
        let minPub = b.cs.addPublicInput(Fr(UInt64(minCorrect)))
        let params = try b.privateParameters(model.parameters, "model")
        let committedModel = b.commitModel(shape: shape, parameters: params)
        b.enforceEqual(committedModel, modelPub, "model commitment")
        var leaves = [LinearCombination]()
        var count = LinearCombination.zero
        var handles = [Variable]()
        for (i, s) in dataset.samples.enumerated() {
            let x = try s.features.enumerated().map { (j, v) throws(MLError) in LinearCombination(try b.privateValue(v, "sample \(i) feature \(j)")) }
            let y = try b.labelIndicators(s.label, outputs: shape.outputs, "sample \(i)")
            leaves.append(b.commitLeaf(features: x, label: MLCircuitBuilder.classIndex(y)))
            let logits = try b.forward(shape, params, x, "sample \(i)")
            let e = try b.classify(logits, "sample \(i)")
            // correct = [predicted = label]: for bits, 1 − e − y + 2·e·y; for one-hot vectors, Σ e_j·y_j.
            let c: LinearCombination
            if e.count == 1 {
                let ey = b.select(e[0], LinearCombination(y[0]), "sample \(i): e·y")
                c = LinearCombination(constant: .one) - LinearCombination(e[0]) - LinearCombination(y[0]) + ey * Fr(2)
            } else {
                var sum = LinearCombination.zero
                for j in e.indices { sum = sum + LinearCombination(b.select(e[j], LinearCombination(y[j]), "sample \(i): e[\(j)]·y[\(j)]")) }
                c = sum
            }
            let bit = b.cs.addWitness(b.cs.value(of: c))
            b.enforceEqual(c, bit, "sample \(i): correctness bit")
            handles.append(bit)
            count = count + LinearCombination(bit)
        }
        let committedData = b.merkleRoot(leaves)
        b.enforceEqual(committedData, dataPub, "dataset commitment")
        // count − min_correct ∈ [0, 2^w): at least min_correct samples are correct.
        let w = max(1, (dataset.samples.count + 1).bitWidthNeeded)
        try b.assertBits(count - LinearCombination(minPub), count: w, "correct count minus min_correct")
        return MLCircuit(system: b.cs, handles: handles)
    }

    static func zeroInstance(shape: MLShape, samples k: Int, fixedPoint: FixedPoint) throws(MLError) -> (QuantizedModel, QuantizedDataset) {
        guard k >= 1 else { throw .shapeMismatch("need at least one sample") }
        let model = try QuantizedModel(fixedPoint: fixedPoint, shape: shape, parameters: Array(repeating: 0, count: shape.parameterCount))
        let sample = QuantizedDataset.Sample(features: Array(repeating: 0, count: shape.features), label: shape.outputs == 1 ? 1 : 0)
        let data = try QuantizedDataset(
            fixedPoint: fixedPoint, featureNames: (0..<shape.features).map { "x\($0)" }, samples: Array(repeating: sample, count: k))
        return (model, data)
    }
}

/// (b) Inference: a committed model maps a public input to a public output class. Public
/// inputs: binding, model commitment, input_0 … input_{F−1} (quantized), output_class.
public enum InferenceCircuit {
    public static func build(model: QuantizedModel, input: [Int64], outputClass: Int, binding: Fr) throws(MLError) -> MLCircuit {
        let predicted = try model.predict(input)
        guard predicted == outputClass else {
            throw .claimNotSupported("the model maps this input to class \(predicted), not \(outputClass)")
        }
        return try construct(model: model, input: input, outputClass: outputClass, binding: binding)
    }

    public static func setupInstance(shape: MLShape, fixedPoint: FixedPoint) throws(MLError) -> MLCircuit {
        let (model, _) = try AccuracyCircuit.zeroInstance(shape: shape, samples: 1, fixedPoint: fixedPoint)
        return try construct(model: model, input: Array(repeating: 0, count: shape.features), outputClass: shape.outputs == 1 ? 1 : 0, binding: .zero)
    }

    static func construct(model: QuantizedModel, input: [Int64], outputClass: Int, binding: Fr) throws(MLError) -> MLCircuit {
        let shape = model.shape
        var b = MLCircuitBuilder(fixedPoint: model.fixedPoint)
        _ = b.cs.addPublicInput(binding)
        let modelPub = b.cs.addPublicInput(MLCommitment.model(model))
        let x = try input.enumerated().map { (j, v) throws(MLError) in LinearCombination(try b.publicValue(v, "input \(j)")) }
        let classPub = b.cs.addPublicInput(Fr(UInt64(outputClass)))
        let params = try b.privateParameters(model.parameters, "model")
        let committedModel = b.commitModel(shape: shape, parameters: params)
        b.enforceEqual(committedModel, modelPub, "model commitment")
        let logits = try b.forward(shape, params, x, "input")
        let e = try b.classify(logits, "output")
        b.enforceEqual(MLCircuitBuilder.classIndex(e), classPub, "output class")
        return MLCircuit(system: b.cs, handles: e)
    }
}

/// (c) Training step: one minibatch gradient-descent step of logistic regression on the b
/// samples of a committed dataset (labels 0 or 1) takes committed weights w to committed w':
///   z_i = rescale(w·x_i + bias·2^f), p_i = σ̂(z_i) (MLCircuitBuilder.sigmoid), e_i = p_i − y_i·2^f
///   g_j = rescale(Σ_i e_i·x_ij), g_bias = Σ_i e_i
///   w'_j = w_j − rescale(η·g_j), bias' = bias − rescale(η·g_bias)
/// with η the public learning rate at scale f; the batch mean's 1/b is folded into η (pass the
/// learning rate divided by the batch size). Public inputs: binding, dataset commitment,
/// weights commitment, updated weights commitment, learning_rate.
public enum TrainStepCircuit {
    /// The honest update, with the circuit's arithmetic.
    public static func step(model: QuantizedModel, dataset: QuantizedDataset, learningRate eta: Int64) throws(MLError) -> QuantizedModel {
        let fp = model.fixedPoint
        guard model.layers.count == 1, model.layers[0].outputs == 1 else { throw .shapeMismatch("a training step takes a logistic regression (one layer, one output)") }
        guard model.features == dataset.features else { throw .shapeMismatch("the model takes \(model.features) features, the dataset has \(dataset.features)") }
        try fp.check(eta, "learning rate")
        var errors = [Int64]()
        for (i, s) in dataset.samples.enumerated() {
            guard s.label <= 1 else { throw .shapeMismatch("sample \(i): label \(s.label) is not 0 or 1") }
            let z = try model.logits(s.features)[0]
            errors.append(FixedPointReference.sigmoid(z, fp) - Int64(s.label) * fp.one)
        }
        let w = model.layers[0].weights[0]
        var updated = [Int64]()
        for j in 0..<model.features {
            var acc: Int64 = 0
            for (i, s) in dataset.samples.enumerated() {
                let (p, o1) = errors[i].multipliedReportingOverflow(by: s.features[j])
                let (t, o2) = acc.addingReportingOverflow(p)
                guard !o1, !o2 else { throw .outOfRange("gradient \(j) overflows 63 bits") }
                acc = t
            }
            let g = fp.rescale(acc)
            try fp.check(g, "gradient \(j)")
            let (d, o) = eta.multipliedReportingOverflow(by: g)
            guard !o else { throw .outOfRange("learning rate × gradient \(j) overflows 63 bits") }
            let nw = w[j] - fp.rescale(d)
            try fp.check(fp.rescale(d), "step of weight \(j)")
            try fp.check(nw, "updated weight \(j)")
            updated.append(nw)
        }
        let gb = errors.reduce(0, +)
        try fp.check(gb, "bias gradient")
        let (pb, ob) = eta.multipliedReportingOverflow(by: gb)
        guard !ob else { throw .outOfRange("learning rate × bias gradient overflows 63 bits") }
        let db = fp.rescale(pb)
        try fp.check(db, "step of the bias")
        let nb = model.layers[0].bias[0] - db
        try fp.check(nb, "updated bias")
        return try QuantizedModel(fixedPoint: fp, layers: [.init(weights: [updated], bias: [nb])])
    }

    public static func build(
        model: QuantizedModel, dataset: QuantizedDataset, learningRate eta: Int64, updated: QuantizedModel, binding: Fr
    ) throws(MLError) -> MLCircuit {
        let honest = try step(model: model, dataset: dataset, learningRate: eta)
        guard honest == updated else {
            throw .claimNotSupported("one step from these weights on this dataset gives other weights than the claimed ones (commitment \(MLCommitment.model(honest)))")
        }
        return try construct(model: model, dataset: dataset, learningRate: eta, updated: updated, binding: binding)
    }

    public static func setupInstance(features: Int, samples k: Int, fixedPoint: FixedPoint) throws(MLError) -> MLCircuit {
        let (model, data) = try AccuracyCircuit.zeroInstance(shape: try MLShape(features: features, classes: 2), samples: k, fixedPoint: fixedPoint)
        let updated = try step(model: model, dataset: data, learningRate: 0)
        return try construct(model: model, dataset: data, learningRate: 0, updated: updated, binding: .zero)
    }

    static func construct(
        model: QuantizedModel, dataset: QuantizedDataset, learningRate eta: Int64, updated: QuantizedModel, binding: Fr
    ) throws(MLError) -> MLCircuit {
        let shape = model.shape
        let fp = model.fixedPoint
        var b = MLCircuitBuilder(fixedPoint: fp)
        _ = b.cs.addPublicInput(binding)
        let dataPub = b.cs.addPublicInput(MLCommitment.dataset(dataset))
        let modelPub = b.cs.addPublicInput(MLCommitment.model(model))
        let updatedPub = b.cs.addPublicInput(MLCommitment.model(updated))
        let etaPub = try b.publicValue(eta, "learning rate")
        let params = try b.privateParameters(model.parameters, "weights")
        let committedWeights = b.commitModel(shape: shape, parameters: params)
        b.enforceEqual(committedWeights, modelPub, "weights commitment")
        var leaves = [LinearCombination]()
        var xs = [[LinearCombination]]()
        var errors = [LinearCombination]()
        for (i, s) in dataset.samples.enumerated() {
            let x = try s.features.enumerated().map { (j, v) throws(MLError) in LinearCombination(try b.privateValue(v, "sample \(i) feature \(j)")) }
            let y = try b.labelIndicators(s.label, outputs: 1, "sample \(i)")[0]
            leaves.append(b.commitLeaf(features: x, label: LinearCombination(y)))
            let z = try b.forward(shape, params, x, "sample \(i)")[0]
            let p = try b.sigmoid(z, "sample \(i) sigmoid")
            errors.append(p - y * Fr(UInt64(fp.one)))
            xs.append(x)
        }
        let committedData = b.merkleRoot(leaves)
        b.enforceEqual(committedData, dataPub, "dataset commitment")
        var newParams = [LinearCombination]()
        var handles = [Variable]()
        let f = shape.features
        for j in 0...f {
            // j < f: a weight, gradient Σ e_i·x_ij rescaled; j = f: the bias, gradient Σ e_i.
            var g: LinearCombination
            if j < f {
                var acc = LinearCombination.zero
                for i in xs.indices {
                    let pv = b.cs.addWitness(b.cs.value(of: errors[i]) * b.cs.value(of: xs[i][j]))
                    b.cs.enforce(errors[i], xs[i][j], LinearCombination(pv), name: "sample \(i): e·x[\(j)]")
                    acc = acc + LinearCombination(pv)
                }
                g = LinearCombination(try b.rescale(acc, "gradient \(j)").quotient)
            } else {
                g = LinearCombination.zero
                for e in errors { g = g + e }
                try b.rangeCheck(g, "bias gradient")
            }
            let d = b.cs.addWitness(b.cs.value(of: etaPub) * b.cs.value(of: g))
            b.cs.enforce(LinearCombination(etaPub), g, LinearCombination(d), name: "learning rate × gradient \(j)")
            let step = try b.rescale(LinearCombination(d), "step \(j)").quotient
            let nw = b.cs.addWitness(b.cs.value(of: params[j]) - b.cs.value(of: step))
            b.cs.enforce(params[j] - LinearCombination(step), LinearCombination(.one), LinearCombination(nw), name: "updated parameter \(j)")
            try b.rangeCheck(LinearCombination(nw), "updated parameter \(j)")
            newParams.append(LinearCombination(nw))
            handles.append(nw)
        }
        let committedUpdate = b.commitModel(shape: shape, parameters: newParams)
        b.enforceEqual(committedUpdate, updatedPub, "updated weights commitment")
        return MLCircuit(system: b.cs, handles: handles)
    }
}

extension Int {
    /// Bits needed to write a value below self (⌈log₂ self⌉, at least 1).
    var bitWidthNeeded: Int { Swift.max(1, Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
