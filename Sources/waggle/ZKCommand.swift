import ArgumentParser
import Foundation
import WaggleCore
import WaggleNode
import WaggleZK

/// `waggle zk …`: Groth16 (BN254, snarkjs format) tools. All logic lives in WaggleZK.
struct ZKCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zk",
        abstract: "Zero-knowledge proof tools (Groth16 over BN254, snarkjs JSON).",
        subcommands: [Verify.self, Prove.self, Setup.self, Poseidon.self, Bench.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a snarkjs Groth16 proof. Exit 0 valid, 1 invalid, 2 unreadable or malformed input.",
            discussion: """
                A forgeable verification key (delta = ±gamma or ±the G2 generator: its setup had no \
                secret delta contribution) keeps the mathematical verdict and exit code, with a \
                warning on standard error (with --json: "forgeable_key": true and "warning").
                """)

        @Option(name: .customLong("vk"), help: "verification_key.json")
        var vk: String

        @Option(name: .customLong("proof"), help: "proof.json")
        var proof: String

        @Option(name: .customLong("public"), help: "public.json")
        var publicInputs: String

        @Flag(name: .customLong("json"), help: "Print the result as one JSON object.")
        var json = false

        func run() async throws {
            let outcome = ZKVerifyCLI.run(vkPath: vk, proofPath: proof, publicPath: publicInputs, json: json)
            print(outcome.line)
            if let warning = outcome.warning {
                FileHandle.standardError.write(Data((warning + "\n").utf8))
            }
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }

    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the ZK engine (pairing, verification, batch, MSM, NTT, prover).")

        @Flag(name: .customLong("quick"), help: "Smaller sizes and fewer iterations.")
        var quick = false

        func run() async throws {
            for line in ZKBenchmarkSuite.run(quick: quick) { print(line) }
        }
    }

    /// The built-in circuits `prove` and `setup` know (today the demonstration circuit of
    /// Genesis/local.json).
    enum BuiltinCircuit: String, ExpressibleByArgument, CaseIterable {
        case poseidonPreimage = "poseidon-preimage"
    }

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove a built-in circuit with WaggleZK's Groth16 prover; writes snarkjs proof.json and public.json.",
            discussion: """
                poseidon-preimage (Genesis/local.json's demo circuit): input.json is                 {"binding": "<decimal>", "x": "<decimal>"}, binding from `waggle contribute binding`, x                 the preimage; public.json is [binding, Poseidon(x)]. The proving key is the demo setup                 (`waggle zk setup`), regenerated on each run; the blinding scalars are fresh random.
                """)
        @Option(help: "The built-in circuit.") var circuit: BuiltinCircuit
        @Option(help: "input.json: the circuit's inputs as decimal strings.") var input: String
        @Option(name: .customLong("out-proof"), help: "Where to write proof.json.") var outProof: String = "proof.json"
        @Option(name: .customLong("out-public"), help: "Where to write public.json.") var outPublic: String = "public.json"

        func run() async throws {
            try await runReportingErrors {
                let data = try CLIArgument.file(input, "input")
                guard let object = (try? JSONValue.parse(Array(data)))?.objectValue else {
                    throw NodeError(.config, "\(input): not a JSON object of decimal strings")
                }
                func field(_ name: String) throws -> Fr {
                    guard let text = object[name]?.stringValue else { throw NodeError(.config, "\(input): \"\(name)\" is missing or not a string") }
                    guard let n = UInt256(decimal: text), let f = Fr(n) else {
                        throw NodeError(.config, "\(input): \"\(name)\" is not a decimal number below the BN254 scalar field order r")
                    }
                    return f
                }
                let unknown = Set(object.keys).subtracting(["binding", "x"])
                guard unknown.isEmpty else { throw NodeError(.config, "\(input): unknown field \"\(unknown.sorted()[0])\"") }
                let cs = PoseidonPreimageCircuit.system(binding: try field("binding"), preimage: try field("x"))
                let pk = try PoseidonPreimageCircuit.demoProvingKey()
                var rng = SystemRandomNumberGenerator()
                func blinding() -> Fr { Fr(reducing: UInt256(rng.next(), rng.next(), rng.next(), rng.next())) }
                let (proof, publicInputs) = try Groth16Prover.prove(pk, cs, r: blinding(), s: blinding())
                try Self.write(SnarkJS.encode(proof), outProof)
                try Self.write(SnarkJS.encode(publicInputs: publicInputs), outPublic)
                print(JSONValue.object(["proof": .string(outProof), "public": .string(outPublic), "public_inputs": .array(publicInputs.map { .string($0.description) })]).text)
            }
        }

        static func write(_ data: Data, _ path: String) throws {
            do { try data.write(to: URL(fileURLWithPath: path)) } catch {
                throw NodeError(.io, "cannot write \(path): \((error as NSError).localizedDescription)")
            }
        }
    }

    struct Setup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Regenerate a built-in circuit's DEMO keys: verification_key.json and proving_key.json in --out.",
            discussion: """
                The setup randomness comes from a published seed, so anyone can forge proofs for these                 keys: they serve a local demonstration chain only. Genesis/demo/verification_key.json                 is this command's output.
                """)
        @Option(help: "The built-in circuit.") var circuit: BuiltinCircuit
        @Option(help: "Directory to write the keys into (created if missing).") var out: String

        func run() async throws {
            try await runReportingErrors {
                let pk = try PoseidonPreimageCircuit.demoProvingKey()
                do {
                    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                    try SnarkJS.writeKeys(pk, to: URL(fileURLWithPath: out))
                } catch { throw NodeError(.io, "cannot write the keys into \(out): \((error as NSError).localizedDescription)") }
                print(JSONValue.object([
                    "circuit": .string(pk.verifyingKey.circuitID.hex), "binding_input": .uint(UInt64(PoseidonPreimageCircuit.bindingInput)),
                    "constraints": .uint(UInt64(pk.constraintCount)), "out": .string(out),
                ]).text)
            }
        }
    }

    struct Poseidon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "circomlib's Poseidon hash of 1 to 16 field elements (decimal), printed in decimal.")
        @Argument(help: "The inputs, decimal, each below r.") var inputs: [String]

        func run() async throws {
            try await runReportingErrors {
                let values = try inputs.map { text -> Fr in
                    guard let n = UInt256(decimal: text), let f = Fr(n) else {
                        throw NodeError(.config, "\"\(text)\" is not a decimal number below the BN254 scalar field order r")
                    }
                    return f
                }
                do { print(try WaggleZK.Poseidon.hash(values).description) } catch { throw NodeError(.config, "\(error)") }
            }
        }
    }
}
