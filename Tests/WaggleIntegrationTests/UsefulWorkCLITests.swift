import Foundation
import Testing
import WaggleCore
import WaggleLedger
import WaggleNode

/// The useful-work CLI on the real binary: a sponsor's task, a contributor's proof made with
/// `waggle zk prove` (the demo circuit of Genesis/local.json) and sent with `waggle contribute
/// submit`, payouts and reputation read back with proofs, and the validator's voting power after
/// the epoch boundary.
@Suite(.serialized) struct UsefulWorkCLITests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let epochLength: UInt64 = 10

    /// A home on Genesis/local.json (its approved demo circuit, its validator key) with a
    /// `epochLength`-block epoch, free ports and fast blocks.
    func makeHome() throws -> (String, TempHome) {
        let tmp = TempHome()
        try FileManager.default.createDirectory(atPath: tmp.path, withIntermediateDirectories: true)
        let shipped = try String(contentsOf: Self.repoRoot.appendingPathComponent("Genesis/local.json"), encoding: .utf8)
        let genesis = shipped.replacingOccurrences(of: "\"epoch_length\": \"100\"", with: "\"epoch_length\": \"\(Self.epochLength)\"")
        #expect(genesis != shipped, "Genesis/local.json sets epoch_length 100")
        let genesisPath = tmp.path + "-genesis.json"
        try genesis.write(toFile: genesisPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: genesisPath) }
        let home = tmp.path + "/home"
        let r = try runWaggle([
            "init", "--home", home, "--genesis", genesisPath, "--validator-key",
            Self.repoRoot.appendingPathComponent("Genesis/local-validator-key.json").path, "--moniker", "it",
        ])
        guard r.status == 0 else { throw NodeError(.io, "init failed: \(r.stderr)") }
        try useFreeLoopbackPortsAndFastBlocks(home: home)
        return (home, tmp)
    }

    /// Runs `waggle ARGS` and parses its JSON output, failing with its stderr.
    func json(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        let r = try runWaggle(args, timeout: 120)
        guard r.status == 0 else { throw NodeError(.io, "waggle \(args.joined(separator: " ")) failed: \(r.stderr)") }
        return try JSONValue.parse(Array(r.stdout.utf8))
    }

    /// Checks a `proof` object (as `--prove` prints it) against its header, for `key` and `value`.
    func expectVerifiedProof(_ p: JSONValue?, key: StateKey, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let p = try #require(p, sourceLocation: sourceLocation)
        let header = try Header(canonicalBytes: try #require(p["header"]?.stringValue.flatMap(Hex.decodePrefixed)))
        let proof = try SparseMerkleProof(canonicalBytes: try #require(p["proof"]?.stringValue.flatMap(Hex.decodePrefixed)))
        let value = p["value"]?.stringValue.flatMap(Hex.decodePrefixed)
        #expect(value != nil, "a proof of presence", sourceLocation: sourceLocation)
        #expect(p["state_root"] == .string(header.stateRoot.hex), sourceLocation: sourceLocation)
        #expect(proof.verify(root: header.stateRoot, key: key.treeKey, value: value), "proof for \(key)", sourceLocation: sourceLocation)
        // A changed value no longer verifies.
        if var forged = value, !forged.isEmpty {
            forged[forged.count - 1] ^= 1
            #expect(!proof.verify(root: header.stateRoot, key: key.treeKey, value: forged), sourceLocation: sourceLocation)
        }
    }

    func u64(_ v: JSONValue?) -> UInt64 { v?.uint64Value ?? UInt64.max }

    @Test func aContributionProvenAndSubmittedWithTheCLIPaysAllThreePartiesAndGrowsVotingPower() async throws {
        let chain = try await RunningChain(try makeHome())
        let (node, home, tmp, h) = (chain.node, chain.home, chain.tmp, ["--home", chain.home])
        defer { withExtendedLifetime(chain) {} }

        // The shipped genesis circuit is the CLI's demo setup, approved.
        let keys = try json(["zk", "setup", "--circuit", "poseidon-preimage", "--out", tmp.path + "/keys"])
        let circuitID = try #require(keys["circuit"]?.stringValue)
        let circuit = try json(["query", "circuit", circuitID, "--prove"] + h)
        #expect(circuit["approved"] == true && circuit["binding_input"] == 0 && circuit["name"] == "poseidon-preimage")
        try expectVerifiedProof(circuit["proof"], key: .circuit(try #require(Hash256(hex: circuitID))))

        // Three more parties, funded by the validator: a sponsor, a dataset owner, a model owner.
        var address: [String: String] = [:]
        for name in ["sponsor", "alice", "bob"] {
            let r = try runWaggle(["keys", "add", name] + h)
            address[name] = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try json(["tx", "send", "--from", "validator", "--to", address[name]!, "--amount", "1000000"] + h)
        }
        let validator = try Keyring(directory: home + "/keyring").get("validator").signer.address
        let dataset = try json(["tx", "register-dataset", "--from", "alice", "--commitment", "7", "--samples", "100", "--name", "d"] + h)
        let model = try json(["tx", "commit-model", "--from", "bob", "--commitment", "0x" + String(repeating: "0", count: 63) + "8", "--name", "m"] + h)
        #expect(dataset["dataset"] == "1" && model["model"] == "1")

        // The sponsor's task: a Poseidon preimage of h = Poseidon(42), 20% / 10% shares.
        let preimage = "42"
        let hash = try runWaggle(["zk", "poseidon", preimage]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let height = try await node.client.call("status", .object([:]))["sync_info"]?["latest_block_height"]?.uint64Value ?? 0
        let created = try json([
            "tx", "create-task", "--from", "sponsor", "--circuit", circuitID, "--dataset", "1", "--model", "1", "--fixed-input", "1=\(hash)",
            "--reward", "1001", "--max-contributions", "2", "--reputation-credit", "5000", "--deadline", String(height + 500),
            "--data-share-bps", "2000", "--model-share-bps", "1000",
        ] + h)
        let taskID = try #require(created["task"]?.stringValue)
        #expect(taskID == "1")

        // The validator's operator proves and submits.
        let binding = try json(["contribute", "binding", "--task", taskID, "--from", "validator"] + h)
        #expect(binding["binding_input"] == 0 && binding["sender"] == .string(validator.hex))
        let input = tmp.path + "/input.json"
        try "{\"binding\": \"\(binding["binding"]!.stringValue!)\", \"x\": \"\(preimage)\"}".write(toFile: input, atomically: true, encoding: .utf8)
        let proofPath = tmp.path + "/proof.json", publicPath = tmp.path + "/public.json"
        let proved = try json(["zk", "prove", "--circuit", "poseidon-preimage", "--input", input, "--out-proof", proofPath, "--out-public", publicPath])
        #expect(proved["public_inputs"] == .array([binding["binding"]!, .string(hash)]))
        let verified = try runWaggle(["zk", "verify", "--vk", tmp.path + "/keys/verification_key.json", "--proof", proofPath, "--public", publicPath])
        #expect(verified.status == 0 && verified.stderr.isEmpty, "\(verified.stdout) \(verified.stderr)")

        let before = try json(["query", "account", validator.hex] + h)
        let sponsorBefore = try json(["query", "account", address["sponsor"]!] + h)
        let submitted = try json(["contribute", "submit", "--task", taskID, "--proof", proofPath, "--public", publicPath, "--from", "validator"] + h)
        let hc = u64(submitted["height"])
        #expect(submitted["index"] == 0)

        // Payouts: data 200, model 100, contributor 701 of the 1001 reward, from the pool.
        let task = try json(["query", "task", taskID, "--prove"] + h)
        #expect(task["accepted"] == 1 && task["pool"] == "1001" && task["reward_split"] == ["data": "200", "model": "100", "contributor": "701"])
        try expectVerifiedProof(task["proof"], key: .task(1))
        let alice = try json(["query", "account", address["alice"]!, "--prove"] + h)
        let bob = try json(["query", "account", address["bob"]!, "--prove"] + h)
        #expect(u64(alice["balance"]) == 1_000_000 - 1 + 200 && u64(bob["balance"]) == 1_000_000 - 1 + 100)
        try expectVerifiedProof(alice["proof"], key: .account(try #require(Address(hex: address["alice"]!))))
        try expectVerifiedProof(bob["proof"], key: .account(try #require(Address(hex: address["bob"]!))))
        let sponsor = try json(["query", "account", address["sponsor"]!] + h)
        #expect(u64(sponsor["balance"]) == u64(sponsorBefore["balance"]), "the reward came from the escrowed pool")
        // The contributor's balance over block hc: its share, less the fee, plus the block reward
        // (100 in Genesis/local.json) and the fees of block hc − 1 it was paid as the only signer.
        let previous = try await node.client.call("block", ["height": .string(String(hc - 1))])
        let previousFees = (previous["transactions"]?.arrayValue ?? []).reduce(UInt64(0)) { $0 + u64($1["fee"]) }
        let atHc = try await node.client.call("account", ["address": .string(validator.hex), "height": .string(String(hc))])
        let beforeHc = try await node.client.call("account", ["address": .string(validator.hex), "height": .string(String(hc - 1))])
        #expect(u64(atHc["balance"]) == u64(beforeHc["balance"]) + 701 - 1 + 100 + previousFees)
        #expect(u64(atHc["nonce"]) == u64(before["nonce"]) + 1)
        let contribution = try json(["query", "contribution", "--hash", submitted["hash"]!.stringValue!, "--prove"] + h)
        #expect(contribution["contributor"] == .string(validator.hex) && contribution["task"] == "1" && contribution["index"] == 0)
        try expectVerifiedProof(contribution["proof"], key: .contribution(task: 1, index: 0))

        // Reputation: the task's credit, with a proof.
        let reputation = try json(["query", "reputation", validator.hex, "--prove", "--height", String(hc)] + h)
        #expect(u64(reputation["gain_this_epoch"]) >= 5000 && u64(reputation["points"]) >= 5000)
        try expectVerifiedProof(reputation["proof"], key: .account(validator))
        try expectVerifiedProof(reputation["gain_proof"], key: .reputationGain(validator))

        // After the epoch boundary: VP = floor(stake · (1 + (M − 1) · R / R_max)), M = 2 and
        // R_max = 1,000,000 in Genesis/local.json, R the operator's points decayed to the new epoch.
        let boundary = ((hc - 1) / Self.epochLength + 1) * Self.epochLength  // initial height 1
        try await node.waitForHeight(boundary + 1, timeout: 120)
        let genesisSet = try await node.client.call("validators", ["height": "1"])
        let stake: UInt64 = 10_000_000
        #expect(genesisSet["validators"]?.arrayValue?.first?["voting_power"] == .string(String(stake)))
        let set = try await node.client.call("validators", ["height": .string(String(boundary + 1))])
        let atBoundary = try json(["query", "reputation", validator.hex, "--height", String(boundary)] + h)
        let epochs = boundary / Self.epochLength - u64(atBoundary["last_update_epoch"])  // epoch(boundary + 1) − last update
        let points = Ledger.decayed(u64(atBoundary["stored_points"]), ppm: 990_000, epochs: epochs)
        #expect(points >= 5000)
        let expected = stake + stake * (2 - 1) * points / 1_000_000
        #expect(set["validators"]?.arrayValue?.first?["voting_power"] == .string(String(expected)), "\(set)")
        #expect(expected > stake)
    }

    @Test func badContributionsGetOneClearErrorAndChangeNothing() async throws {
        let chain = try await RunningChain(try makeHome())
        let (node, home, tmp, h) = (chain.node, chain.home, chain.tmp, ["--home", chain.home])
        defer { withExtendedLifetime(chain) {} }
        let circuitID = try #require(try json(["zk", "setup", "--circuit", "poseidon-preimage", "--out", tmp.path + "/keys"])["circuit"]?.stringValue)
        let hash = try runWaggle(["zk", "poseidon", "5"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try json([
            "tx", "create-task", "--from", "validator", "--circuit", circuitID, "--fixed-input", "1=\(hash)", "--reward", "10",
            "--max-contributions", "3", "--reputation-credit", "1", "--deadline", "100000",
        ] + h)
        let carol = try runWaggle(["keys", "add", "carol"] + h).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try json(["tx", "send", "--from", "validator", "--to", carol, "--amount", "1000"] + h)
        let validator = try Keyring(directory: home + "/keyring").get("validator").signer.address.hex

        func prove(binding: String, x: String, _ name: String) throws -> (String, String) {
            let input = tmp.path + "/\(name)-input.json"
            try "{\"binding\": \"\(binding)\", \"x\": \"\(x)\"}".write(toFile: input, atomically: true, encoding: .utf8)
            let p = tmp.path + "/\(name)-proof.json", q = tmp.path + "/\(name)-public.json"
            _ = try json(["zk", "prove", "--circuit", "poseidon-preimage", "--input", input, "--out-proof", p, "--out-public", q])
            return (p, q)
        }
        let binding = try #require(try json(["contribute", "binding", "--task", "1", "--from", "validator"] + h)["binding"]?.stringValue)
        let (proof, pub) = try prove(binding: binding, x: "5", "good")
        let (wrongX, wrongXPub) = try prove(binding: binding, x: "6", "wrong-x")

        func state() async throws -> [JSONValue] {
            [
                try await node.client.call("task", ["id": "1"])["accepted"] ?? .null,
                try await node.client.call("account", ["address": .string(carol)])["nonce"] ?? .null,
                try await node.client.call("account", ["address": .string(validator)])["nonce"] ?? .null,
                try await node.client.call("num_unconfirmed_txs", .object([:]))["count"] ?? .null,
            ]
        }
        func expectError(_ args: [String], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let before = try await state()
            let r = try runWaggle(args + h, timeout: 120)
            #expect(r.status != 0, "\(args) succeeded", sourceLocation: sourceLocation)
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)", sourceLocation: sourceLocation)
            #expect(r.stderr.contains(fragment), "\(args): \(r.stderr)", sourceLocation: sourceLocation)
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
            #expect(try await state() == before, "\(args) changed state", sourceLocation: sourceLocation)
        }
        let submit = ["contribute", "submit", "--task", "1", "--proof", proof, "--public", pub]
        try await expectError(["contribute", "submit", "--task", "9", "--proof", proof, "--public", pub, "--from", "validator"], "not found: task 9")
        try await expectError(["contribute", "binding", "--task", "9", "--from", "validator"], "not found: task 9")
        // Another sender: the binding names the validator, not carol.
        try await expectError(submit + ["--from", "carol"], "check binding input")
        // The wrong preimage: public input 1 is not the task's h.
        try await expectError(["contribute", "submit", "--task", "1", "--proof", wrongX, "--public", wrongXPub, "--from", "validator"], "check fixed input")
        // A proof that does not match its public inputs: the good inputs with the other proof.
        try await expectError(["contribute", "submit", "--task", "1", "--proof", wrongX, "--public", pub, "--from", "validator"], "check proof")
        // A truncated proof file, and an unknown flag.
        let truncated = tmp.path + "/truncated.json"
        let full = try Data(contentsOf: URL(fileURLWithPath: proof))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: truncated))
        try await expectError(["contribute", "submit", "--task", "1", "--proof", truncated, "--public", pub, "--from", "validator"], "not valid JSON")
        try await expectError(submit + ["--from", "validator", "--bogus"], "Unknown option")
        try await expectError(["tx", "create-task", "--from", "validator", "--circuit", "0x" + String(repeating: "ab", count: 32), "--reward", "1",
            "--max-contributions", "1", "--reputation-credit", "1", "--deadline", "1000"], "unknown_circuit")

        // The sponsor's and operator's commands: the ledger's reason, nothing changed.
        let demoKey = Self.repoRoot.appendingPathComponent("Genesis/demo/verification_key.json").path
        let forgeable = Self.repoRoot.appendingPathComponent("../shared/vectors/groth16/circom-compat-b64f038/verification_key.json").path
        let tx = ["--from", "validator"]
        try await expectError(["tx", "register-circuit", "--vk", demoKey, "--binding-input", "0", "--name", "again"] + tx, "circuit_exists")
        try await expectError(["tx", "register-circuit", "--vk", forgeable, "--binding-input", "0", "--name", "forged"] + tx, "forgeable_key")
        try await expectError(["tx", "register-circuit", "--vk", truncated, "--binding-input", "0", "--name", "x"] + tx, "truncated.json")
        try await expectError(["tx", "approve-circuit", "--circuit", circuitID] + tx, "circuit_already_approved")
        try await expectError(["tx", "close-task", "--task", "1"] + tx, "task_still_open")
        try await expectError(["tx", "close-task", "--task", "1", "--from", "carol"], "not_task_sponsor")
        try await expectError(["tx", "unjail"] + tx, "not_jailed")
        try await expectError(["tx", "register-dataset", "--commitment", "0x" + String(repeating: "f", count: 64), "--samples", "1", "--name", "d"] + tx, "not below")
        try await expectError(["tx", "create-task", "--circuit", circuitID, "--fixed-input", "0=1", "--reward", "1", "--max-contributions", "1",
            "--reputation-credit", "1", "--deadline", "1000"] + tx, "binding input")

        // The good proof is accepted once; sent again it is a replay, for a nonce already used.
        let ok = try json(submit + ["--from", "validator"] + h)
        #expect(ok["index"] == 0)
        try await expectError(submit + ["--from", "validator"], "check binding input")
        #expect(try await node.client.call("task", ["id": "1"])["accepted"] == 1)
    }
}

/// A node started on a home of `makeHome`, past height 1; killed when this goes away.
final class RunningChain: @unchecked Sendable {
    let home: String
    let tmp: TempHome
    let node: NodeProcess

    init(_ made: (String, TempHome)) async throws {
        (home, tmp) = made
        node = NodeProcess(home: home)
        try node.start()
        do { try await node.waitForHeight(1) } catch {
            node.kill()
            throw error
        }
    }

    deinit { node.kill() }
}
