import Foundation
import Logging
import Testing
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleP2P
import WaggleRPC
import WaggleSwitch
import WaggleTesting

/// The node's methods over a real chain in a temporary RocksDB, called through the dispatcher.
struct RPCFixture {
    let dir: URL
    let chain: Chain
    let producer: BlockProducer
    let validator = TestKeys.signer(0)
    let dispatcher: JSONRPCDispatcher
    let chainID: String

    /// `broadcastTimeoutMs` bounds broadcast_tx_commit; tests that expect inclusion use a long one so a
    /// loaded machine cannot turn a slow block into a timeout.
    init(broadcastTimeoutMs: UInt64 = 300, p2p: PeerSwitch? = nil, genesis configure: (inout GenesisBuilder) -> Void = { _ in }) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("waggle-rpc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var b = GenesisBuilder(validators: 1)
        b.extraAccounts = [GenesisAccount(address: TestKeys.signer(50).address, balance: 100)]
        configure(&b)
        let genesis = b.build()
        chainID = genesis.chainID
        chain = try Chain(genesis: genesis, genesisBytes: genesis.json.serialized(), store: try ChainStore(path: dir.path + "/db"),
                          mempoolLimits: .init(), retainVersions: 0, logger: Logger(label: "t"))
        producer = try BlockProducer(chain: chain, signer: validator, persistence: try FileSignStatePersistence(path: dir.path + "/pv.json"),
                                     interval: .seconds(1), logger: Logger(label: "t"))
        let methods = NodeRPCMethods(chain: chain, moniker: "test", validatorKey: validator.publicKey, broadcastTxCommitTimeoutMs: broadcastTimeoutMs, p2p: p2p)
        dispatcher = JSONRPCDispatcher(methods: methods.table)
    }

    func cleanup() { try? FileManager.default.removeItem(at: dir) }

    func call(_ method: String, _ params: JSONValue = .object([:])) async throws -> JSONValue {
        let req: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": .string(method), "params": params]
        return try JSONValue.parse(await dispatcher.handle(body: req.serialized())!)
    }

    func produce() async throws { try await producer.produceBlock(after: await chain.head) }

    func txHex(_ signer: Signer, to: Address, amount: UInt64, nonce: UInt64) -> JSONValue {
        .string("0x" + Hex.encode(Transaction.sign(chainID: chainID, signer: signer, nonce: nonce, fee: 1, body: .transfer(to: to, amount: amount)).canonicalBytes))
    }
}

func code(_ v: JSONValue) -> Int64? {
    switch v["error"]?["code"] {
    case .int(let i)?: i
    case .uint(let u)?: Int64(u)
    default: nil
    }
}

@Suite struct NodeRPCMethodsTests {
    @Test func statusAndEmptyChainAnswers() async throws {
        let f = try RPCFixture()
        defer { f.cleanup() }
        let s = try await f.call("status")
        #expect(s["result"]?["node_info"]?["chain_id"] == .string(f.chainID))
        #expect(s["result"]?["sync_info"]?["latest_block_height"] == "0")
        #expect(code(try await f.call("block")) == 3002, "no block yet")
        #expect(try await f.call("genesis")["result"]?["genesis"]?["chain_id"] == .string(f.chainID))
        #expect(try await f.call("health")["result"] == .object([:]))
    }

