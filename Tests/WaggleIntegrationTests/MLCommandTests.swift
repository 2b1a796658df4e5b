import Foundation
import Testing
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleZK

/// `waggle ml …` and `waggle prove …` as a user runs them: real files, the real binary, and a
/// running node for the sender's nonce.
@Suite(.serialized) struct MLCommandTests {
    /// The smallest useful shape (one feature, two samples) keeps setup and proving quick.
    static let model = #"{"format":"waggle-model-v1","layers":[{"weights":[[0.75]],"bias":[0.25],"activation":"none"}]}"#
    static let csv = "a,label\n1,1\n-1,1\n"

    func json(_ r: CommandResult) throws -> JSONValue { try JSONValue.parse(Array(r.stdout.utf8)) }

    func expectOneLineError(_ args: [String], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try runWaggle(args)
        #expect(r.status != 0, "\(args) succeeded", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("warning:") }
        #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(args): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(fragment), "\(args): \(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func setupProveAndVerifyAnAccuracyClaimForTheSendersNextNonce() async throws {
        let (home, tmp) = try NodeProcessTests().makeHome()
        let dir = tmp.path + "/ml"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Self.model.write(toFile: dir + "/model.json", atomically: true, encoding: .utf8)
        try Self.csv.write(toFile: dir + "/data.csv", atomically: true, encoding: .utf8)

        let evaluated = try json(try runWaggle(["ml", "evaluate", "--model", dir + "/model.json", "--data", dir + "/data.csv", "--label", "label"]))
        #expect(evaluated["correct"] == 1 && evaluated["samples"] == 2)
        let committed = try json(try runWaggle(["ml", "commit-model", dir + "/model.json"]))
        #expect(committed["commitment"] == evaluated["model_commitment"])
        let data = try json(try runWaggle(["ml", "commit-dataset", dir + "/data.csv", "--label", "label"]))
        #expect(data["commitment"] == evaluated["dataset_commitment"] && data["samples"] == 2)

        let setup = try runWaggle(["ml", "setup", "--circuit", "accuracy", "--features", "1", "--samples", "2", "--out", dir + "/keys"], timeout: 600)
        #expect(setup.status == 0, "\(setup.stderr)")
        #expect(setup.stderr.contains("for development only"))
        #expect(try json(setup)["public_inputs"] == ["binding", "model_commitment", "dataset_commitment", "min_correct"])

        let node = NodeProcess(home: home)
        try node.start()
        defer { node.kill() }
        let validator = try Keyring(directory: home + "/keyring").get("validator").signer
        let nonce = try #require(try await node.client.call("account", ["address": .string(validator.address.hex)])["nonce"]?.uint64Value)
        let prove = ["prove", "accuracy", "--home", home, "--pk", dir + "/keys", "--model", dir + "/model.json",
                     "--data", dir + "/data.csv", "--label", "label", "--task", "7", "--from", "validator"]
        let proved = try runWaggle(prove + ["--min-correct", "1", "--out", dir + "/proof"], timeout: 600)
        #expect(proved.status == 0, "\(proved.stderr)")
        let publicInputs = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/proof/public.json"))))
        let binding = Ledger.bindingInput(sender: validator.address, task: 7, nonce: nonce)
        #expect(publicInputs.arrayValue?.first?.stringValue == UInt256(bigEndian: binding.bytes).decimalString)
        #expect(publicInputs.arrayValue?.last == "1")
        let verified = try runWaggle(["zk", "verify", "--vk", dir + "/keys/verification_key.json", "--proof", dir + "/proof/proof.json", "--public", dir + "/proof/public.json"])
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")

        // A better accuracy than the model has is refused with the reason, and writes nothing.
        try expectOneLineError(prove + ["--min-correct", "2", "--out", dir + "/proof4"], "classifies 1 of 2 samples correctly, fewer than the claimed 2")
        #expect(!FileManager.default.fileExists(atPath: dir + "/proof4"))
        // The key of another circuit, and a dataset of another shape.
        try expectOneLineError(["prove", "inference", "--home", home, "--pk", dir + "/keys", "--model", dir + "/model.json", "--input", "1", "--class", "1",
                                "--task", "7", "--from", "validator", "--nonce", "0", "--out", dir + "/p5"], "not inference")
        try "a,label\n1,1\n".write(toFile: dir + "/one.csv", atomically: true, encoding: .utf8)
        try expectOneLineError(["prove", "accuracy", "--home", home, "--pk", dir + "/keys", "--model", dir + "/model.json", "--data", dir + "/one.csv",
                                "--label", "label", "--min-correct", "1", "--task", "7", "--from", "validator", "--nonce", "0", "--out", dir + "/p6"], "on 2 samples")
    }

    @Test func badFilesGetOneErrorLineNamingTheProblem() throws {
        let tmp = TempHome()
        try FileManager.default.createDirectory(atPath: tmp.path, withIntermediateDirectories: true)
        try "a,b\n1,2\n".write(toFile: tmp.path + "/nolabel.csv", atomically: true, encoding: .utf8)
        try "a,label\n1,0\n2\n".write(toFile: tmp.path + "/ragged.csv", atomically: true, encoding: .utf8)
        try "a,label\n1,0\nfoo,1\n".write(toFile: tmp.path + "/text.csv", atomically: true, encoding: .utf8)
        try #"{"format":"waggle-model-v1","layers":[{"weights":[[1e9]],"bias":[0],"activation":"none"}]}"#.write(toFile: tmp.path + "/big.json", atomically: true, encoding: .utf8)
        try expectOneLineError(["ml", "commit-dataset", tmp.path + "/nolabel.csv", "--label", "label"], "no column named \"label\"")
        try expectOneLineError(["ml", "commit-dataset", tmp.path + "/ragged.csv", "--label", "label"], "CSV line 3: 1 cells")
        try expectOneLineError(["ml", "commit-dataset", tmp.path + "/text.csv", "--label", "label"], "CSV line 3, column \"a\"")
        try expectOneLineError(["ml", "commit-model", tmp.path + "/big.json"], "out of the fixed-point range")
        try expectOneLineError(["ml", "commit-model", tmp.path + "/missing.json"], "cannot read")
        try expectOneLineError(["ml", "setup", "--circuit", "regression", "--features", "2", "--out", tmp.path + "/k"], "unknown circuit")
        try expectOneLineError(["ml", "setup", "--circuit", "train-step", "--features", "2", "--classes", "3", "--out", tmp.path + "/k"], "train-step is logistic regression")
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/k"))
    }
}
