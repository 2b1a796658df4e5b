import Foundation
import Testing
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleRPC
import WaggleTesting
import WaggleZK

extension RPCFixture {
    /// A chain with an approved genesis circuit, dataset 1, model 1, task 1 (sponsored by the
    /// validator) and one proven contribution to it by signer 50, committed at height 5.
    static func withWork() async throws -> RPCFixture {
        let f = try RPCFixture(genesis: { b in
            b.circuits = [GenesisCircuit(verifyingKey: BindingCircuit.key, bindingInput: 0, name: "square", approved: true)]
        })
        let v = f.validator
        try await f.submitAndProduce(v, 0, .registerDataset(commitment: ScalarBytes(7), samples: 10, name: "d"))
        try await f.submitAndProduce(v, 1, .commitModel(commitment: ScalarBytes(8), name: "m"))
        let spec = TaskSpec(
            circuit: BindingCircuit.id, dataset: 1, model: 1, fixedInputs: [FixedInput(index: 1, value: ScalarBytes(9))],
            reward: 1_001, dataShareBps: 2_000, modelShareBps: 1_000, maxContributions: 2, reputationCredit: 40, deadline: 50)
        try await f.submitAndProduce(v, 2, .createTask(spec))
        let contributor = TestKeys.signer(50)
        let (proof, inputs) = BindingCircuit.prove(
            binding: Ledger.bindingInput(sender: contributor.address, task: 1, nonce: 0), x: 3)
        try await f.submitAndProduce(contributor, 0, .contribute(task: 1, proof: proof, publicInputs: inputs))
        return f
    }

    func submitAndProduce(_ signer: Signer, _ nonce: UInt64, _ body: TransactionBody) async throws {
        _ = try await chain.submit(Transaction.sign(chainID: chainID, signer: signer, nonce: nonce, fee: 1, body: body))
        try await produce()
    }

    /// Checks `result.proof` (or another proof field) against the header it carries, for `key`.
    func expectProof(_ result: JSONValue?, key: StateKey, field: String = "proof", height: UInt64) throws {
        let p = try #require(result?[field])
        let header = try Header(canonicalBytes: Hex.decode(p["header"]!.stringValue!)!)
        let proof = try SparseMerkleProof(canonicalBytes: Hex.decode(p["proof"]!.stringValue!)!)
        let value = p["value"]!.stringValue.flatMap(Hex.decode)
        #expect(header.height == height)
        #expect(p["state_root"] == .string(header.stateRoot.hex))
        #expect(proof.verify(root: header.stateRoot, key: key.treeKey, value: value), "\(field) for \(key)")
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        guard let a = arrayValue, a.indices.contains(index) else { return nil }
        return a[index]
    }
}

@Suite struct WorkRPCTests {
    let contributor = TestKeys.signer(50).address

