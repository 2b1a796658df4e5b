import Foundation
import WaggleCore

/// A quantized dense network: logistic regression (one layer) or a multilayer perceptron (dense
/// layers with ReLU between them). The last layer's outputs are logits: one output is a binary
/// classifier (class 1 iff the logit ≥ 0, i.e. sigmoid ≥ 1/2), more outputs are classes by argmax
/// (the first maximum on ties).
public struct QuantizedModel: Sendable, Hashable {
    public struct Layer: Sendable, Hashable {
        /// weights[out][in], quantized at the model's scale.
        public let weights: [[Int64]]
        /// bias[out], quantized at the same scale.
        public let bias: [Int64]
        public init(weights: [[Int64]], bias: [Int64]) {
            self.weights = weights
            self.bias = bias
        }
        public var inputs: Int { weights.first?.count ?? 0 }
        public var outputs: Int { weights.count }
    }

    public let fixedPoint: FixedPoint
    public let layers: [Layer]

    /// Checks that the layers chain (each layer's inputs are the previous one's outputs) and that
    /// every value fits the fixed-point range.
    public init(fixedPoint: FixedPoint, layers: [Layer]) throws(MLError) {
        guard !layers.isEmpty, layers.count <= 12 else { throw .shapeMismatch("a model has 1 to 12 layers, not \(layers.count)") }
        for (l, layer) in layers.enumerated() {
            guard layer.outputs >= 1, layer.inputs >= 1, layer.bias.count == layer.outputs,
                layer.weights.allSatisfy({ $0.count == layer.inputs })
            else { throw .shapeMismatch("layer \(l): weights must be outputs × inputs (rectangular) and bias must have one value per output") }
            if l > 0, layer.inputs != layers[l - 1].outputs {
                throw .shapeMismatch("layer \(l) takes \(layer.inputs) inputs but layer \(l - 1) has \(layers[l - 1].outputs) outputs")
            }
            for row in layer.weights { for w in row { try fixedPoint.check(w, "a weight of layer \(l)") } }
            for b in layer.bias { try fixedPoint.check(b, "a bias of layer \(l)") }
        }
        self.fixedPoint = fixedPoint
        self.layers = layers
    }

    public var shape: MLShape { MLShape(dimensions: [layers[0].inputs] + layers.map(\.outputs)) }
    public var features: Int { layers[0].inputs }

    /// The weights in commitment order: layer by layer, each layer's weights row by row (one row
    /// per output neuron, weights[out][0..<in]), then that layer's biases.
    public var parameters: [Int64] {
        layers.flatMap { layer in layer.weights.flatMap { $0 } + layer.bias }
    }

    /// Rebuilds a model of `shape` from parameters in commitment order.
    public init(fixedPoint: FixedPoint, shape: MLShape, parameters p: [Int64]) throws(MLError) {
        guard p.count == shape.parameterCount else {
            throw .shapeMismatch("\(p.count) parameters for a model with \(shape.parameterCount)")
        }
        var layers = [Layer]()
        var at = 0
        for l in 0..<(shape.dimensions.count - 1) {
            let (i, o) = (shape.dimensions[l], shape.dimensions[l + 1])
            let w = (0..<o).map { r in Array(p[(at + r * i)..<(at + (r + 1) * i)]) }
            at += o * i
            layers.append(Layer(weights: w, bias: Array(p[at..<(at + o)])))
            at += o
        }
        try self.init(fixedPoint: fixedPoint, layers: layers)
    }

