import ArgumentParser
import Foundation
import WaggleCore
import WaggleNode
import WaggleZK

/// What every `waggle tx` command takes: the home, the sender's keyring name, the fee, the node.
struct TxOptions: ParsableArguments {
    @OptionGroup var options: HomeOption
    @Option(help: "Keyring name of the sender.") var from: String
    @Option(help: "Fee to pay (at least the chain's min_fee; a contribution at least min_contribution_fee).") var fee: UInt64 = 1
    @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

    /// The sender's key and a client for the node (the key is looked up first).
    func connect() throws -> (signer: Signer, client: RPCClient) {
        let home = options.nodeHome
        let key = try home.keyring.get(from)
        return (key.signer, try RPCClient(endpoint: node, home: home))
    }

    /// Signs `body` with the sender's next nonce, broadcasts it, waits for inclusion; prints
    /// `hash` and `height` as JSON, plus the fields of `extra` (read once the height is known).
    /// The transaction is committed by then, so a failing `extra` read prints its fields as
    /// null and a warning, not an error.
    func send(_ body: TransactionBody, extra: (RPCClient, Signer, UInt64) async throws -> [String: JSONValue] = { _, _, _ in [:] })
        async throws
    {
        let (signer, client) = try connect()
        let result = try await client.send(signer: signer, body: body, fee: fee)
        var out: [String: JSONValue] = ["hash": .string(result.hash.hex), "height": .string(String(result.height))]
        do {
            for (k, v) in try await extra(client, signer, result.height) { out[k] = v }
        } catch {
            FileHandle.standardError.write(Data("warning: committed, but reading what it created failed: \(error)\n".utf8))
        }
        print(JSONValue.object(out).text)
    }
}