    @Test func workReadsAnswerWithProofsThatVerify() async throws {
        let f = try await RPCFixture.withWork()
        defer { f.cleanup() }
        let id = BindingCircuit.id

        let c = try await f.call("circuit", ["id": .string(id.hex), "prove": true])["result"]
        #expect(c?["name"] == "square" && c?["approved"] == true && c?["binding_input"] == 0)
        #expect(c?["verifying_key"]?["public_inputs"] == 2 && c?["registrant"] == .null && c?["registered_height"] == "0")
        #expect(c?["height"] == "4")
        try f.expectProof(c, key: .circuit(id), height: 4)

        let list = try await f.call("circuits", ["prove": true])["result"]
        #expect(list?["total"] == 1 && list?["circuits"]?.arrayValue?.count == 1)
        #expect(list?["circuits"]?[0]?["id"] == .string(id.hex))
        try f.expectProof(list?["circuits"]?[0], key: .circuit(id), height: 4)
        #expect(try await f.call("circuits", ["page": 2])["result"]?["circuits"]?.arrayValue?.count == 0)

        let d = try await f.call("dataset", ["id": 1, "prove": true])["result"]
        #expect(d?["owner"] == .string(f.validator.address.hex) && d?["samples"] == "10" && d?["name"] == "d")
        #expect(d?["registered_height"] == "1")
        try f.expectProof(d, key: .dataset(1), height: 4)
        let m = try await f.call("model", ["id": 1, "prove": true])["result"]
        #expect(m?["name"] == "m" && m?["samples"] == JSONValue?.none && m?["registered_height"] == "2")
        try f.expectProof(m, key: .model(1), height: 4)

        let t = try await f.call("task", ["id": 1, "prove": true])["result"]
        #expect(t?["status"] == "open" && t?["accepted"] == 1 && t?["remaining"] == 1 && t?["max_contributions"] == 2)
        #expect(t?["pool"] == "1001" && t?["deadline"] == "50" && t?["created_height"] == "3")
        #expect(t?["reward_split"] == ["data": "200", "model": "100", "contributor": "701"])
        try f.expectProof(t, key: .task(1), height: 4)
        // Before the contribution (height 3) the pool was full and nothing was accepted.
        let t3 = try await f.call("task", ["id": 1, "height": 3, "prove": true])["result"]
        #expect(t3?["accepted"] == 0 && t3?["pool"] == "2002" && t3?["height"] == "3")
        try f.expectProof(t3, key: .task(1), height: 3)

        let ts = try await f.call("tasks", ["open": true, "prove": true])["result"]
        #expect(ts?["total"] == 1 && ts?["tasks"]?[0]?["id"] == "1")
        try f.expectProof(ts?["tasks"]?[0], key: .task(1), height: 4)

        let k = try await f.call("contribution", ["task": 1, "index": 0, "prove": true])["result"]
        #expect(k?["contributor"] == .string(contributor.hex) && k?["included_height"] == "4")
        try f.expectProof(k, key: .contribution(task: 1, index: 0), height: 4)
        // The same contribution by its transaction hash.
        let txHash = try #require(try await f.call("block", ["height": 4])["result"]?["transactions"]?[0]?["hash"])
        let byHash = try await f.call("contribution", ["hash": txHash, "prove": true])["result"]
        #expect(byHash?["index"] == 0 && byHash?["task"] == "1" && byHash?["contributor"] == .string(contributor.hex))
        try f.expectProof(byHash, key: .contribution(task: 1, index: 0), height: 4)
        // And the entry that maps the transaction's statement to that index is proved too.
        let statement = try #require(byHash?["inputs_hash"]?.stringValue.flatMap(Hex.decode).flatMap { Hash256($0) })
        try f.expectProof(byHash, key: .contributionInputs(task: 1, inputsHash: statement), field: "index_proof", height: 4)
        #expect(byHash?["index_proof"]?["value"] == .string("0x" + Hex.encode(UInt32(0).canonicalBytes)))
        #expect(code(try await f.call("contribution", ["hash": txHash, "height": 3])) == 3001, "not yet included at height 3")
        let taskTx = try #require(try await f.call("block", ["height": 3])["result"]?["transactions"]?[0]?["hash"])
        #expect(code(try await f.call("contribution", ["hash": taskTx])) == 3001, "not a contribution")

        let r = try await f.call("reputation", ["address": .string(contributor.hex), "prove": true])["result"]
        #expect(r?["points"] == "40" && r?["gain_this_epoch"] == "40" && r?["epoch"] == "0" && r?["last_update_epoch"] == "0")
        try f.expectProof(r, key: .account(contributor), height: 4)
        try f.expectProof(r, key: .reputationGain(contributor), field: "gain_proof", height: 4)

        let v = try await f.call("validators")["result"]?["validators"]?[0]
        #expect(v?["stake"] == "1000000" && v?["reputation"] == "0" && v?["voting_power"] != nil)
        #expect(v?["operator"] == .string(f.validator.address.hex))
    }

