import ArgumentParser
import Foundation
import WaggleCore
import WaggleML
import WaggleZK

/// `waggle ml …`: commitments, evaluation and circuit setup for the built-in ML circuits
/// (Docs/ML.md). All logic lives in WaggleML; this file reads files and prints JSON.
struct MLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ml",
        abstract: "Verifiable ML: commit models and datasets, evaluate, and set up the built-in circuits.",
        subcommands: [CommitModel.self, CommitDataset.self, Evaluate.self, Setup.self])

    struct CommitModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "commit-model", abstract: "Print a model's commitment (Poseidon sponge over its quantized weights).")
        @Argument(help: "The model (waggle-model-v1 JSON).") var model: String
        @OptionGroup var quantization: QuantizationOptions

        func run() async throws {
            try await runReportingErrors {
                let fp = try quantization.fixedPoint()
                let m = try MLFiles.model(model, fp)
                printJSON(JSONValue.object([
                    "commitment": .string(MLCommitment.model(m).description),
                    "dimensions": .array(m.shape.dimensions.map { .uint(UInt64($0)) }),
                    "parameters": .uint(UInt64(m.parameters.count)),
                    "scale": .uint(UInt64(fp.scale)), "value_bits": .uint(UInt64(fp.valueBits)),
                ]).serialized())
            }
        }
    }

    struct CommitDataset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "commit-dataset", abstract: "Print a dataset's commitment (Poseidon Merkle root of its quantized samples).")
        @Argument(help: "The dataset (CSV with a header row).") var data: String
        @Option(help: "The name of the label column.") var label: String
        @OptionGroup var quantization: QuantizationOptions

        func run() async throws {
            try await runReportingErrors {
                let fp = try quantization.fixedPoint()
                let d = try MLFiles.dataset(data, label: label, fp)
                printJSON(JSONValue.object([
                    "commitment": .string(MLCommitment.dataset(d).description),
                    "samples": .uint(UInt64(d.samples.count)), "features": .uint(UInt64(d.features)),
                    "scale": .uint(UInt64(fp.scale)), "value_bits": .uint(UInt64(fp.valueBits)),
                ]).serialized())
            }
        }
    }

    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fixed-point accuracy of a model on a dataset: the count the accuracy proof can claim.")
        @Option(help: "The model (waggle-model-v1 JSON).") var model: String
        @Option(help: "The dataset (CSV with a header row).") var data: String
        @Option(help: "The name of the label column.") var label: String
        @OptionGroup var quantization: QuantizationOptions

        func run() async throws {
            try await runReportingErrors {
                let fp = try quantization.fixedPoint()
                let m = try MLFiles.model(model, fp), d = try MLFiles.dataset(data, label: label, fp)
                let correct = try d.correctCount(m)
                printJSON(JSONValue.object([
                    "correct": .uint(UInt64(correct)), "samples": .uint(UInt64(d.samples.count)),
                    "model_commitment": .string(MLCommitment.model(m).description),
                    "dataset_commitment": .string(MLCommitment.dataset(d).description),
                ]).serialized())
            }
        }
    }

    struct Setup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Single-party Groth16 setup of a built-in circuit, FOR DEVELOPMENT ONLY.",
            discussion: """
                Writes DIR/proving_key (binary), DIR/verification_key.json (snarkjs) and \
                DIR/circuit.json (family, shape, public inputs, constraint count, circuit id). The \
                setup's secrets come from the OS and are discarded, but whoever runs a single-party \
                setup could have kept them and forged proofs: a circuit the network approves needs \
                a key from a multi-party setup.
                """)
        @Option(help: "accuracy, inference or train-step.") var circuit: String
        @Option(help: "Features per sample.") var features: Int
        @Option(help: "Classes (2: one logit).") var classes: Int = 2
        @Option(help: "Hidden layer widths, comma-separated (MLP with ReLU); none for logistic regression.") var hidden: String = ""
        @Option(help: "Samples in the dataset (accuracy, train-step).") var samples: Int = 1
        @Option(help: "The output directory.") var out: String
        @OptionGroup var quantization: QuantizationOptions

        func run() async throws {
            try await runReportingErrors {
                guard let family = MLCircuitFamily(rawValue: circuit) else {
                    throw MLError.invalidInput("unknown circuit \"\(circuit)\": expected accuracy, inference or train-step")
                }
                let widths = try hidden.split(separator: ",").map { (s: Substring) throws(MLError) -> Int in
                    guard let v = Int(s.trimmingCharacters(in: .whitespaces)) else { throw .invalidInput("--hidden: \"\(s)\" is not a width") }
                    return v
                }
                let desc = try MLCircuitDescription(
                    family: family, shape: try MLShape(features: features, hidden: widths, classes: classes), samples: samples,
                    fixedPoint: try quantization.fixedPoint())
                FileHandle.standardError.write(Data("warning: single-party setup, for development only: whoever runs it could keep its secrets and forge proofs; an approved circuit needs a key from a multi-party setup\n".utf8))
                let instance = try desc.setupInstance()
                let pk = try Groth16Setup.generate(instance.system, randomness: MLFiles.osSetupRandomness())
                try MLFiles.writeNew(out) { dir in
                    try Data(pk.binaryBytes).write(to: dir.appendingPathComponent("proving_key"))
                    try SnarkJS.encode(pk.verifyingKey).write(to: dir.appendingPathComponent("verification_key.json"))
                    let info = desc.json(constraints: instance.system.constraints.count, circuitID: pk.verifyingKey.circuitID)
                    try Data(info.serialized(pretty: true) + [0x0a]).write(to: dir.appendingPathComponent("circuit.json"))
                }
                printJSON(desc.json(constraints: instance.system.constraints.count, circuitID: pk.verifyingKey.circuitID).serialized())
            }
        }
    }
}