    @Test func statusNamesTheNodeAndNetInfoListsThePeersOfARunningSwitch() async throws {
        let config = PeerSwitch.Configuration(
            chainID: "rpc-test", moniker: "rpc", listenAddress: NetAddress(host: "127.0.0.1", port: 0), dialTick: .milliseconds(50))
        let a = PeerSwitch(configuration: config, nodeKey: TestKeys.signer(30))
        let f = try RPCFixture(p2p: a)
        defer { f.cleanup() }
        let before = try await f.call("status")
        #expect(before["result"]?["node_info"]?["id"] == .string(NodeID(publicKey: TestKeys.signer(30).publicKey).hex))
        #expect(before["result"]?["node_info"]?["listen_addr"] == "tcp://127.0.0.1:0", "the configured address until bound")
        #expect(before["result"]?["sync_info"]?["catching_up"] == false)
        let runA = Task { try await a.run() }
        let boundA = try await a.listeningAddress()
        var configB = config
        configB.persistentPeers = [PeerAddress(id: a.nodeID, address: boundA)]
        let b = PeerSwitch(configuration: configB, nodeKey: TestKeys.signer(31))
        let runB = Task { try await b.run() }
        var info: JSONValue = .null
        for _ in 0..<500 {
            info = try await f.call("net_info")
            if info["result"]?["n_peers"] == "1" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(info["result"]?["listening"] == true)
        #expect(info["result"]?["listen_addr"] == .string("tcp://\(boundA)"))
        let peer = info["result"]?["peers"]?.arrayValue?.first
        #expect(peer?["id"] == .string(b.nodeID.hex))
        #expect(peer?["direction"] == "inbound")
        #expect(peer?["moniker"] == "rpc")
        #expect(peer?["address"]?.stringValue?.hasPrefix("127.0.0.1:") == true)
        #expect((peer?["bytes_received"]?.stringValue).flatMap(UInt64.init) ?? 0 > 0)
        #expect(try await f.call("status")["result"]?["node_info"]?["listen_addr"] == .string("tcp://\(boundA)"))
        #expect(code(try await f.call("net_info", ["verbose": true])) == -32602)
        runB.cancel()
        runA.cancel()
        _ = try? await runB.value
        _ = try? await runA.value
    }

    @Test func broadcastThenQueryBlockTxAndAccount() async throws {
        let f = try RPCFixture()
        defer { f.cleanup() }
        let to = TestKeys.signer(80).address
        let sent = try await f.call("broadcast_tx_sync", ["tx": f.txHex(f.validator, to: to, amount: 42, nonce: 0)])
        let hash = try #require(sent["result"]?["hash"]?.stringValue)
        #expect(try await f.call("num_unconfirmed_txs")["result"]?["count"] == 1)
        try await f.produce()
        let tx = try await f.call("tx", ["hash": .string(hash)])
        #expect(tx["result"]?["height"] == "1")
        #expect(tx["result"]?["tx"]?["body"]?["amount"] == "42")
        let acct = try await f.call("account", ["address": .string(to.hex)])
        #expect(acct["result"]?["balance"] == "42")
        let byHeight = try await f.call("block", ["height": 1])
        let id = try #require(byHeight["result"]?["block_id"]?.stringValue)
        let byHash = try await f.call("block", ["hash": .string(id)])
        #expect(byHash["result"]?["block_id"] == .string(id))
        let header = try await f.call("header", ["height": "1"])
        #expect(header["result"]?["header"]?["height"] == "1")
        let commit = try await f.call("commit", ["height": 1])
        #expect(commit["result"]?["commit"]?["signatures"]?.arrayValue?.count == 1)
        let vals = try await f.call("validators", ["height": 1])
        #expect(vals["result"]?["validators"]?.arrayValue?.count == 1)
    }

    @Test func accountProofVerifiesAgainstTheSignedHeader() async throws {
        let f = try RPCFixture()
        defer { f.cleanup() }
        let to = TestKeys.signer(81).address
        _ = try await f.call("broadcast_tx_sync", ["tx": f.txHex(f.validator, to: to, amount: 7, nonce: 0)])
        try await f.produce()
        try await f.produce()
        let r = try await f.call("account", ["address": .string(to.hex), "prove": true, "height": 1])
        let p = try #require(r["result"]?["proof"])
        let header = try Header(canonicalBytes: Hex.decode(p["header"]!.stringValue!)!)
        let proof = try SparseMerkleProof(canonicalBytes: Hex.decode(p["proof"]!.stringValue!)!)
        let value = Hex.decode(p["value"]!.stringValue!)
        #expect(header.height == 1)
        #expect(proof.verify(root: header.stateRoot, key: StateKey.account(to).treeKey, value: value))
        // The commit stored for height 1 signs exactly that header.
        let c = try await f.call("commit", ["height": 1])
        let commit = try Commit(canonicalBytes: Hex.decode(c["result"]!["commit"]!["encoded"]!.stringValue!)!)
        let set = try await f.chain.read { s, _ in try s.validatorSet(at: 1)! }
        try commit.verify(chainID: f.chainID, validators: set, height: 1, blockID: header.blockID)
    }

    @Test func accountAtAPrunedHeightIsAHeightUnavailableError() async throws {
        let f = try RPCFixture()
        defer { f.cleanup() }
        let to = TestKeys.signer(83).address
        for n in UInt64(0)..<3 {
            _ = try await f.call("broadcast_tx_sync", ["tx": f.txHex(f.validator, to: to, amount: 5, nonce: n)])
            try await f.produce()
        }
        _ = try await f.chain.read { s, _ in try s.pruneHistory(upToHeight: 2) }
        let pruned = try await f.call("account", ["address": .string(to.hex), "height": 1])
        #expect(code(pruned) == 3002)
        #expect(pruned["error"]?["message"]?.stringValue?.contains("pruned") == true)
        let kept = try await f.call("account", ["address": .string(to.hex), "height": 2])
        #expect(kept["result"]?["balance"] == "10")
    }

    @Test func rejectionsReachTheClientWithCodesAndReasons() async throws {
        let f = try RPCFixture()
        defer { f.cleanup() }
        let poor = TestKeys.signer(50)
        let r = try await f.call("broadcast_tx_sync", ["tx": f.txHex(poor, to: f.validator.address, amount: 1_000, nonce: 0)])
        #expect(code(r) == 1003)
        #expect(r["error"]?["data"]?["reason"] == "insufficient_funds")
        #expect(code(try await f.call("broadcast_tx_sync", ["tx": "0xzz"])) == -32602)
        let malformed = try await f.call("broadcast_tx_sync", ["tx": "0x0102"])
        #expect(code(malformed) == 2005)
        #expect(malformed["error"]?["data"]?["reason"] == "malformed_tx", "every mempool-code error names its reason")
        #expect(code(try await f.call("broadcast_tx_sync", [:])) == -32602)
        let badAddress = try await f.call("account", ["address": "0x1234"])
        #expect(code(badAddress) == -32602)
        #expect(badAddress["error"]?["message"]?.stringValue?.hasPrefix("invalid params: params.address: ") == true, "\(badAddress)")
        #expect(code(try await f.call("tx", ["hash": .string(Hash256.sha256([1]).hex)])) == 3001)
        #expect(code(try await f.call("block", ["height": 1, "hash": .string(Hash256.zero.hex)])) == -32602)
        #expect(code(try await f.call("block", ["height": 99])) == 3002)
        #expect(code(try await f.call("status", ["x": 1])) == -32602)
    }

    @Test func broadcastTxCommitWaitsForInclusionOrTimesOut() async throws {
        let short = try RPCFixture(broadcastTimeoutMs: 50)
        defer { short.cleanup() }
        let timedOut = try await short.call("broadcast_tx_commit", ["tx": short.txHex(short.validator, to: TestKeys.signer(82).address, amount: 1, nonce: 0)])
        #expect(code(timedOut) == 3003)
        #expect(await short.chain.mempoolCount == 1, "a timed-out transaction stays in the mempool")

        let f = try RPCFixture(broadcastTimeoutMs: 120_000)
        defer { f.cleanup() }
        async let waiting = f.call("broadcast_tx_commit", ["tx": f.txHex(f.validator, to: TestKeys.signer(82).address, amount: 1, nonce: 0)])
        for _ in 0..<2_000 where await f.chain.mempoolCount < 1 { try await Task.sleep(for: .milliseconds(5)) }
        try await f.produce()
        let r = try await waiting
        #expect(r["result"]?["height"] == "1")
    }

    /// Issue 12: `tx` and `hash` took hex without `0x` while `address` required it. Every byte
    /// string is now `0x` followed by hex digits of either case.
    @Test func everyByteStringParamNeedsThe0xPrefixAndAcceptsEitherCase() async throws {
        let f = try RPCFixture(broadcastTimeoutMs: 30_000)
        defer { f.cleanup() }
        let to = TestKeys.signer(83).address
        let txHex = try #require(f.txHex(f.validator, to: to, amount: 3, nonce: 0).stringValue)
        let bare = try await f.call("broadcast_tx_sync", ["tx": .string(String(txHex.dropFirst(2)))])
        #expect(code(bare) == -32602 && bare["error"]?["message"]?.stringValue?.contains("params.tx: expected 0x") == true)
        let sent = try await f.call("broadcast_tx_sync", ["tx": .string("0x" + txHex.dropFirst(2).uppercased())])
        let hash = try #require(sent["result"]?["hash"]?.stringValue)
        try await f.produce()
        let blockID = try #require(try await f.call("block", ["height": 1])["result"]?["block_id"]?.stringValue)
        for (method, name, value) in [("tx", "hash", hash), ("block", "hash", blockID), ("header", "hash", blockID), ("account", "address", to.hex)] {
            let withoutPrefix = try await f.call(method, [name: .string(String(value.dropFirst(2)))])
            #expect(code(withoutPrefix) == -32602, "\(method) \(name) without 0x")
            #expect(withoutPrefix["error"]?["message"]?.stringValue?.contains("params.\(name): expected a 0x-prefixed") == true)
            let capitalX = try await f.call(method, [name: .string("0X" + value.dropFirst(2))])
            #expect(code(capitalX) == -32602, "\(method) \(name) with 0X")
            let upper = try await f.call(method, [name: .string("0x" + value.dropFirst(2).uppercased())])
            #expect(upper["result"] != nil, "\(method) \(name) in upper case: \(upper)")
        }
    }

    /// Issue 12: a height written `1.0` or `1e0` said "expected an unsigned integer, got 1".
    @Test func aHeightThatIsNotAnIntegerIsQuotedAsWritten() async throws {
        let f = try RPCFixture()
        defer { f.cleanup() }
        try await f.produce()
        for method in ["block", "header", "commit", "validators", "account"] {
            for written in ["1.0", "1e0"] {
                let extra = method == "account" ? #","address":"\#(TestKeys.signer(84).address.hex)""# : ""
                let body = #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":{"height":\#(written)\#(extra)}}"#
                let r = try JSONValue.parse(try #require(await f.dispatcher.handle(body: Array(body.utf8))))
                #expect(code(r) == -32602)
                #expect(r["error"]?["message"] == .string("invalid params: params.height: must be an integer (digits only, no fraction or exponent), got \(written)"),
                        "\(method): \(r)")
            }
        }
    }

    /// Pins what Docs/RPC.md says of `header` without params and of `account` at height 0.
    @Test func headerWithoutParamsIsTheLatestAndAccountAtHeightZeroHasNoProof() async throws {
        let f = try RPCFixture()
        defer { f.cleanup() }
        let empty = try await f.call("header")
        #expect(code(empty) == 3002 && empty["error"]?["message"]?.stringValue?.contains("no block has been committed yet") == true)
        try await f.produce()
        try await f.produce()
        #expect(try await f.call("header")["result"]?["header"]?["height"] == "2")
        let funded = TestKeys.signer(50).address
        let genesisState = try await f.call("account", ["address": .string(funded.hex), "height": 0])
        #expect(genesisState["result"]?["balance"] == "100" && genesisState["result"]?["height"] == "0")
        #expect(genesisState["result"]?["proof"] == nil)
        let proved = try await f.call("account", ["address": .string(funded.hex), "height": 0, "prove": true])
        #expect(code(proved) == 3002 && proved["error"]?["message"]?.stringValue?.contains("proofs are served for committed blocks only") == true)
    }
}
