import Testing
import WaggleCore
import WaggleNode
import WaggleTesting

@Suite struct ConfigTests {
    @Test func writtenConfigParsesBackToTheSameValues() throws {
        var c = NodeConfig()
        c.moniker = "m1"
        c.blockIntervalMs = 250
        c.rpcListenAddress = "127.0.0.1:0"
        #expect(try NodeConfig.parse(c.tomlText) == c)
    }

    @Test func monikersWithQuotesBackslashesAndControlCharactersRoundTrip() throws {
        for moniker in ["Alice \"A\" node", "C:\\nodes\\a\\q", "line\nbreak\ttab\u{01}", "ünïcode 🐝"] {
            var c = NodeConfig()
            c.moniker = moniker
            #expect(try NodeConfig.parse(c.tomlText) == c, "\(moniker)")
        }
    }

    func expectFailure(_ text: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try NodeConfig.parse(text)
            Issue.record("accepted bad config", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func badConfigNamesTheKey() {
        expectFailure("[rpc]\nladdr = 5\n", "rpc.laddr")
        expectFailure("[rpc]\nladdr = \"nope\"\n", "HOST:PORT")
        expectFailure("[consensus]\nblock_interval_ms = 1\n", "block_interval_ms")
        expectFailure("[consensus]\nblock_interval_ms = \"18446744073709551615\"\n", "block_interval_ms")
        expectFailure("[rpc]\ntimeout_broadcast_tx_commit_ms = 99999999999\n", "timeout_broadcast_tx_commit_ms")
        expectFailure("[mempool]\nsize = \"big\"\n", "mempool.size")
        expectFailure("[log]\nformat = \"xml\"\n", "log.format")
        expectFailure("[rpcc]\n", "unknown field \"rpcc\"")
        expectFailure("moniker = \n", "config.toml")
    }
}

@Suite struct KeyringTests {
    @Test func addShowListAndFileModes() throws {
        let dir = TempDir()
        let ring = Keyring(directory: dir.path + "/keyring")
        let a = try ring.add("alice")
        let b = try ring.add("bob")
        #expect(try ring.get("alice").signer.address == a.signer.address)
        #expect(try ring.list().map(\.name) == ["alice", "bob"])
        #expect(FileIO.permissions(dir.path + "/keyring/alice.json") == 0o600)
        #expect(b.signer.address != a.signer.address)
    }

    @Test func rejectsDuplicatesUnknownAndUnsafeNames() throws {
        let dir = TempDir()
        let ring = Keyring(directory: dir.path + "/keyring")
        _ = try ring.add("alice")
        #expect(throws: NodeError(.keys, "")) { try ring.add("alice") }
        #expect(throws: NodeError(.keys, "")) { try ring.get("carol") }
        #expect(throws: NodeError(.keys, "")) { try ring.add("../evil") }
        #expect(throws: NodeError(.keys, "")) { try ring.add("") }
    }

    @Test func keyFileWithMismatchedAddressIsRejected() throws {
        let dir = TempDir()
        let path = dir.path + "/k.json"
        let key = KeyFile(name: "x", signer: TestKeys.signer(1))
        guard case .object(var o) = key.json else { return }
        o["address"] = .string(TestKeys.signer(2).address.hex)
        try FileIO.writeAtomically(JSONValue.object(o).serialized(), to: path)
        #expect(throws: NodeError(.keys, "")) { try KeyFile.load(path) }
    }

    @Test func initCreatesAFundedValidatorAndRefusesToOverwrite() throws {
        let dir = TempDir()
        let home = NodeHome(dir.path + "/home")
        let r = try home.initialise(chainID: "c-1", moniker: "m", force: false, genesisTimeMs: 0)
        try home.requireInitialised()
        let (doc, _) = try home.loadGenesis()
        #expect(doc.validators.map(\.publicKey) == [r.validator.signer.publicKey])
        #expect(doc.accounts.first { $0.address == r.validator.signer.address }!.balance > 0)
        #expect(FileIO.permissions(home.validatorKeyFile) == 0o600)
        #expect(try home.keyring.get("validator").signer.address == r.validator.signer.address)
        #expect(throws: NodeError(.homeExists, "")) { try home.initialise(chainID: "c-1", moniker: "m", force: false, genesisTimeMs: 0) }
        let forced = try home.initialise(chainID: "c-2", moniker: "m", force: true, genesisTimeMs: 0)
        #expect(forced.validator.signer.address != r.validator.signer.address)
        #expect(throws: NodeError(.config, "")) { try home.initialise(chainID: "bad id!", moniker: "m", force: true, genesisTimeMs: 0) }
    }

    @Test func initRefusesAKeyringWithAValidatorKeyBeforeWritingAnythingAndForceKeepsOtherKeys() throws {
        let dir = TempDir()
        let home = NodeHome(dir.path + "/home")
        let alice = try home.keyring.add("alice")
        let mine = try home.keyring.add("validator")
        #expect(throws: NodeError(.homeExists, "")) { try home.initialise(chainID: "c-1", moniker: "m", force: false, genesisTimeMs: 0) }
        #expect(!FileIO.exists(home.configDir) && !FileIO.exists(home.dataDir), "a refusal writes nothing")
        #expect(try home.keyring.get("validator").signer.address == mine.signer.address)
        let r = try home.initialise(chainID: "c-1", moniker: "m", force: true, genesisTimeMs: 0)
        #expect(r.validator.signer.address != mine.signer.address)
        #expect(try home.keyring.get("alice").signer.address == alice.signer.address, "--force keeps the other keys")
    }
}
