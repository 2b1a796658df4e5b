import ArgumentParser
import Foundation
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleZK

/// `waggle contribute …`: a contributor's commands (Docs/CONTRIBUTIONS.md).
struct Contribute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Contribute to a task: the binding value to prove with, then the proof as a transaction.",
        subcommands: [Binding.self, Submit.self])

    /// The task (from RPC, with its circuit's binding index), the sender's next nonce and the
    /// binding value Poseidon(sender, task, nonce) a contribution with that nonce must carry.
    struct Context {
        let task: JSONValue
        let circuitID: Hash256
        let nonce: UInt64
        let binding: ScalarBytes

        static func read(_ client: RPCClient, task id: UInt64, sender: Address) async throws -> Context {
            let task = try await client.call("task", ["id": .string(String(id))])
            guard let circuit = task["circuit"]?.stringValue.flatMap(Hash256.init(hex:)) else {
                throw NodeError(.chain, "the node's task \(id) has no circuit")
            }
            let account = try await client.call("account", ["address": .string(sender.hex)])
            guard let nonce = account["nonce"]?.uint64Value else { throw NodeError(.chain, "the node's account has no nonce") }
            return Context(task: task, circuitID: circuit, nonce: nonce, binding: Ledger.bindingInput(sender: sender, task: id, nonce: nonce))
        }
    }

    struct Binding: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the binding value a proof for this task must carry, and the nonce it is valid for.",
            discussion: """
                The value is Poseidon(sender, task id, nonce) (circomlib's Poseidon over BN254). It is \
                valid for the sender's next transaction only: send nothing else from this key between \
                proving and `contribute submit`.
                """)
        @OptionGroup var options: HomeOption
        @Option(help: "Task id.") var task: UInt64
        @Option(help: "Keyring name of the contributor.") var from: String
        @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

        func run() async throws {
            try await runReportingErrors {
                let key = try options.nodeHome.keyring.get(from)
                let client = try RPCClient(endpoint: node, home: options.nodeHome)
                let ctx = try await Context.read(client, task: task, sender: key.signer.address)
                let circuit = try await client.call("circuit", ["id": .string(ctx.circuitID.hex)])
                let out: JSONValue = [
                    "task": .string(String(task)), "sender": .string(key.signer.address.hex), "nonce": .string(String(ctx.nonce)),
                    "circuit": .string(ctx.circuitID.hex), "binding_input": circuit["binding_input"] ?? .null,
                    "binding": .string(UInt256(bigEndian: ctx.binding.bytes).decimalString), "binding_hex": .string(ctx.binding.description),
                ]
                printJSON(out.serialized(pretty: true))
            }
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a snarkjs proof locally against the task, then send it as a contribute transaction.",
            discussion: """
                Checks, in order, each failure one `error:` line naming it: the task is open; the \
                circuit's key fetched from the node hashes to the task's circuit id; the number of \
                public inputs; the binding input equals Poseidon(sender, task, next nonce); every fixed \
                input of the task; the proof verifies. Then signs with the next nonce, broadcasts, waits \
                for inclusion and prints the hash, height and the contribution's index.
                """)
        @OptionGroup var tx: TxOptions
        @Option(help: "Task id.") var task: UInt64
        @Option(help: "snarkjs proof.json.") var proof: String
        @Option(name: .customLong("public"), help: "snarkjs public.json.") var publicInputs: String

        func run() async throws {
            try await runReportingErrors {
                let proofData = try CLIArgument.file(proof, "proof")
                let publicData = try CLIArgument.file(publicInputs, "public inputs")
                let parsedProof: Groth16Proof
                let inputs: [Fr]
                do { parsedProof = try SnarkJS.parseProof(proofData) } catch { throw NodeError(.config, "\(proof): \(error)") }
                do { inputs = try SnarkJS.parsePublicInputs(publicData) } catch { throw NodeError(.config, "\(publicInputs): \(error)") }
                let scalars = inputs.map { ScalarBytes($0.value.bigEndianBytes)! }

                let (signer, client) = try tx.connect()
                let ctx = try await Context.read(client, task: task, sender: signer.address)
                let status = ctx.task["status"]?.stringValue ?? "?"
                guard status == "open" else { throw NodeError(.chain, "check task: task \(task) is \(status), not open") }
                let key = try await Self.circuitKey(client, ctx.circuitID)
                guard Int(key.bindingInput) < scalars.count, scalars.count == key.key.publicInputCount else {
                    throw NodeError(
                        .config, "check public inputs: \(publicInputs) has \(scalars.count) public inputs, the circuit takes \(key.key.publicInputCount)")
                }
                guard scalars[Int(key.bindingInput)] == ctx.binding else {
                    throw NodeError(
                        .config,
                        "check binding input: public input \(key.bindingInput) is \(inputs[Int(key.bindingInput)]), but a contribution by \(signer.address.hex) to task \(task) with nonce \(ctx.nonce) must carry \(UInt256(bigEndian: ctx.binding.bytes).decimalString) (prove again with `waggle contribute binding`)"
                    )
                }
                for f in ctx.task["fixed_inputs"]?.arrayValue ?? [] {
                    guard let index = f["index"]?.uint64Value, let value = f["value"]?.stringValue.flatMap({ Hex.decodePrefixed($0) }),
                        index < UInt64(scalars.count)
                    else { throw NodeError(.chain, "the node's task \(task) has a malformed fixed input") }
                    guard scalars[Int(index)].bytes == value else {
                        throw NodeError(
                            .config,
                            "check fixed input: public input \(index) is \(inputs[Int(index)]), the task fixes it to \(UInt256(bigEndian: value).decimalString)")
                    }
                }
                let verifies: Bool
                do { verifies = try PreparedVerifyingKey(key.key).verify(parsedProof, publicInputs: inputs) } catch {
                    throw NodeError(.config, "check proof: \(error)")
                }
                guard verifies else { throw NodeError(.config, "check proof: the proof does not verify with the circuit's key and these public inputs") }

                let result = try await client.send(
                    signer: signer, body: .contribute(task: task, proof: parsedProof.canonicalBytes, publicInputs: scalars), fee: tx.fee)
                // Committed: a failing read of its index is a warning, not an error.
                var index = JSONValue.null
                do { index = try await client.call("contribution", ["hash": .string(result.hash.hex)])["index"] ?? .null } catch {
                    FileHandle.standardError.write(Data("warning: committed, but reading its contribution index failed: \(error)\n".utf8))
                }
                let out: JSONValue = [
                    "hash": .string(result.hash.hex), "height": .string(String(result.height)), "task": .string(String(task)), "index": index,
                ]
                print(out.text)
            }
        }

        /// The circuit's verifying key and binding index, from the record in `circuit`'s proof
        /// value, checked to hash to the circuit id.
        static func circuitKey(_ client: RPCClient, _ id: Hash256) async throws -> (key: Groth16VerifyingKey, bindingInput: UInt32) {
            let circuit = try await client.call("circuit", ["id": .string(id.hex), "prove": true])
            guard let raw = circuit["proof"]?["value"]?.stringValue.flatMap({ Hex.decodePrefixed($0) }),
                let record = try? CircuitRecord(canonicalBytes: raw),
                let key = try? Groth16VerifyingKey(canonicalBytes: record.verifyingKey, maxPublicInputs: UsefulWorkLimits.maxPublicInputs)
            else { throw NodeError(.chain, "check circuit: the node's record of circuit \(id) does not decode") }
            guard key.circuitID == id else { throw NodeError(.chain, "check circuit: the key the node sent for circuit \(id) has another id") }
            return (key, record.bindingInput)
        }
    }
}