/// --scale and --value-bits.
struct QuantizationOptions: ParsableArguments {
    @Option(help: "Fixed-point scale f: values are multiplied by 2^f.") var scale: Int = FixedPoint.defaultScale
    @Option(name: .customLong("value-bits"), help: "Signed bit width every value is range-checked to.") var valueBits: Int = FixedPoint.defaultValueBits

    func fixedPoint() throws(MLError) -> FixedPoint { try FixedPoint(scale: scale, valueBits: valueBits) }
}

/// File reading and writing for the ML commands.
enum MLFiles {
    static func read(_ path: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path) else { throw MLError.invalidInput("cannot read \(path)") }
        return [UInt8](d)
    }

    static func model(_ path: String, _ fp: FixedPoint) throws -> QuantizedModel {
        do { return try QuantizedModel.fromJSON(try read(path), fixedPoint: fp) } catch let e as MLError { throw MLError.invalidInput("\(path): \(e)") }
    }

    static func dataset(_ path: String, label: String, _ fp: FixedPoint) throws -> QuantizedDataset {
        guard let text = String(bytes: try read(path), encoding: .utf8) else { throw MLError.invalidInput("\(path): not UTF-8 text") }
        do { return try QuantizedDataset.fromCSV(text, label: label, fixedPoint: fp) } catch { throw MLError.invalidInput("\(path): \(error)") }
    }

    /// A non-zero field element from the OS's generator.
    static func osScalar() -> Fr {
        var g = SystemRandomNumberGenerator()
        while true {
            let x = Fr(reducing: UInt256(g.next(), g.next(), g.next(), g.next() >> 3))
            if !x.isZero { return x }
        }
    }

    static func osSetupRandomness() -> Groth16SetupRandomness {
        Groth16SetupRandomness(tau: osScalar(), alpha: osScalar(), beta: osScalar(), gamma: osScalar(), delta: osScalar())
    }

    /// Writes into a fresh temporary directory beside `path`, then renames it to `path`, so a
    /// failure leaves nothing half-written. Refuses an existing non-empty `path`.
    static func writeNew(_ path: String, _ body: (URL) throws -> Void) throws {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: path)
        if let existing = try? fm.contentsOfDirectory(atPath: path), !existing.isEmpty {
            throw MLError.invalidInput("\(path) exists and is not empty")
        }
        let tmp = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(UInt32.random(in: 0...UInt32.max))")
        try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        do {
            try body(tmp)
            if fm.fileExists(atPath: path) { try fm.removeItem(at: target) }
            try fm.moveItem(at: tmp, to: target)
        } catch {
            try? fm.removeItem(at: tmp)
            throw error
        }
    }
}