    /// The documented JSON form (Docs/ML.md):
    ///   {"format": "waggle-model-v1",
    ///    "layers": [{"weights": [[w, …], …], "bias": [b, …], "activation": "relu"}, …,
    ///               {"weights": …, "bias": …, "activation": "none"}]}
    /// weights[out][in] as real numbers; every layer but the last has activation "relu", the last
    /// "none" (its outputs are logits).
    public static func fromJSON(_ bytes: [UInt8], fixedPoint: FixedPoint) throws(MLError) -> QuantizedModel {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw .invalidInput("model JSON: \(error)") }
        guard root["format"]?.stringValue == "waggle-model-v1" else {
            throw .invalidInput("model JSON: \"format\" must be \"waggle-model-v1\"")
        }
        guard let layersJSON = root["layers"]?.arrayValue, !layersJSON.isEmpty else {
            throw .invalidInput("model JSON: \"layers\" must be a non-empty array")
        }
        var layers = [Layer]()
        for (l, layer) in layersJSON.enumerated() {
            let last = l == layersJSON.count - 1
            let expected = last ? "none" : "relu"
            guard let activation = layer["activation"]?.stringValue else { throw .invalidInput("model JSON: layer \(l) has no \"activation\"") }
            guard activation == expected else {
                throw .invalidInput("model JSON: layer \(l) has activation \"\(activation)\"; \(last ? "the last layer" : "a hidden layer") must have \"\(expected)\"")
            }
            guard let rows = layer["weights"]?.arrayValue else { throw .invalidInput("model JSON: layer \(l) has no \"weights\" array") }
            let weights = try rows.enumerated().map { (r, row) throws(MLError) -> [Int64] in
                guard let cells = row.arrayValue else { throw .invalidInput("model JSON: layers[\(l)].weights[\(r)] is not an array") }
                return try cells.enumerated().map { (c, cell) throws(MLError) in
                    try fixedPoint.quantize(try number(cell, "layers[\(l)].weights[\(r)][\(c)]"), "layers[\(l)].weights[\(r)][\(c)]")
                }
            }
            guard let biasJSON = layer["bias"]?.arrayValue else { throw .invalidInput("model JSON: layer \(l) has no \"bias\" array") }
            let bias = try biasJSON.enumerated().map { (c, cell) throws(MLError) in
                try fixedPoint.quantize(try number(cell, "layers[\(l)].bias[\(c)]"), "layers[\(l)].bias[\(c)]")
            }
            layers.append(Layer(weights: weights, bias: bias))
        }
        return try QuantizedModel(fixedPoint: fixedPoint, layers: layers)
    }

    static func number(_ v: JSONValue, _ what: String) throws(MLError) -> Double {
        switch v {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        case .number(let s):
            guard let d = Double(s) else { throw .invalidInput("model JSON: \(what) is not a number") }
            return d
        default: throw .invalidInput("model JSON: \(what) is not a number")
        }
    }

    /// The logits for one quantized input, with the circuit's arithmetic: each neuron is
    /// rescale(Σ w·x + b·2^f), range-checked to B bits, then ReLU on hidden layers.
    public func logits(_ x: [Int64]) throws(MLError) -> [Int64] {
        guard x.count == features else { throw .shapeMismatch("an input has \(x.count) features, the model takes \(features)") }
        var a = x
        for (l, layer) in layers.enumerated() {
            var out = [Int64]()
            for o in 0..<layer.outputs {
                var acc = layer.bias[o] << Int64(fixedPoint.scale)
                for i in 0..<layer.inputs {
                    let (p, o1) = layer.weights[o][i].multipliedReportingOverflow(by: a[i])
                    let (s, o2) = acc.addingReportingOverflow(p)
                    guard !o1, !o2 else { throw .outOfRange("layer \(l) neuron \(o): the sum of products overflows 63 bits") }
                    acc = s
                }
                let z = fixedPoint.rescale(acc)
                try fixedPoint.check(z, "layer \(l) neuron \(o)")
                out.append(l == layers.count - 1 ? z : FixedPointReference.relu(z))
            }
            a = out
        }
        return a
    }

    /// The predicted class: [logit ≥ 0] for one output, the first argmax otherwise.
    public func predict(_ x: [Int64]) throws(MLError) -> Int {
        let z = try logits(x)
        return z.count == 1 ? (z[0] >= 0 ? 1 : 0) : FixedPointReference.argmax(z)
    }
}

/// A network's shape: dimensions [features, hidden…, outputs]. Classes are 2 for one output.
public struct MLShape: Sendable, Hashable, CustomStringConvertible {
    public let dimensions: [Int]
    public init(dimensions: [Int]) { self.dimensions = dimensions }

    /// features, hidden layer widths, classes (2 classes ⇒ one logit).
    public init(features: Int, hidden: [Int] = [], classes: Int) throws(MLError) {
        guard features >= 1, classes >= 2, hidden.allSatisfy({ $0 >= 1 }), hidden.count <= 11 else {
            throw .shapeMismatch("need features ≥ 1, classes ≥ 2, hidden widths ≥ 1 (at most 11 hidden layers)")
        }
        dimensions = [features] + hidden + [classes == 2 ? 1 : classes]
    }

    public var features: Int { dimensions[0] }
    public var outputs: Int { dimensions[dimensions.count - 1] }
    public var classes: Int { outputs == 1 ? 2 : outputs }
    public var parameterCount: Int { (0..<(dimensions.count - 1)).reduce(0) { $0 + dimensions[$1 + 1] * (dimensions[$1] + 1) } }
    public var description: String { dimensions.map(String.init).joined(separator: "-") }
}
