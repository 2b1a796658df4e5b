import ArgumentParser
import Foundation
import WaggleNode

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a home directory: config, a one-validator genesis, node and validator keys, and a funded keyring key named `validator`.")

    @OptionGroup var options: HomeOption

    @Option(name: .customLong("chain-id"), help: "Chain id for the new genesis.")
    var chainID: String = "waggle-local"

    @Option(help: "A human-readable name for this node.")
    var moniker: String = "waggle-node"

    @Flag(help: "Replace an existing home (its config, keys and chain data are deleted).")
    var force = false

    @Option(help: "Use this genesis file instead of creating a one-validator genesis.")
    var genesis: String?

    @Option(name: .customLong("validator-key"), help: "Import this key file as the validator key instead of generating one.")
    var validatorKey: String?

    func run() async throws {
        try await runReportingErrors {
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            let result = try options.nodeHome.initialise(
                chainID: chainID, moniker: moniker, force: force, genesisTimeMs: now, genesisFile: genesis,
                validatorKeyFile: validatorKey)
            print("Initialised \(options.nodeHome.root) for chain \(result.chainID)")
            print("validator key: \(result.validator.signer.address.hex) (keyring name \"validator\")")
            if !result.isGenesisValidator {
                FileHandle.standardError.write(Data("warning: the validator key is not a validator in this genesis; the node will not produce blocks\n".utf8))
            }
            print("start the node with: waggle start --home \(options.nodeHome.root)")
        }
    }
}

struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the node until SIGINT or SIGTERM.")

    @OptionGroup var options: HomeOption

    func run() async throws {
        try await runReportingErrors {
            let node = try NodeRunner(home: options.nodeHome)
            try await node.run()
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the software and protocol versions.")

    func run() {
        print("waggle \(WaggleNode.softwareVersion) (protocol \(WaggleNode.protocolVersion))")
    }
}
