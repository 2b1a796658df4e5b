import ArgumentParser
import Foundation
import WaggleNode
import WaggleP2P

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
            print("node id: \(try options.nodeHome.nodeID().hex) (peers dial ID@HOST:PORT, the port of p2p.laddr)")
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

    @Option(name: .customLong("p2p.laddr"), help: "Listen for peers here for this run (tcp://HOST:PORT), instead of [p2p] laddr.")
    var p2pListenAddress: String?

    @Option(
        name: .customLong("p2p.persistent-peers"),
        help: "Peers to stay connected to for this run (comma-separated ID@HOST:PORT), instead of [p2p] persistent_peers.")
    var persistentPeers: String?

    @Option(name: .customLong("rpc.laddr"), help: "Serve JSON-RPC here for this run (HOST:PORT), instead of [rpc] laddr.")
    var rpcListenAddress: String?
    @Option(
        name: .customLong("p2p.seeds"),
        help: "Seed nodes for this run (comma-separated ID@HOST:PORT), instead of [p2p] seeds; dialled for addresses when the address book has none.")
    var seeds: String?

    func run() async throws {
        try await runReportingErrors {
            var node = try NodeRunner(home: options.nodeHome)
            if let p2pListenAddress {
                do { node.config.p2p.listenAddress = try NetAddress(parsing: p2pListenAddress, allowPortZero: true) } catch {
                    throw ValidationError("--p2p.laddr: \(error)")
                }
            }
            if let rpcListenAddress {
                guard HostPort(rpcListenAddress) != nil else { throw ValidationError("--rpc.laddr: expected HOST:PORT, got \"\(rpcListenAddress)\"") }
                node.config.rpcListenAddress = rpcListenAddress
            }
            if let persistentPeers {
                do { node.config.p2p.persistentPeers = try PeerAddress.parseList(persistentPeers) } catch {
                    throw ValidationError("--p2p.persistent-peers: \(error)")
                }
            }
            if let seeds {
                do { node.config.p2p.seeds = try PeerAddress.parseList(seeds) } catch {
                    throw ValidationError("--p2p.seeds: \(error)")
                }
            }
            try await node.run()
        }
    }
}

struct ShowNodeID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show-node-id", abstract: "Print this home's node id (the ID in ID@HOST:PORT that peers dial).")

    @OptionGroup var options: HomeOption

    func run() throws {
        do {
            print(try options.nodeHome.nodeID().hex)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the software and protocol versions.")

    func run() {
        print("waggle \(WaggleNode.softwareVersion) (protocol \(WaggleNode.protocolVersion))")
    }
}
