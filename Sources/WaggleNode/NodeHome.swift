import Foundation
import WaggleCore
import WaggleLedger
import WaggleP2P

/// A node's home directory, laid out as CometBFT operators expect:
///
///     config/config.toml  config/genesis.json  config/node_key.json
///     config/priv_validator_key.json (0600)     keyring/NAME.json (0600)
///     data/chain.db/ (RocksDB)  data/priv_validator_state.json  data/rpc_address  data/p2p_address
///     data/addrbook.json (peer exchange)
public struct NodeHome: Sendable {
    public let root: String

    public init(_ root: String) {
        self.root = (root as NSString).expandingTildeInPath
    }

    public static var defaultPath: String { NSString(string: "~/.waggle").expandingTildeInPath }

    public var configDir: String { "\(root)/config" }
    public var dataDir: String { "\(root)/data" }
    public var configFile: String { "\(configDir)/config.toml" }
    public var genesisFile: String { "\(configDir)/genesis.json" }
    public var nodeKeyFile: String { "\(configDir)/node_key.json" }
    public var validatorKeyFile: String { "\(configDir)/priv_validator_key.json" }
    public var validatorStateFile: String { "\(dataDir)/priv_validator_state.json" }
    public var databaseDir: String { "\(dataDir)/chain.db" }
    public var rpcAddressFile: String { "\(dataDir)/rpc_address" }
    public var p2pAddressFile: String { "\(dataDir)/p2p_address" }
    public var addressBookFile: String { "\(dataDir)/addrbook.json" }
    public var keyring: Keyring { Keyring(directory: "\(root)/keyring") }

    /// Checks that `init` has been run here.
    public func requireInitialised() throws(NodeError) {
        guard FileIO.exists(root) else { throw NodeError(.noHome, "no Waggle home at \(root): run `waggle init --home \(root)` first") }
        for f in [configFile, genesisFile, validatorKeyFile, nodeKeyFile] where !FileIO.exists(f) {
            throw NodeError(.noHome, "\(f) is missing: run `waggle init --home \(root)` first")
        }
    }

    /// The node key (config/node_key.json), refused when others can read it.
    public func loadNodeKey() throws(NodeError) -> KeyFile {
        guard FileIO.exists(nodeKeyFile) else {
            throw NodeError(.noHome, "\(nodeKeyFile) is missing: run `waggle init --home \(root)` first")
        }
        if let mode = FileIO.permissions(nodeKeyFile), mode & 0o077 != 0 {
            throw NodeError(.keys, "\(nodeKeyFile) is readable by others (mode \(String(mode, radix: 8))); run chmod 600 on it")
        }
        return try KeyFile.load(nodeKeyFile)
    }

    /// The node id peers know this home by: `ID` in `ID@host:port`.
    public func nodeID() throws(NodeError) -> NodeID { NodeID(publicKey: try loadNodeKey().signer.publicKey) }

    public func loadConfig() throws(NodeError) -> NodeConfig {
        let bytes = try FileIO.read(configFile)
        do { return try NodeConfig.parse(String(decoding: bytes, as: UTF8.self)) } catch {
            throw NodeError(.config, "\(configFile): \(error.description.replacingOccurrences(of: "config.toml: ", with: ""))")
        }
    }

    public func loadGenesis() throws(NodeError) -> (doc: GenesisDoc, bytes: [UInt8]) {
        let bytes = try FileIO.read(genesisFile)
        do { return (try GenesisDoc.parse(bytes), bytes) } catch {
            throw NodeError(.config, "\(genesisFile): \(error.reason.replacingOccurrences(of: "genesis: ", with: ""))")
        }
    }

    public struct InitResult: Sendable {
        public let validator: KeyFile
        public let chainID: String
        /// False when an imported genesis does not list the validator key (the node then
        /// follows the chain without producing blocks).
        public let isGenesisValidator: Bool
    }

    /// Creates a new home: config, a one-validator genesis whose validator is the keyring key
    /// `validator` (funded, so a transaction can be sent at once), node and validator keys.
    /// Refuses an existing home (or a keyring that already has a `validator` key) unless `force`,
    /// which replaces config, node and validator keys and data; other keyring keys are kept.
    ///
    /// With `genesisFile`, that genesis is used as it is (its chain id wins); with
    /// `validatorKeyFile`, that key becomes the validator key instead of a fresh one.
    public func initialise(
        chainID: String, moniker: String, force: Bool, genesisTimeMs: Int64, genesisFile: String? = nil,
        validatorKeyFile: String? = nil
    ) throws(NodeError) -> InitResult {
        guard GenesisDoc.isValidChainID(chainID) else {
            throw NodeError(.config, "invalid chain id \"\(chainID)\": use 1 to 50 characters from [A-Za-z0-9._-]")
        }
        var imported: (doc: GenesisDoc, bytes: [UInt8])?
        if let genesisFile {
            let bytes = try FileIO.read(genesisFile)
            do { imported = (try GenesisDoc.parse(bytes), bytes) } catch {
                throw NodeError(.config, "\(genesisFile): \(error.reason.replacingOccurrences(of: "genesis: ", with: ""))")
            }
        }
        let importedKey = try validatorKeyFile.map { path throws(NodeError) in try KeyFile.load(path) }
        // Everything is checked before anything is written, so a refusal leaves the home as it was.
        let validatorKeyringFile = keyring.path("validator")
        let existing = [configFile, self.genesisFile, dataDir, validatorKeyringFile].filter { FileIO.exists($0) }
        if !existing.isEmpty {
            guard force else {
                throw NodeError(.homeExists, "\(root) already holds a Waggle home (\(existing[0])); pass --force to replace it")
            }
            // --force replaces what init creates; other keys in the keyring stay.
            for path in [configDir, dataDir, validatorKeyringFile] where FileIO.exists(path) {
                do { try FileManager.default.removeItem(atPath: path) } catch {
                    throw NodeError(.io, "cannot remove \(path): \(error.localizedDescription)")
                }
            }
        }
        try FileIO.makeDirectory(root, mode: 0o700)
        try FileIO.makeDirectory(configDir, mode: 0o700)
        try FileIO.makeDirectory(dataDir, mode: 0o700)

        let validatorKey = try keyring.add("validator", signer: importedKey?.signer ?? .generate())
        try KeyFile(name: "priv_validator", signer: validatorKey.signer).write(to: self.validatorKeyFile)
        try KeyFile(name: "node", signer: .generate()).write(to: nodeKeyFile)

        if let imported {
            try FileIO.writeAtomically(imported.bytes, to: self.genesisFile)
        } else {
            let doc = GenesisDoc(
                chainID: chainID, genesisTimeMs: genesisTimeMs, initialHeight: 1,
                validators: [GenesisValidator(name: moniker, publicKey: validatorKey.signer.publicKey, operator: validatorKey.signer.address, selfBond: 10_000_000)],
                accounts: [GenesisAccount(address: validatorKey.signer.address, balance: 1_000_000_000_000)])
            try FileIO.writeAtomically(doc.json.serialized(pretty: true) + [0x0a], to: self.genesisFile)
        }
        var config = NodeConfig()
        config.moniker = moniker
        try FileIO.writeAtomically(Array(config.tomlText.utf8), to: configFile)
        let isValidator = imported.map { $0.doc.validators.contains { $0.publicKey == validatorKey.signer.publicKey } } ?? true
        return InitResult(validator: validatorKey, chainID: imported?.doc.chainID ?? chainID, isGenesisValidator: isValidator)
    }
}
