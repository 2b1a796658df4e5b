import ArgumentParser
import WaggleCore
import WaggleNode

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Query a running node over JSON-RPC; prints JSON on stdout.", subcommands: [
            Account.self, Block.self, Tx.self, Circuit.self, Circuits.self, Task.self, Tasks.self, Contribution.self, Reputation.self,
            Dataset.self, Model.self, Validators.self,
        ])

    struct Account: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An account's balance, nonce and reputation.")
        @OptionGroup var options: HomeOption
        @Argument(help: "Address (0x followed by 40 hex digits).") var address: String
        @Flag(help: "Include a Merkle proof against the committed state root.") var prove = false
        @Option(help: "Read the state of this committed height (default: the latest).") var height: UInt64?
        @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

        func run() async throws {
            try await runReportingErrors {
                let a = try CLIArgument.address(address)
                var params: [String: JSONValue] = ["address": .string(a.hex)]
                if prove { params["prove"] = .bool(true) }
                if let height { params["height"] = .string(String(height)) }
                let result = try await RPCClient(endpoint: node, home: options.nodeHome).call("account", .object(params))
                printJSON(result.serialized(pretty: true))
            }
        }
    }

    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A committed block (default: the latest).")
        @OptionGroup var options: HomeOption
        @Argument(help: "Height of the block.") var height: UInt64?
        @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

        func run() async throws {
            try await runReportingErrors {
                let params: JSONValue = height.map { .object(["height": .string(String($0))]) } ?? .object([:])
                let result = try await RPCClient(endpoint: node, home: options.nodeHome).call("block", params)
                printJSON(result.serialized(pretty: true))
            }
        }
    }

    struct Tx: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A committed transaction by hash.")
        @OptionGroup var options: HomeOption
        @Argument(help: "Transaction hash (0x followed by 64 hex digits).") var hash: String
        @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

        func run() async throws {
            try await runReportingErrors {
                guard Hex.decodePrefixed(hash).flatMap({ Hash256($0) }) != nil else {
                    throw NodeError(.config, "invalid transaction hash \"\(hash)\": expected 0x followed by 64 hex digits")
                }
                let result = try await RPCClient(endpoint: node, home: options.nodeHome).call("tx", ["hash": .string(hash)])
                printJSON(result.serialized(pretty: true))
            }
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The node's status: chain, latest block, validator.")
    @OptionGroup var options: HomeOption
    @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

    func run() async throws {
        try await runReportingErrors {
            let result = try await RPCClient(endpoint: node, home: options.nodeHome).call("status", .object([:]))
            printJSON(result.serialized(pretty: true))
        }
    }
}

/// What every useful-work query takes: `--prove` (a Merkle proof against the committed header's
/// state root, as `query account --prove`), `--height`, the home and the node.
struct StateQueryOptions: ParsableArguments {
    @OptionGroup var options: HomeOption
    @Flag(help: "Include a Merkle proof against the committed state root of that height.") var prove = false
    @Option(help: "Read the state of this committed height (default: the latest).") var height: UInt64?
    @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

    /// Calls `method` with `params` plus `prove` and `height`, and prints the result.
    func print(_ method: String, _ params: [String: JSONValue]) async throws {
        var p = params
        if prove { p["prove"] = .bool(true) }
        if let height { p["height"] = .string(String(height)) }
        let result = try await RPCClient(endpoint: node, home: options.nodeHome).call(method, .object(p))
        printJSON(result.serialized(pretty: true))
    }
}

/// `--page` and `--per-page` of the list queries.
struct PageOptions: ParsableArguments {
    @Option(help: "Page, from 1.") var page: UInt64 = 1
    @Option(name: .customLong("per-page"), help: "Items per page (1 to 100).") var perPage: UInt64 = 20

    var params: [String: JSONValue] { ["page": .string(String(page)), "per_page": .string(String(perPage))] }
}

