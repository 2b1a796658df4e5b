import ArgumentParser
import Foundation
import WaggleZK

/// `waggle zk …`: Groth16 (BN254, snarkjs format) tools. All logic lives in WaggleZK.
struct ZKCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zk",
        abstract: "Zero-knowledge proof tools (Groth16 over BN254, snarkjs JSON).",
        subcommands: [Verify.self, Bench.self])

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
}