    @Test func pagingAndTheOpenFilter() async throws {
        let f = try await RPCFixture.withWork()
        defer { f.cleanup() }
        let spec = TaskSpec(circuit: BindingCircuit.id, reward: 5, maxContributions: 1, reputationCredit: 0, deadline: 6)
        try await f.submitAndProduce(f.validator, 3, .createTask(spec))  // height 5
        #expect(try await f.call("task", ["id": 2])["result"]?["status"] == "open")
        try await f.produce()  // height 6: the deadline; the next block may not contribute
        #expect(try await f.call("task", ["id": 2])["result"]?["status"] == "expired")
        try await f.submitAndProduce(f.validator, 4, .closeTask(task: 2))
        let all = try await f.call("tasks", ["per_page": 1, "page": 2])["result"]
        #expect(all?["total"] == 2 && all?["tasks"]?[0]?["id"] == "2" && all?["tasks"]?[0]?["status"] == "closed")
        #expect(all?["tasks"]?[0]?["proof"] == JSONValue?.none)
        let open = try await f.call("tasks", ["open": true])["result"]
        #expect(open?["total"] == 1 && open?["tasks"]?.arrayValue?.count == 1)
        // At height 3 only task 1 existed.
        #expect(try await f.call("tasks", ["height": 3])["result"]?["total"] == 1)
    }

    @Test func unknownIdsAreNotFoundAndBadParamsAreInvalid() async throws {
        let f = try await RPCFixture.withWork()
        defer { f.cleanup() }
        let zero = Hash256(unchecked: [UInt8](repeating: 0, count: 32)).hex
        #expect(code(try await f.call("circuit", ["id": .string(zero)])) == 3001)
        #expect(code(try await f.call("dataset", ["id": 9])) == 3001)
        #expect(code(try await f.call("model", ["id": 9, "prove": true])) == 3001)
        #expect(code(try await f.call("task", ["id": 9])) == 3001)
        #expect(code(try await f.call("contribution", ["task": 1, "index": 1])) == 3001)
        #expect(code(try await f.call("task", ["id": 1, "height": 99])) == 3002)
        // The dataset did not exist yet at height 0 (genesis).
        #expect(code(try await f.call("dataset", ["id": 1, "height": 0])) == 3001)

        let bad: [(String, JSONValue, String)] = [
            ("circuit", [:], "params: missing field \"id\""),
            ("circuit", ["id": "0x12"], "params.id: expected a 0x-prefixed 32-byte hex hash"),
            ("dataset", ["id": "x"], "params.id: expected an unsigned integer"),
            ("task", ["id": 1, "prove": "yes"], "params.prove: expected true or false"),
            ("task", ["id": 1, "verbose": true], "verbose"),
            ("tasks", ["per_page": 101], "params.per_page: expected 1 to 100, got 101"),
            ("tasks", ["per_page": 0], "params.per_page: expected 1 to 100, got 0"),
            ("circuits", ["page": 0], "params.page: pages are numbered from 1"),
            ("tasks", ["open": 1], "params.open: expected true or false"),
            ("contribution", ["task": 1], "params: missing field \"index\""),
            ("contribution", [:], "params: missing field \"task\""),
            ("contribution", ["task": 1, "index": 0, "hash": "0x00"], "params.hash: expected a 0x-prefixed 32-byte hex hash"),
            ("contribution", ["index": 0, "hash": .string(zero)], "give either task and index, or hash, not both"),
            ("contribution", ["task": 1, "index": 4_294_967_296], "params.index: 4294967296 is too large"),
            ("reputation", ["address": "0x1"], "params.address: expected a 0x-prefixed 20-byte hex address"),
            ("tasks", ["height": -1], "params.height"),
        ]
        for (method, params, message) in bad {
            let r = try await f.call(method, params)
            #expect(code(r) == -32602, "\(method) \(params)")
            let text = r["error"]?["message"]?.stringValue ?? ""
            #expect(text.contains(message), "\(method) \(params): \(text)")
        }
    }
}
