import Foundation
import Testing
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleStore
import WaggleTesting

/// End-to-end tests of the real `waggle` binary on temporary homes, over HTTP on loopback.
@Suite(.serialized) struct NodeProcessTests {
    /// `waggle init` into a fresh temporary home, with a free RPC port and fast blocks.
    func makeHome() throws -> (String, TempHome) {
        let tmp = TempHome()
        let r = try runWaggle(["init", "--home", tmp.path, "--chain-id", "it-chain", "--moniker", "it"])
        guard r.status == 0 else { throw NodeError(.io, "init failed: \(r.stderr)") }
        try useFreeLoopbackPortsAndFastBlocks(home: tmp.path)
        return (tmp.path, tmp)
    }

    /// `waggle init --genesis` from `home`'s genesis into a fresh temporary home (its own node
    /// and validator keys, the latter in no validator set), with a free RPC port.
    func makeFullNodeHome(genesisOf home: String, moniker: String) throws -> TempHome {
        let tmp = TempHome()
        let r = try runWaggle(["init", "--home", tmp.path, "--genesis", home + "/config/genesis.json", "--moniker", moniker])
        guard r.status == 0 else { throw NodeError(.io, "init failed: \(r.stderr)") }
        let configPath = tmp.path + "/config/config.toml"
        try (try String(contentsOfFile: configPath, encoding: .utf8))
            .replacingOccurrences(of: "laddr = \"127.0.0.1:26657\"", with: "laddr = \"127.0.0.1:0\"")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        return tmp
    }

    func blockIDs(_ client: RPCClient, upTo height: UInt64) async throws -> [UInt64: String] {
        var ids: [UInt64: String] = [:]
        for h in 1...max(height, 1) where height >= 1 {
            let b = try await client.call("header", ["height": .string(String(h))])
            ids[h] = b["block_id"]?.stringValue
        }
        return ids
    }

    func latestHeight(_ client: RPCClient) async throws -> UInt64 {
        try await client.call("status", .object([:]))["sync_info"]?["latest_block_height"]?.uint64Value ?? 0
    }

    func balance(_ client: RPCClient, _ a: Address) async throws -> UInt64 {
        try await client.call("account", ["address": .string(a.hex)])["balance"]?.uint64Value ?? 0
    }

