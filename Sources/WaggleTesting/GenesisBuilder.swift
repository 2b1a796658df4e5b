import WaggleCore
import WaggleLedger

/// Builds genesis documents for tests: `count` validators from `TestKeys`, each funded and
/// self-bonded, plus any extra funded accounts.
public struct GenesisBuilder: Sendable {
    public var chainID = "waggle-test"
    public var genesisTimeMs: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
    public var initialHeight: UInt64 = 1
    public var validatorKeys: [Signer]
    public var selfBond: UInt64 = 1_000_000
    public var validatorBalance: UInt64 = 1_000_000_000
    public var extraAccounts: [GenesisAccount] = []
    public var ledgerParams = LedgerParams(epochLength: 10, unbondingPeriod: 5, minFee: 1, blockReward: 100, minSelfBond: 1_000)
    public var consensusParams = ConsensusParams()
    public var circuits: [GenesisCircuit] = []

    public init(validators: Int = 1) {
        validatorKeys = TestKeys.signers(validators)
    }

    public func build() -> GenesisDoc {
        GenesisDoc(
            chainID: chainID, genesisTimeMs: genesisTimeMs, initialHeight: initialHeight, consensusParams: consensusParams,
            ledgerParams: ledgerParams,
            validators: validatorKeys.enumerated().map {
                GenesisValidator(name: "validator-\($0)", publicKey: $1.publicKey, operator: $1.address, selfBond: selfBond)
            },
            accounts: validatorKeys.map { GenesisAccount(address: $0.address, balance: validatorBalance) } + extraAccounts,
            circuits: circuits)
    }

    /// The genesis state as an in-memory reader, with the ledger to run on it.
    public func buildState() throws -> (ledger: Ledger, state: MemoryState, validators: ValidatorSet) {
        let doc = build()
        let (changes, set) = try doc.initialState()
        var mem = MemoryState()
        mem.apply(changes)
        return (doc.ledger, mem, set)
    }
}
