import ArgumentParser
import WaggleCore
import WaggleNode

struct Tx: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sign and broadcast transactions.", subcommands: [Send.self])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Transfer tokens: sign with a keyring key, broadcast over RPC, wait for inclusion, print the hash and height.")
        @OptionGroup var options: HomeOption
        @Option(help: "Keyring name of the sender.") var from: String
        @Option(help: "Recipient address (0x followed by 40 hex digits).") var to: String
        @Option(help: "Amount to transfer.") var amount: UInt64
        @Option(help: "Fee to pay (at least the chain's min_fee).") var fee: UInt64 = 1
        @Option(help: "JSON-RPC endpoint (default: this home's configured address).") var node: String?

        func run() async throws {
            try await runReportingErrors {
                guard let recipient = Hex.decodePrefixed(to).flatMap({ Address($0) }) else {
                    throw NodeError(.config, "invalid address \"\(to)\": expected 0x followed by 40 hex digits")
                }
                let home = options.nodeHome
                let key = try home.keyring.get(from)
                let client = try RPCClient(endpoint: node, home: home)
                let result = try await client.send(
                    signer: key.signer, body: .transfer(to: recipient, amount: amount), fee: fee)
                print(JSONValue.object(["hash": .string(result.hash.hex), "height": .string(String(result.height))]).text)
            }
        }
    }
}