    @Test func transferSurvivesSigkillAndRestart() async throws {
        let (home, tmp) = try makeHome()
        defer { withExtendedLifetime(tmp) {} }
        let node = NodeProcess(home: home)
        try node.start()
        try await node.waitForHeight(1)
        let recipient = Signer(seed: [UInt8](repeating: 7, count: 32))!.address

        // Through the CLI, as a user would.
        let sent = try runWaggle(["tx", "send", "--home", home, "--from", "validator", "--to", recipient.hex, "--amount", "1234", "--fee", "2"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let sentJSON = try JSONValue.parse(Array(sent.stdout.utf8))
        let txHash = try #require(sentJSON["hash"]?.stringValue)
        let query = try runWaggle(["query", "account", recipient.hex, "--home", home])
        #expect(query.status == 0, "\(query.stderr)")
        #expect(try JSONValue.parse(Array(query.stdout.utf8))["balance"] == "1234")
        let txQuery = try runWaggle(["query", "tx", txHash, "--home", home])
        let txJSON = try JSONValue.parse(Array(txQuery.stdout.utf8))
        #expect(txJSON["tx"]?["body"]?["amount"] == "1234")
        let txHeight = try #require(txJSON["height"]?.stringValue)
        let blockQuery = try runWaggle(["query", "block", txHeight, "--home", home])
        let blockJSON = try JSONValue.parse(Array(blockQuery.stdout.utf8))
        #expect(blockJSON["header"]?["height"] == .string(txHeight))
        #expect(blockJSON["transactions"]?.arrayValue?.contains { $0["hash"] == .string(txHash) } == true)
        let status = try runWaggle(["status", "--home", home])
        #expect(try JSONValue.parse(Array(status.stdout.utf8))["node_info"]?["chain_id"] == "it-chain")
        let version = try runWaggle(["version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("waggle "))
        let added = try runWaggle(["keys", "add", "alice", "--home", home])
        let shown = try runWaggle(["keys", "show", "alice", "--home", home])
        #expect(added.stdout == shown.stdout && Address(hex: shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) != nil)
        let listed = try runWaggle(["keys", "list", "--home", home])
        #expect(listed.stdout.contains("alice\t") && listed.stdout.contains("validator\t"))

        // More transfers over HTTP.
        let validator = try Keyring(directory: home + "/keyring").get("validator").signer
        for _ in 0..<3 {
            _ = try await node.client.send(signer: validator, body: .transfer(to: recipient, amount: 10), fee: 1)
        }
        let height = try await latestHeight(node.client)
        let ids = try await blockIDs(node.client, upTo: height)
        let validatorBalance = try await balance(node.client, validator.address)
        node.kill()

        try node.start()
        #expect(try await latestHeight(node.client) >= height)
        #expect(try await balance(node.client, recipient) == 1264)
        #expect(try await blockIDs(node.client, upTo: height) == ids)
        try await node.waitForHeight(height + 2)
        #expect(try await balance(node.client, validator.address) >= validatorBalance, "rewards only add to the validator")
        #expect(node.terminate() == 0, "SIGTERM shuts down gracefully")
    }

    @Test func repeatedSigkillUnderLoadNeverLeavesAHalfCommittedHeight() async throws {
        let (home, tmp) = try makeHome()
        defer { withExtendedLifetime(tmp) {} }
        let genesis = try GenesisDoc.parse(Array(try Data(contentsOf: URL(fileURLWithPath: home + "/config/genesis.json"))))
        let validator = try Keyring(directory: home + "/keyring").get("validator").signer
        let recipients = (0..<4).map { Signer(seed: [UInt8](repeating: UInt8(40 + $0), count: 32))!.address }
        var seen: [UInt64: String] = [:]
        var rng = SplitMix64(seed: 0x5eed)
        let node = NodeProcess(home: home)
        for round in 0..<8 {
            try node.start()
            let client = node.client
            // Everything committed before the last kill is still there, unchanged.
            let height = try await latestHeight(client)
            #expect(height >= UInt64(seen.count), "round \(round): height went backwards")
            // The double-sign guard's state is never behind what was committed: every committed
            // height's precommit was persisted before it left the signer.
            let signState = try FileSignStatePersistence(path: home + "/data/priv_validator_state.json").load()
            #expect((signState?.height ?? 0) >= height, "round \(round): sign state \(String(describing: signState?.height)) behind height \(height)")
            for (h, id) in try await blockIDs(client, upTo: UInt64(seen.count)) { #expect(seen[h] == id, "block \(h) changed after a kill") }
            try await verifyReplay(client: client, genesis: genesis, upTo: height, accounts: recipients + [validator.address])

            // Load: a stream of transfers, then SIGKILL at a seeded random instant.
            var nonce = try await client.call("account", ["address": .string(validator.address.hex)])["nonce"]?.uint64Value ?? 0
            let killAfterMs = 100 + Int(rng.next() % 400)
            let start = Date()
            while Date().timeIntervalSince(start) * 1000 < Double(killAfterMs) {
                let tx = Transaction.sign(chainID: genesis.chainID, signer: validator, nonce: nonce, fee: 1,
                                          body: .transfer(to: recipients[Int(nonce % 4)], amount: 1 + nonce % 7))
                if (try? await client.call("broadcast_tx_sync", ["tx": .string("0x" + Hex.encode(tx.canonicalBytes))])) != nil { nonce += 1 }
            }
            let h = try await latestHeight(client)
            for (k, v) in try await blockIDs(client, upTo: h) { seen[k] = v }
            node.kill()
        }
        try node.start()
        let final = try await latestHeight(node.client)
        try await verifyReplay(client: node.client, genesis: genesis, upTo: final, accounts: recipients + [validator.address])
        _ = node.terminate()
    }

    /// Replays blocks 1...height from genesis with the ledger and the state tree in memory and
    /// checks that every block chains to its parent, that the recomputed state root equals each
    /// header's, and that balances and nonces match what the node serves.
    func verifyReplay(client: RPCClient, genesis: GenesisDoc, upTo height: UInt64, accounts: [Address]) async throws {
        var mem = MemoryState()
        let genesisChanges = try genesis.initialState().changes
        mem.apply(genesisChanges)
        var tree = MemoryTreeStore()
        func updateTree(_ changes: [StateChange], base: UInt64?, version: UInt64) throws -> Hash256 {
            let (root, batch) = try JellyfishMerkleTree(reader: tree).update(
                baseVersion: base, version: version, changes: changes.map { ($0.key.treeKey, $0.value) })
            tree.apply(batch)
            return root
        }
        _ = try updateTree(genesisChanges, base: nil, version: genesis.initialHeight - 1)
        let ledger = genesis.ledger
        var previousID = Hash256.zero
        for h in stride(from: genesis.initialHeight, through: height, by: 1) {
            let r = try await client.call("block", ["height": .string(String(h))])
            let encoded = try #require(r["encoded"]?.stringValue)
            let block = try Block(canonicalBytes: try #require(Hex.decode(encoded)))
            #expect(block.header.lastBlockID == previousID, "block \(h) does not chain to its parent")
            try block.validateBody()
            var overlay = StateOverlay(base: mem)
            _ = try ledger.executeBlock(height: h, lastCommit: block.lastCommit, evidence: block.evidence, transactions: block.transactions, state: &overlay)
            mem.apply(overlay.changes)
            let root = try updateTree(overlay.changes, base: h - 1, version: h)
            #expect(root == block.header.stateRoot, "replayed state root differs at height \(h)")
            previousID = block.id
        }
        for a in accounts {
            let served = try await client.call("account", ["address": .string(a.hex), "height": .string(String(height))])
            let replayed = try ledger.account(a, in: StateOverlay(base: mem)) ?? .empty
            #expect(served["balance"]?.uint64Value == replayed.balance, "balance of \(a) at \(height)")
            #expect(served["nonce"]?.uint64Value == replayed.nonce, "nonce of \(a) at \(height)")
        }
    }

    @Test func sigtermDuringBroadcastTxCommitAnswersTheCallAndExitsCleanly() async throws {
        let (home, tmp) = try makeHome()
        defer { withExtendedLifetime(tmp) {} }
        let configPath = home + "/config/config.toml"
        let config = try String(contentsOfFile: configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "block_interval_ms = 100", with: "block_interval_ms = 1500")
            .replacingOccurrences(of: "timeout_broadcast_tx_commit_ms = 10000", with: "timeout_broadcast_tx_commit_ms = 120000")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let validator = try KeyFile.load(home + "/keyring/validator.json").signer
        let node = NodeProcess(home: home)
        try node.start()
        let client = node.client
        let pending = Task { try await client.send(signer: validator, body: .transfer(to: TestKeys.signer(90).address, amount: 5), fee: 1) }
        // Wait until the transaction is in the mempool, then ask the node to stop.
        for _ in 0..<400 {
            let n = try await client.call("num_unconfirmed_txs", .object([:]))["count"]?.uint64Value ?? 0
            if n > 0 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let status = node.terminate()
        #expect(status == 0, "\(node.logTail())")
        // The RPC server drained first while blocks were still produced, so the call got its block.
        let (_, height) = try await pending.value
        #expect(height >= 1)
        #expect(node.logTail().contains("node stopped"))
    }

    @Test func aNodeWithBlocksRefusesToStartWithoutItsSignState() async throws {
        let (home, tmp) = try makeHome()
        defer { withExtendedLifetime(tmp) {} }
        let node = NodeProcess(home: home)
        try node.start()
        try await node.waitForHeight(2)
        #expect(node.terminate() == 0)
        let statePath = home + "/data/priv_validator_state.json"
        try FileManager.default.removeItem(atPath: statePath)
        let r = try runWaggle(["start", "--home", home], timeout: 60)
        #expect(r.status != 0)
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains("priv_validator_state.json is missing"), "\(r.stderr)")
        // A dangling link in its place is refused too.
        try FileManager.default.createSymbolicLink(atPath: statePath, withDestinationPath: home + "/nowhere/state.json")
        let linked = try runWaggle(["start", "--home", home], timeout: 60)
        #expect(linked.status != 0)
        #expect(linked.stderr.contains("symbolic link"), "\(linked.stderr)")
    }

    @Test func badInputGetsOneClearLineAndANonZeroExit() throws {
        let (home, tmp) = try makeHome()
        defer { withExtendedLifetime(tmp) {} }
        func expectOneLineError(_ args: [String], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try runWaggle(args)
            #expect(r.status != 0, "\(args) succeeded", sourceLocation: sourceLocation)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && r.stderr.hasPrefix("error: "), "\(args): \(r.stderr)", sourceLocation: sourceLocation)
            #expect(r.stderr.contains(fragment), "\(args): \(r.stderr)", sourceLocation: sourceLocation)
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
        }
        try expectOneLineError(["start", "--home", home + "/nope"], "no Waggle home")
        try expectOneLineError(["init", "--home", home], "already holds a Waggle home")
        try expectOneLineError(["keys", "show", "nobody", "--home", home], "no key named")
        try expectOneLineError(["tx", "send", "--home", home, "--from", "validator", "--to", "0x12", "--amount", "1"], "invalid address")
        try expectOneLineError(["tx", "send", "--home", home, "--from", "ghost", "--to", Address(publicKey: Signer.generate().publicKey).hex, "--amount", "1"], "no key named")
        try expectOneLineError(["query", "account", "0x00", "--home", home], "invalid address")
        try expectOneLineError(["status", "--home", home], "cannot reach the node")
        try expectOneLineError(["keys", "list", "--home", home, "--bogus"], "Unknown option")
        try expectOneLineError(["tx", "send", "--home", home, "--from", "validator", "--to", "0x12", "--amount", "-5"], "--amount")
        try expectOneLineError(["query", "block", "abc", "--home", home], "error: ")
        try expectOneLineError(["init", "--home", home + "/x", "--chain-id", "bad chain"], "invalid chain id")

        let genesisPath = home + "/config/genesis.json"
        let original = try String(contentsOfFile: genesisPath, encoding: .utf8)
        try String(original.dropLast(20)).write(toFile: genesisPath, atomically: true, encoding: .utf8)
        try expectOneLineError(["start", "--home", home], "genesis.json")
        try original.replacingOccurrences(of: "\"it-chain\"", with: "\"it chain\"").write(toFile: genesisPath, atomically: true, encoding: .utf8)
        try expectOneLineError(["start", "--home", home], "chain_id")
        try original.write(toFile: genesisPath, atomically: true, encoding: .utf8)

        // A running node: an unaffordable transfer is refused with the ledger's reason.
        let node = NodeProcess(home: home)
        try node.start()
        defer { node.kill() }
        try expectOneLineError(["start", "--home", home], "another node running")
        _ = try runWaggle(["keys", "add", "pauper", "--home", home])
        try expectOneLineError(["tx", "send", "--home", home, "--from", "pauper", "--to", Address(publicKey: Signer.generate().publicKey).hex, "--amount", "5"], "does not exist")
        try expectOneLineError(["tx", "send", "--home", home, "--from", "validator", "--to", Address(publicKey: Signer.generate().publicKey).hex, "--amount", "1000000000000000"], "insufficient_funds")
        try expectOneLineError(["query", "tx", "0x" + String(repeating: "ab", count: 32), "--home", home], "not found")
    }

    @Test func twoNodesConnectThroughPersistentPeersAndATransactionSentToTheFullNodeIsIncludedByTheValidator() async throws {
        let (home, tmp) = try makeHome()
        defer { withExtendedLifetime(tmp) {} }
        let validator = NodeProcess(home: home)
        try validator.start()
        defer { validator.kill() }
        let idResult = try runWaggle(["show-node-id", "--home", home])
        let validatorID = idResult.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(idResult.status == 0 && validatorID.count == 40)
        let status = try await validator.client.call("status", .object([:]))
        #expect(status["node_info"]?["id"]?.stringValue == validatorID)
        #expect(status["sync_info"]?["catching_up"] == false)
        let p2pAddress = try validator.p2pAddress()
        #expect(status["node_info"]?["listen_addr"]?.stringValue == p2pAddress)
        let hostPort = String(p2pAddress.dropFirst("tcp://".count))

        // A second home on the same genesis, pointed at the first by a start flag.
        let tmp2 = try makeFullNodeHome(genesisOf: home, moniker: "follower")
        let follower = NodeProcess(
            home: tmp2.path, arguments: ["--p2p.laddr", "tcp://127.0.0.1:0", "--p2p.persistent-peers", "\(validatorID)@\(hostPort)"])
        try follower.start()
        defer { follower.kill() }
        let followerID = try runWaggle(["show-node-id", "--home", tmp2.path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        func peers(_ node: NodeProcess) async throws -> [JSONValue] {
            guard case .array(let list)? = try await node.client.call("net_info", .object([:]))["peers"] else { return [] }
            return list
        }
        let deadline = Date().addingTimeInterval(30)
        var seen: [JSONValue] = []
        while Date() < deadline {
            seen = try await peers(validator)
            if seen.count == 1, try await peers(follower).count == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seen.first?["id"]?.stringValue == followerID)
        #expect(seen.first?["direction"] == "inbound")
        #expect(seen.first?["moniker"] == "follower")
        let fromFollower = try await peers(follower)
        #expect(fromFollower.first?["id"]?.stringValue == validatorID)
        #expect(fromFollower.first?["direction"] == "outbound")
        #expect((fromFollower.first?["bytes_sent"]?.stringValue).flatMap(UInt64.init).map { $0 > 0 } == true)
        #expect((fromFollower.first?["bytes_received"]?.stringValue).flatMap(UInt64.init).map { $0 > 0 } == true)

        // A transaction sent to the full node's RPC is gossiped to the validator and included.
        let funded = try KeyFile.load(home + "/keyring/validator.json").signer
        let tx = Transaction.sign(
            chainID: "it-chain", signer: funded, nonce: 0, fee: 1, body: .transfer(to: TestKeys.signer(77).address, amount: 5))
        let sent = try await follower.client.call("broadcast_tx_sync", ["tx": .string("0x" + Hex.encode(tx.canonicalBytes))])
        #expect(sent["hash"]?.stringValue == tx.hash.hex)
        var included: JSONValue?
        let txDeadline = Date().addingTimeInterval(30)
        while Date() < txDeadline, included == nil {
            included = try? await validator.client.call("tx", ["hash": .string(tx.hash.hex)])
            if included == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(included?["height"]?.uint64Value ?? 0 >= 1, "\(validator.logTail())")
        #expect(try await balance(validator.client, TestKeys.signer(77).address) == 5)
        #expect(try await peers(validator).count == 1)

        // Garbage on the validator's P2P port: cut with one log line; the node and its peer carry on.
        let parts = hostPort.split(separator: ":")
        try sendRaw([0x00, 0x40] + [UInt8](repeating: 0x5a, count: 64), host: String(parts[0]), port: Int(parts[1]) ?? 0)
        let height = try await latestHeight(validator.client)
        try await validator.waitForHeight(height + 2)
        let log = (try? String(contentsOfFile: home + "/node.log", encoding: .utf8)) ?? ""
        let cut = log.split(separator: "\n").filter { $0.contains("connection closed before admission") && $0.contains("handshake failed") }
        #expect(cut.count == 1, "\(validator.logTail())")
        let validatorPeers = try await peers(validator), followerPeers = try await peers(follower)
        #expect(validatorPeers.count == 1 && followerPeers.count == 1)
        withExtendedLifetime(tmp2) {}
    }

    @Test func aFullNodeSyncsHundredsOfBlocksFollowsRelaysAndResumesAfterAKill() async throws {
        let (home, tmp) = try makeHome()
        defer { withExtendedLifetime(tmp) {} }
        let configPath = home + "/config/config.toml"
        func setInterval(_ ms: Int) throws {
            let text = try String(contentsOfFile: configPath, encoding: .utf8)
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("block_interval_ms = ") }) else {
                throw NodeError(.io, "no block_interval_ms in config.toml")
            }
            try text.replacingOccurrences(of: String(line), with: "block_interval_ms = \(ms)").write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        // A few hundred blocks quickly, then a calmer pace, so the follower's catch-up is bounded.
        try setInterval(10)
        let validator = NodeProcess(home: home)
        try validator.start()
        defer { validator.kill() }
        try await validator.waitForHeight(200, timeout: 120)
        #expect(validator.terminate() == 0)
        try setInterval(100)
        try validator.start()
        let validatorID = try runWaggle(["show-node-id", "--home", home]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPort = String(try validator.p2pAddress().dropFirst("tcp://".count))

        // A full node: a home from the same genesis, without a validator key of the set.
        let tmp2 = try makeFullNodeHome(genesisOf: home, moniker: "full")
        defer { withExtendedLifetime(tmp2) {} }
        let full = NodeProcess(
            home: tmp2.path, arguments: ["--p2p.laddr", "tcp://127.0.0.1:0", "--p2p.persistent-peers", "\(validatorID)@\(hostPort)"])
        try full.start()
        defer { full.kill() }
        let target = try await latestHeight(validator.client)
        #expect(target >= 200)
        try await full.waitForHeight(target, timeout: 60)
        for h in [1, target / 2, target] {
            let mine = try await full.client.call("header", ["height": .string(String(h))])["block_id"]
            let theirs = try await validator.client.call("header", ["height": .string(String(h))])["block_id"]
            #expect(mine != nil && mine == theirs, "block \(h)")
        }
        // Following: new blocks keep arriving, and the node says it is not catching up.
        let later = try await latestHeight(validator.client) + 5
        try await full.waitForHeight(later, timeout: 30)
        var caughtUp = false
        for _ in 0..<50 where !caughtUp {
            caughtUp = try await full.client.call("status", .object([:]))["sync_info"]?["catching_up"] == false
            if !caughtUp { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(caughtUp)
        #expect(!FileManager.default.fileExists(atPath: tmp2.path + "/data/priv_validator_state.json"), "a full node never signs")

        // A transaction sent to the full node: relayed to the validator, included, and visible on
        // both (`tx send` waits until the node it talks to has the block).
        let recipient = TestKeys.signer(78).address
        let sent = try runWaggle(["tx", "send", "--home", home, "--from", "validator", "--to", recipient.hex, "--amount", "9",
                                  "--node", "127.0.0.1:\(full.port)"])
        #expect(sent.status == 0, "\(sent.stderr)\n\(full.logTail())")
        let hash = try #require(try JSONValue.parse(Array(sent.stdout.utf8))["hash"]?.stringValue)
        let onValidator = try await validator.client.call("tx", ["hash": .string(hash)])
        let onFull = try await full.client.call("tx", ["hash": .string(hash)])
        #expect(onValidator["height"] != nil && onValidator["height"] == onFull["height"])
        #expect(try await balance(full.client, recipient) == 9)

        // Killed and restarted: it resumes from the height it had, and catches up again.
        let before = try await latestHeight(full.client)
        full.kill()
        try await validator.waitForHeight(before + 10)
        try full.start()
        #expect(try await latestHeight(full.client) >= before, "nothing synced before the kill is lost")
        let again = try await latestHeight(validator.client)
        try await full.waitForHeight(again, timeout: 30)
        let restartedLog = (try? String(contentsOfFile: tmp2.path + "/node.log", encoding: .utf8)) ?? ""
        let starts = restartedLog.split(separator: "\n").filter { $0.contains("starting node") }
        #expect(starts.count == 2 && starts.last?.contains("height=\(before)") == true, "\(starts)")
        let id = try await full.client.call("header", ["height": .string(String(again))])["block_id"]
        #expect(id == (try await validator.client.call("header", ["height": .string(String(again))])["block_id"]))
        #expect(full.terminate() == 0)
    }

    /// Three processes in a line, the validator's inbound cap at 1: the second full node is
    /// refused by the validator, syncs and relays through the first, and a node of another chain
    /// is refused by the first with one log line, while every node keeps working.
    @Test func threeNodesInALineHoldTheInboundCapSyncAndRelayThroughTheMiddleAndRefuseAnotherChain() async throws {
        let (home, tmp) = try makeHome()
        defer { withExtendedLifetime(tmp) {} }
        let configPath = home + "/config/config.toml"
        try (try String(contentsOfFile: configPath, encoding: .utf8))
            .replacingOccurrences(of: "max_num_inbound_peers = 40", with: "max_num_inbound_peers = 1")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let validator = NodeProcess(home: home)
        try validator.start()
        defer { validator.kill() }
        let validatorPeer = "\(try runWaggle(["show-node-id", "--home", home]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))@"
            + String(try validator.p2pAddress().dropFirst("tcp://".count))

        let homeA = try makeFullNodeHome(genesisOf: home, moniker: "middle")
        let a = NodeProcess(home: homeA.path, arguments: ["--p2p.laddr", "tcp://127.0.0.1:0", "--p2p.persistent-peers", validatorPeer])
        try a.start()
        defer { a.kill() }
        let aPeer = "\(try runWaggle(["show-node-id", "--home", homeA.path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))@"
            + String(try a.p2pAddress().dropFirst("tcp://".count))
        func peerCount(_ node: NodeProcess) async throws -> Int {
            guard case .array(let list)? = try await node.client.call("net_info", .object([:]))["peers"] else { return 0 }
            return list.count
        }
        var deadline = Date().addingTimeInterval(30)
        while Date() < deadline, try await peerCount(validator) < 1 { try await Task.sleep(for: .milliseconds(100)) }

        // B knows both; the validator's one inbound slot is taken, so B ends up connected to A only.
        let homeB = try makeFullNodeHome(genesisOf: home, moniker: "far")
        let b = NodeProcess(
            home: homeB.path, arguments: ["--p2p.laddr", "tcp://127.0.0.1:0", "--p2p.persistent-peers", "\(validatorPeer),\(aPeer)"])
        try b.start()
        defer { b.kill() }
        let target = try await latestHeight(validator.client) + 5
        try await b.waitForHeight(target, timeout: 60)
        #expect(try await peerCount(validator) == 1, "the inbound cap holds")
        #expect(try await peerCount(b) == 1)
        let ids = try await blockIDs(b.client, upTo: target)
        #expect(ids == (try await blockIDs(validator.client, upTo: target)), "the same chain, block for block")

        // A transaction sent to B reaches the validator through A and is visible on all three.
        let funded = try KeyFile.load(home + "/keyring/validator.json").signer
        let tx = Transaction.sign(
            chainID: "it-chain", signer: funded, nonce: 0, fee: 1, body: .transfer(to: TestKeys.signer(78).address, amount: 7))
        _ = try await b.client.call("broadcast_tx_sync", ["tx": .string("0x" + Hex.encode(tx.canonicalBytes))])
        deadline = Date().addingTimeInterval(30)
        var balances: [UInt64] = []
        while Date() < deadline {
            balances = []
            for n in [validator, a, b] { balances.append((try? await balance(n.client, TestKeys.signer(78).address)) ?? 0) }
            if balances == [7, 7, 7] { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(balances == [7, 7, 7], "\(b.logTail())")

        // A node of another chain dialling A is refused with one clear line; A keeps following.
        let other = TempHome()
        defer { withExtendedLifetime(other) {} }
        #expect(try runWaggle(["init", "--home", other.path, "--chain-id", "other-chain", "--moniker", "stranger"]).status == 0)
        try useFreeLoopbackPortsAndFastBlocks(home: other.path)
        let stranger = NodeProcess(home: other.path, arguments: ["--p2p.persistent-peers", aPeer])
        try stranger.start()
        defer { stranger.kill() }
        deadline = Date().addingTimeInterval(30)
        var refused: [Substring] = []
        while Date() < deadline, refused.isEmpty {
            refused = ((try? String(contentsOfFile: homeA.path + "/node.log", encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains("different chain") && $0.contains("other-chain") }
            if refused.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!refused.isEmpty, "\(a.logTail())")
        let h = try await latestHeight(a.client)
        try await a.waitForHeight(h + 2)
        #expect(try await peerCount(a) == 2, "the validator and B; not the stranger")
        withExtendedLifetime(homeA) {}
        withExtendedLifetime(homeB) {}
    }

    @Test func garbageOnTheRPCPortChangesNothing() async throws {
        let (home, tmp) = try makeHome()
        defer { withExtendedLifetime(tmp) {} }
        let node = NodeProcess(home: home)
        try node.start()
        defer { node.kill() }
        try await node.waitForHeight(1)
        let http = HTTPClient(host: "127.0.0.1", port: node.port)
        let bad = try await http.post("/", body: [0xde, 0xad, 0xbe, 0xef])
        #expect(bad.status == 200)
        #expect(try JSONValue.parse(bad.body)["error"]?["code"] == .int(-32700))
        let huge = try await http.post("/", body: [UInt8](repeating: 0x20, count: 2_000_000))
        #expect(huge.status == 413)
        let health = try await http.get("/health")
        #expect(health.status == 200)
        #expect(try await node.client.call("status", .object([:]))["node_info"]?["chain_id"] == "it-chain")
    }
}

/// Connects to host:port over TCP, writes `bytes`, waits briefly and closes.
func sendRaw(_ bytes: [UInt8], host: String, port: Int) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw NodeError(.io, "socket failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { throw NodeError(.io, "bad address \(host)") }
    let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw NodeError(.io, "cannot connect to \(host):\(port)") }
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    usleep(200_000)
}

/// A temporary home removed at the end of a test.
final class TempHome: @unchecked Sendable {
    let path = NSTemporaryDirectory() + "waggle-it-\(UUID().uuidString)"
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
