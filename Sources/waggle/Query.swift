import ArgumentParser
import WaggleCore
import WaggleNode

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Query a running node over JSON-RPC; prints JSON on stdout.", subcommands: [Account.self, Block.self, Tx.self])

    struct Account: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An account's balance, nonce and reputation.")
        @OptionGroup var options: HomeOption
        @Argument(help: "Address (0x followed by 40 hex digits).") var address: String
        @Flag(help: "Include a Merkle proof against the latest committed state root.") var prove = false
        @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

        func run() async throws {
            try await runReportingErrors {
                guard Hex.decodePrefixed(address).flatMap({ WaggleCore.Address($0) }) != nil else {
                    throw NodeError(.config, "invalid address \"\(address)\": expected 0x followed by 40 hex digits")
                }
                var params: [String: JSONValue] = ["address": .string(address)]
                if prove { params["prove"] = .bool(true) }
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