struct Tx: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign and broadcast transactions; each waits for inclusion and prints JSON (hash, height, ids it created).",
        subcommands: [
            Send.self, RegisterCircuit.self, ApproveCircuit.self, RegisterDataset.self, CommitModel.self, CreateTask.self, CloseTask.self,
            Unjail.self,
        ])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Transfer tokens: sign with a keyring key, broadcast over RPC, wait for inclusion, print the hash and height.")
        @OptionGroup var tx: TxOptions
        @Option(help: "Recipient address (0x followed by 40 hex digits).") var to: String
        @Option(help: "Amount to transfer.") var amount: UInt64

        func run() async throws {
            try await runReportingErrors {
                let recipient = try CLIArgument.address(to)
                try await tx.send(.transfer(to: recipient, amount: amount))
            }
        }
    }

    struct RegisterCircuit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register-circuit",
            abstract: "Register a Groth16 circuit from a snarkjs verification_key.json; prints its circuit id.")
        @OptionGroup var tx: TxOptions
        @Option(name: .customLong("vk"), help: "snarkjs verification_key.json.") var vk: String
        @Option(name: .customLong("binding-input"), help: "Index of the public input that carries the binding value.") var bindingInput: UInt32
        @Option(help: "A name (1 to 64 bytes of UTF-8, no control characters).") var name: String

        func run() async throws {
            try await runReportingErrors {
                let key = try CLIArgument.verifyingKey(vk)
                try await tx.send(.registerCircuit(verifyingKey: key.canonicalBytes, bindingInput: bindingInput, name: name)) { _, _, _ in
                    ["circuit": .string(key.circuitID.hex)]
                }
            }
        }
    }

    struct ApproveCircuit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve-circuit",
            abstract: "A validator operator's vote to approve a circuit (counted at the next epoch boundary).")
        @OptionGroup var tx: TxOptions
        @Option(help: "Circuit id (0x followed by 64 hex digits).") var circuit: String

        func run() async throws {
            try await runReportingErrors {
                let id = try CLIArgument.hash(circuit, "circuit id")
                try await tx.send(.approveCircuit(circuit: id))
            }
        }
    }

    struct RegisterDataset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register-dataset", abstract: "Record a dataset commitment; the sender owns it. Prints the dataset id.")
        @OptionGroup var tx: TxOptions
        @Option(help: "The commitment: a field element, decimal or 0x and 64 hex digits, below r.") var commitment: String
        @Option(help: "Number of samples.") var samples: UInt64
        @Option(help: "A name (1 to 64 bytes of UTF-8, no control characters).") var name: String

        func run() async throws {
            try await runReportingErrors {
                let c = try CLIArgument.scalar(commitment, "--commitment")
                try await tx.send(.registerDataset(commitment: c, samples: samples, name: name)) { client, signer, height in
                    ["dataset": try await CreatedRecord.find(client, method: "dataset", owner: signer.address, height: height)]
                }
            }
        }
    }

    struct CommitModel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "commit-model", abstract: "Record a model commitment; the sender owns it. Prints the model id.")
        @OptionGroup var tx: TxOptions
        @Option(help: "The commitment: a field element, decimal or 0x and 64 hex digits, below r.") var commitment: String
        @Option(help: "A name (1 to 64 bytes of UTF-8, no control characters).") var name: String

        func run() async throws {
            try await runReportingErrors {
                let c = try CLIArgument.scalar(commitment, "--commitment")
                try await tx.send(.commitModel(commitment: c, name: name)) { client, signer, height in
                    ["model": try await CreatedRecord.find(client, method: "model", owner: signer.address, height: height)]
                }
            }
        }
    }

    struct CreateTask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-task",
            abstract: "Create a task, escrowing reward × max-contributions from the sender. Prints the task id.")
        @OptionGroup var tx: TxOptions
        @Option(help: "Circuit id (0x followed by 64 hex digits).") var circuit: String
        @Option(help: "Dataset id whose owner takes --data-share-bps of each reward.") var dataset: UInt64?
        @Option(help: "Model id whose owner takes --model-share-bps of each reward.") var model: UInt64?
        @Option(
            name: .customLong("fixed-input"), help: "A public input every contribution must carry: INDEX=VALUE (VALUE decimal or 0x hex); repeatable.")
        var fixedInputs: [String] = []
        @Option(help: "Paid per accepted contribution.") var reward: UInt64
        @Option(name: .customLong("max-contributions"), help: "Most contributions the task pays.") var maxContributions: UInt32
        @Option(name: .customLong("reputation-credit"), help: "Reputation points per accepted contribution (approved circuits only).")
        var reputationCredit: UInt64
        @Option(help: "Last height at which a contribution is accepted.") var deadline: UInt64
        @Option(name: .customLong("data-share-bps"), help: "Dataset owner's share of each reward, in basis points.") var dataShareBps: UInt16 = 0
        @Option(name: .customLong("model-share-bps"), help: "Model owner's share of each reward, in basis points.") var modelShareBps: UInt16 = 0

        func run() async throws {
            try await runReportingErrors {
                let id = try CLIArgument.hash(circuit, "circuit id")
                var fixed: [FixedInput] = []
                for text in fixedInputs {
                    let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard parts.count == 2, let index = UInt32(parts[0]) else {
                        throw NodeError(.config, "--fixed-input \"\(text)\": expected INDEX=VALUE")
                    }
                    fixed.append(FixedInput(index: index, value: try CLIArgument.scalar(String(parts[1]), "--fixed-input \(index)")))
                }
                fixed.sort { $0.index < $1.index }
                for (a, b) in zip(fixed, fixed.dropFirst()) where a.index == b.index {
                    throw NodeError(.config, "--fixed-input: index \(a.index) is given twice")
                }
                let spec = TaskSpec(
                    circuit: id, dataset: dataset, model: model, fixedInputs: fixed, reward: reward, dataShareBps: dataShareBps,
                    modelShareBps: modelShareBps, maxContributions: maxContributions, reputationCredit: reputationCredit, deadline: deadline)
                try await tx.send(.createTask(spec)) { client, signer, height in
                    ["task": try await CreatedRecord.find(client, method: "task", owner: signer.address, height: height)]
                }
            }
        }
    }

    struct CloseTask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close-task", abstract: "Close a task after its deadline or once exhausted; the rest of its pool returns to the sponsor.")
        @OptionGroup var tx: TxOptions
        @Option(help: "Task id.") var task: UInt64

        func run() async throws {
            try await runReportingErrors { try await tx.send(.closeTask(task: task)) }
        }
    }

    struct Unjail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bring the sender's jailed validator back after its jail period.")
        @OptionGroup var tx: TxOptions
        @Option(help: "The validator's address (default: the sender's own address, when its key is the validator key).")
        var validator: String?

        func run() async throws {
            try await runReportingErrors {
                let explicit = try validator.map { try CLIArgument.address($0) }
                let (signer, _) = try tx.connect()
                try await tx.send(.unjail(validator: explicit ?? signer.address))
            }
        }
    }
}

