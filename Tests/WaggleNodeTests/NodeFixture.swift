import Foundation
import Logging
import WaggleCore
import WaggleLedger
import WaggleNode
import WaggleTesting

/// A temporary directory removed when the fixture is dropped.
final class TempDir: @unchecked Sendable {
    let path: String

    init(_ label: String = "waggle") {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A single-validator chain over a real RocksDB store in a temporary directory.
struct ChainFixture {
    let dir: TempDir
    let genesis: GenesisDoc
    let genesisBytes: [UInt8]
    let validator: Signer
    let chain: Chain
    let privValidator: PrivValidator
    let producer: BlockProducer

    init(dir: TempDir = TempDir(), retainVersions: UInt64 = 0, configure: (inout GenesisBuilder) -> Void = { _ in }) throws {
        var b = GenesisBuilder(validators: 1)
        b.extraAccounts = [GenesisAccount(address: TestKeys.signer(50).address, balance: 10_000)]
        configure(&b)
        self.dir = dir
        genesis = b.build()
        genesisBytes = genesis.json.serialized(pretty: true)
        validator = b.validatorKeys[0]
        let store = try ChainStore(path: dir.path + "/chain.db")
        chain = try Chain(genesis: genesis, genesisBytes: genesisBytes, store: store, mempoolLimits: Mempool.Limits(),
                          retainVersions: retainVersions, logger: Logger(label: "test"))
        let persistence = try FileSignStatePersistence(path: dir.path + "/priv_validator_state.json")
        privValidator = try PrivValidator(signer: validator, chainID: genesis.chainID, persistence: persistence)
        producer = try BlockProducer(chain: chain, signer: validator, persistence: persistence, interval: .seconds(1), logger: Logger(label: "test"))
    }

    var chainID: String { genesis.chainID }

    func transfer(_ from: Signer, to: Address, amount: UInt64, nonce: UInt64, fee: UInt64 = 1) -> Transaction {
        Transaction.sign(chainID: chainID, signer: from, nonce: nonce, fee: fee, body: .transfer(to: to, amount: amount))
    }

    /// Produces one block through the producer's full path.
    func produce() async throws {
        try await producer.produceBlock(after: await chain.head)
    }

    func balance(_ a: Address) async throws -> UInt64 {
        let ledger = genesis.ledger
        return try await chain.read { store, _ in try ledger.account(a, in: StateOverlay(base: store))?.balance ?? 0 }
    }
}
