import WaggleCore
import WaggleZK

/// What a key directory's `circuit.json` records: the family and shape a proving key was made
/// for, so that `waggle prove` rebuilds exactly that circuit.
public struct MLCircuitDescription: Sendable, Hashable {
    public let family: MLCircuitFamily
    /// [features, hidden…, outputs].
    public let dimensions: [Int]
    /// Samples in the dataset (accuracy, train-step); 1 for inference.
    public let samples: Int
    public let fixedPoint: FixedPoint

    public init(family: MLCircuitFamily, shape: MLShape, samples: Int, fixedPoint: FixedPoint) throws(MLError) {
        guard samples >= 1, samples <= 1 << 16 else { throw .shapeMismatch("samples must be 1 to 65536, not \(samples)") }
        if family == .trainStep, shape.dimensions.count != 2 || shape.outputs != 1 {
            throw .shapeMismatch("train-step is logistic regression: 2 classes and no hidden layers")
        }
        self.family = family
        self.dimensions = shape.dimensions
        self.samples = family == .inference ? 1 : samples
        self.fixedPoint = fixedPoint
    }

    public var shape: MLShape { MLShape(dimensions: dimensions) }

    /// The circuit with an all-zero instance (its shape is what the key is made for).
    public func setupInstance() throws(MLError) -> MLCircuit {
        switch family {
        case .accuracy: return try AccuracyCircuit.setupInstance(shape: shape, samples: samples, fixedPoint: fixedPoint)
        case .inference: return try InferenceCircuit.setupInstance(shape: shape, fixedPoint: fixedPoint)
        case .trainStep: return try TrainStepCircuit.setupInstance(features: shape.features, samples: samples, fixedPoint: fixedPoint)
        }
    }

    /// The description as JSON, with the constraint count and circuit id of its key.
    public func json(constraints: Int, circuitID: Hash256) -> JSONValue {
        .object([
            "family": .string(family.rawValue),
            "dimensions": .array(dimensions.map { .uint(UInt64($0)) }),
            "samples": .uint(UInt64(samples)),
            "scale": .uint(UInt64(fixedPoint.scale)),
            "value_bits": .uint(UInt64(fixedPoint.valueBits)),
            "constraints": .uint(UInt64(constraints)),
            "binding_input_index": .uint(UInt64(MLCircuitFamily.bindingInputIndex)),
            "public_inputs": .array(family.publicInputNames(features: dimensions[0]).map { .string($0) }),
            "circuit_id": .string(circuitID.hex),
        ])
    }

    /// Reads `circuit.json`.
    public static func parse(_ bytes: [UInt8]) throws(MLError) -> MLCircuitDescription {
        let v: JSONValue
        do { v = try JSONValue.parse(bytes) } catch { throw .invalidInput("circuit.json: \(error)") }
        guard let name = v["family"]?.stringValue, let family = MLCircuitFamily(rawValue: name) else {
            throw .invalidInput("circuit.json: \"family\" must be accuracy, inference or train-step")
        }
        guard let dims = v["dimensions"]?.arrayValue?.compactMap({ $0.uint64Value.map(Int.init) }), dims.count >= 2,
            dims.allSatisfy({ $0 >= 1 && $0 <= 4096 }),
            let samples = v["samples"]?.uint64Value, let scale = v["scale"]?.uint64Value, let bits = v["value_bits"]?.uint64Value,
            scale <= 64, bits <= 64
        else { throw .invalidInput("circuit.json: needs dimensions (2 or more widths), samples, scale and value_bits") }
        return try MLCircuitDescription(
            family: family, shape: MLShape(dimensions: dims), samples: Int(samples),
            fixedPoint: try FixedPoint(scale: Int(scale), valueBits: Int(bits)))
    }
}

extension QuantizedModel {
    /// The model in the JSON form `fromJSON` reads (q / 2^f printed exactly, so reading it back
    /// gives the same integers).
    public var json: JSONValue {
        .object([
            "format": .string("waggle-model-v1"),
            "layers": .array(layers.enumerated().map { (l, layer) in
                .object([
                    "weights": .array(layer.weights.map { row in .array(row.map { .number(fixedPoint.real($0).description) }) }),
                    "bias": .array(layer.bias.map { .number(fixedPoint.real($0).description) }),
                    "activation": .string(l == layers.count - 1 ? "none" : "relu"),
                ])
            }),
        ])
    }
}