extension Query {
    struct Circuit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A registered circuit: name, binding input, approval, key summary.")
        @OptionGroup var query: StateQueryOptions
        @Argument(help: "Circuit id (0x followed by 64 hex digits).") var id: String

        func run() async throws {
            try await runReportingErrors {
                let h = try CLIArgument.hash(id, "circuit id")
                try await query.print("circuit", ["id": .string(h.hex)])
            }
        }
    }

    struct Circuits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every registered circuit, in circuit-id order, paged.")
        @OptionGroup var query: StateQueryOptions
        @OptionGroup var paging: PageOptions

        func run() async throws {
            try await runReportingErrors { try await query.print("circuits", paging.params) }
        }
    }

    struct Task: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A task: spec, pool left, contributions accepted, status.")
        @OptionGroup var query: StateQueryOptions
        @Argument(help: "Task id.") var id: UInt64

        func run() async throws {
            try await runReportingErrors { try await query.print("task", ["id": .string(String(id))]) }
        }
    }

    struct Tasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tasks in id order, paged (--open: only those accepting contributions).")
        @OptionGroup var query: StateQueryOptions
        @OptionGroup var paging: PageOptions
        @Flag(help: "Only tasks whose status is open.") var open = false

        func run() async throws {
            try await runReportingErrors {
                var p = paging.params
                if open { p["open"] = .bool(true) }
                try await query.print("tasks", p)
            }
        }
    }

    struct Contribution: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An accepted contribution, by --task and --index, or by the hash of its transaction (--hash).")
        @OptionGroup var query: StateQueryOptions
        @Option(help: "Task id.") var task: UInt64?
        @Option(help: "Index of the contribution in the task, from 0.") var index: UInt32?
        @Option(help: "Hash of the contribute transaction (0x followed by 64 hex digits).") var hash: String?

        func run() async throws {
            try await runReportingErrors {
                if let hash {
                    guard task == nil, index == nil else { throw NodeError(.config, "give --hash, or --task and --index, not both") }
                    try await query.print("contribution", ["hash": .string(try CLIArgument.hash(hash, "transaction hash").hex)])
                } else {
                    guard let task, let index else { throw NodeError(.config, "give --task and --index, or --hash") }
                    try await query.print("contribution", ["task": .string(String(task)), "index": .uint(UInt64(index))])
                }
            }
        }
    }

    struct Reputation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An account's reputation: points decayed to the current epoch, gain used this epoch, last update.")
        @OptionGroup var query: StateQueryOptions
        @Argument(help: "Address (0x followed by 40 hex digits).") var address: String

        func run() async throws {
            try await runReportingErrors {
                try await query.print("reputation", ["address": .string(try CLIArgument.address(address).hex)])
            }
        }
    }

    struct Dataset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A dataset commitment: owner, commitment, samples, name.")
        @OptionGroup var query: StateQueryOptions
        @Argument(help: "Dataset id.") var id: UInt64

        func run() async throws {
            try await runReportingErrors { try await query.print("dataset", ["id": .string(String(id))]) }
        }
    }

    struct Validators: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The validator set of a height (default: the next block's): voting power beside stake and the operator's reputation.")
        @OptionGroup var options: HomeOption
        @Option(help: "The height whose set to show.") var height: UInt64?
        @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

        func run() async throws {
            try await runReportingErrors {
                let params: JSONValue = height.map { .object(["height": .string(String($0))]) } ?? .object([:])
                let result = try await RPCClient(endpoint: node, home: options.nodeHome).call("validators", params)
                printJSON(result.serialized(pretty: true))
            }
        }
    }

    struct Model: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A model commitment: owner, commitment, name.")
        @OptionGroup var query: StateQueryOptions
        @Argument(help: "Model id.") var id: UInt64

        func run() async throws {
            try await runReportingErrors { try await query.print("model", ["id": .string(String(id))]) }
        }
    }
}