/// Parsing of command-line values, each failure one clear line naming the value.
enum CLIArgument {
    static func address(_ text: String) throws -> Address {
        guard let a = Hex.decodePrefixed(text).flatMap({ Address($0) }) else {
            throw NodeError(.config, "invalid address \"\(text)\": expected 0x followed by 40 hex digits")
        }
        return a
    }

    static func hash(_ text: String, _ what: String) throws -> Hash256 {
        guard let h = Hex.decodePrefixed(text).flatMap({ Hash256($0) }) else {
            throw NodeError(.config, "invalid \(what) \"\(text)\": expected 0x followed by 64 hex digits")
        }
        return h
    }

    /// A BN254 scalar: decimal, or 0x and 64 hex digits; below r.
    static func scalar(_ text: String, _ what: String) throws -> ScalarBytes {
        let bytes: [UInt8]?
        if text.hasPrefix("0x") {
            bytes = Hex.decodePrefixed(text).flatMap { $0.count == 32 ? $0 : nil }
        } else {
            bytes = UInt256(decimal: text)?.bigEndianBytes
        }
        guard let bytes else { throw NodeError(.config, "\(what): \"\(text)\" is not a decimal number or 0x and 64 hex digits") }
        guard let s = ScalarBytes(bytes) else { throw NodeError(.config, "\(what): \(text) is not below the BN254 scalar field order r") }
        return s
    }

    static func file(_ path: String, _ what: String) throws -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw NodeError(.io, "cannot read \(what) \(path): \((error as NSError).localizedDescription)")
        }
    }

    static func verifyingKey(_ path: String) throws -> Groth16VerifyingKey {
        let data = try file(path, "verification key")
        do { return try SnarkJS.parseVerifyingKey(data) } catch { throw NodeError(.config, "\(path): \(error)") }
    }
}

/// Finds the id of a dataset, model or task the sender created at `height`: ids are assigned in
/// order and never removed, so the last id is found by galloping and bisection over `method`
/// at that height, then the ids created at `height` are read down to the sender's.
enum CreatedRecord {
    static func find(_ client: RPCClient, method: String, owner: Address, height: UInt64) async throws -> JSONValue {
        func record(_ id: UInt64) async throws -> JSONValue? {
            do {
                return try await client.call(method, ["id": .string(String(id)), "height": .string(String(height))])
            } catch let f as RPCClient.Failure where f.code == 3001 { return nil }
        }
        guard try await record(1) != nil else { return .null }
        var lo: UInt64 = 1, hi: UInt64 = 2  // record(lo) exists
        while hi < UInt64.max / 2, try await record(hi) != nil { (lo, hi) = (hi, hi * 2) }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if try await record(mid) != nil { lo = mid } else { hi = mid }
        }
        let ownerField = method == "task" ? "sponsor" : "owner"
        let heightField = method == "task" ? "created_height" : "registered_height"
        var id = lo
        while id >= 1, let r = try await record(id), r[heightField]?.uint64Value == height {
            if r[ownerField]?.stringValue == owner.hex { return .string(String(id)) }
            id -= 1
        }
        return .null
    }
}
