import ArgumentParser
import Foundation
import WaggleCore
import WaggleLedger
import WaggleML
import WaggleNode
import WaggleZK

/// `waggle prove accuracy|inference|train-step`: builds the witness for a built-in circuit,
/// proves it with the key from `waggle ml setup`, and writes snarkjs proof.json and public.json
/// whose binding input is Poseidon(sender, task, nonce) for the sender's next nonce (fetched over
/// RPC, like `waggle tx`). A claim the model and data do not support is refused with the reason.
struct Prove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prove a built-in ML statement for a task (snarkjs proof.json and public.json).",
        subcommands: [Accuracy.self, Inference.self, TrainStep.self])

    struct Common: ParsableArguments {
        @OptionGroup var home: HomeOption
        @Option(help: "The key directory written by `waggle ml setup`.") var pk: String
        @Option(help: "The task id the contribution is for.") var task: UInt64
        @Option(help: "Keyring name of the contributor (the transaction's sender).") var from: String
        @Option(help: "The output directory for proof.json and public.json.") var out: String
        @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?
        @Option(help: "The transaction nonce to bind (default: the sender's next nonce, fetched over RPC).") var nonce: UInt64?

        /// The key directory's description and proving key, checked against the family.
        func key(_ family: MLCircuitFamily) throws -> (MLCircuitDescription, Groth16ProvingKey) {
            let dir = URL(fileURLWithPath: pk)
            let desc = try MLCircuitDescription.parse(try MLFiles.read(dir.appendingPathComponent("circuit.json").path))
            guard desc.family == family else {
                throw MLError.shapeMismatch("\(pk) holds a key for the \(desc.family.rawValue) circuit, not \(family.rawValue)")
            }
            let bytes = try MLFiles.read(dir.appendingPathComponent("proving_key").path)
            do { return (desc, try Groth16ProvingKey(binaryBytes: bytes)) } catch {
                throw MLError.invalidInput("\(pk)/proving_key: \(error)")
            }
        }

        /// Poseidon(sender, task, nonce) with the sender's next nonce.
        func binding() async throws -> (Fr, Address, UInt64) {
            let signer = try home.nodeHome.keyring.get(from).signer
            let n: UInt64
            if let nonce { n = nonce } else {
                let client = try RPCClient(endpoint: node, home: home.nodeHome)
                let account = try await client.call("account", ["address": .string(signer.address.hex)])
                guard let next = account["nonce"]?.uint64Value else { throw MLError.invalidInput("the node's account reply has no nonce") }
                n = next
            }
            let b = Ledger.bindingInput(sender: signer.address, task: task, nonce: n)
            return (Fr(UInt256(bigEndian: b.bytes))!, signer.address, n)
        }

        func prove(_ circuit: MLCircuit, _ pk: Groth16ProvingKey, sender: Address, nonce: UInt64) throws {
            FileHandle.standardError.write(Data("proving \(circuit.system.constraints.count) constraints…\n".utf8))
            let start = DispatchTime.now().uptimeNanoseconds
            let (proof, inputs) = try Groth16Prover.prove(pk, circuit.system, r: MLFiles.osScalar(), s: MLFiles.osScalar())
            let ms = (DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
            try MLFiles.writeNew(out) { dir in try SnarkJS.writeProof(proof, publicInputs: inputs, to: dir) }
            printJSON(JSONValue.object([
                "proof": .string(URL(fileURLWithPath: out).appendingPathComponent("proof.json").path),
                "public": .string(URL(fileURLWithPath: out).appendingPathComponent("public.json").path),
                "public_inputs": .array(inputs.map { .string($0.description) }),
                "sender": .string(sender.hex), "task": .uint(task), "nonce": .uint(nonce),
                "constraints": .uint(UInt64(circuit.system.constraints.count)), "prove_ms": .uint(ms),
            ]).serialized())
        }
    }

    struct Accuracy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The model classifies at least --min-correct samples of the dataset correctly.")
        @OptionGroup var common: Common
        @Option(help: "The model (waggle-model-v1 JSON).") var model: String
        @Option(help: "The dataset (CSV with a header row).") var data: String
        @Option(help: "The name of the label column.") var label: String
        @Option(name: .customLong("min-correct"), help: "The claimed number of correctly classified samples.") var minCorrect: Int

        func run() async throws {
            try await runReportingErrors {
                let (desc, pk) = try common.key(.accuracy)
                let m = try MLFiles.model(model, desc.fixedPoint), d = try MLFiles.dataset(data, label: label, desc.fixedPoint)
                guard m.shape == desc.shape, d.samples.count == desc.samples else {
                    throw MLError.shapeMismatch("the key is for a \(desc.shape) model on \(desc.samples) samples; got a \(m.shape) model on \(d.samples.count)")
                }
                let (b, sender, nonce) = try await common.binding()
                let circuit = try AccuracyCircuit.build(model: m, dataset: d, minCorrect: minCorrect, binding: b)
                try common.prove(circuit, pk, sender: sender, nonce: nonce)
            }
        }
    }

    struct Inference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The model maps a public input to a public class.")
        @OptionGroup var common: Common
        @Option(help: "The model (waggle-model-v1 JSON).") var model: String
        @Option(help: "The input features, comma-separated real numbers.") var input: String
        @Option(name: .customLong("class"), help: "The claimed output class.") var outputClass: Int

        func run() async throws {
            try await runReportingErrors {
                let (desc, pk) = try common.key(.inference)
                let m = try MLFiles.model(model, desc.fixedPoint)
                guard m.shape == desc.shape else { throw MLError.shapeMismatch("the key is for a \(desc.shape) model; got \(m.shape)") }
                let x = try input.split(separator: ",").enumerated().map { (i, s) throws -> Int64 in
                    guard let v = Double(s.trimmingCharacters(in: .whitespaces)) else { throw MLError.invalidInput("--input: \"\(s)\" is not a number") }
                    return try desc.fixedPoint.quantize(v, "input \(i)")
                }
                let (b, sender, nonce) = try await common.binding()
                let circuit = try InferenceCircuit.build(model: m, input: x, outputClass: outputClass, binding: b)
                try common.prove(circuit, pk, sender: sender, nonce: nonce)
            }
        }
    }

    struct TrainStep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train-step",
            abstract: "One gradient-descent step of logistic regression on the dataset takes the model to the updated one.")
        @OptionGroup var common: Common
        @Option(help: "The model before the step (waggle-model-v1 JSON).") var model: String
        @Option(help: "The dataset (CSV with a header row, labels 0 or 1).") var data: String
        @Option(help: "The name of the label column.") var label: String
        @Option(name: .customLong("learning-rate"), help: "The learning rate per sample (the batch mean's 1/b folded in).") var learningRate: Double
        @Option(help: "The claimed updated model (default: computed, and written to OUT/updated_model.json).") var updated: String?

        func run() async throws {
            try await runReportingErrors {
                let (desc, pk) = try common.key(.trainStep)
                let fp = desc.fixedPoint
                let m = try MLFiles.model(model, fp), d = try MLFiles.dataset(data, label: label, fp)
                guard m.shape == desc.shape, d.samples.count == desc.samples else {
                    throw MLError.shapeMismatch("the key is for a \(desc.shape) model on \(desc.samples) samples; got a \(m.shape) model on \(d.samples.count)")
                }
                let eta = try fp.quantize(learningRate, "learning rate")
                let next = try updated.map { try MLFiles.model($0, fp) } ?? TrainStepCircuit.step(model: m, dataset: d, learningRate: eta)
                let (b, sender, nonce) = try await common.binding()
                let circuit = try TrainStepCircuit.build(model: m, dataset: d, learningRate: eta, updated: next, binding: b)
                try common.prove(circuit, pk, sender: sender, nonce: nonce)
                try Data(next.json.serialized(pretty: true) + [0x0a]).write(to: URL(fileURLWithPath: common.out).appendingPathComponent("updated_model.json"))
            }
        }
    }
}
