/// Block and evidence limits, fixed by genesis. (Timeouts are node configuration, in config.toml,
/// as in CometBFT.)
public struct ConsensusParams: Hashable, Sendable {
    /// Most transactions in one block.
    public var maxBlockTransactions: UInt32
    /// Most bytes of encoded transactions in one block.
    public var maxBlockBytes: UInt32
    /// Evidence older than this many blocks is rejected.
    public var evidenceMaxAgeBlocks: UInt64
    /// Evidence older than this many milliseconds is rejected.
    public var evidenceMaxAgeMs: UInt64

    public init(
        maxBlockTransactions: UInt32 = 5_000, maxBlockBytes: UInt32 = 4 * 1024 * 1024,
        evidenceMaxAgeBlocks: UInt64 = 100_000, evidenceMaxAgeMs: UInt64 = 48 * 3600 * 1000
    ) {
        self.maxBlockTransactions = maxBlockTransactions
        self.maxBlockBytes = maxBlockBytes
        self.evidenceMaxAgeBlocks = evidenceMaxAgeBlocks
        self.evidenceMaxAgeMs = evidenceMaxAgeMs
    }

    public func validate() throws(LedgerError) {
        func bad(_ why: String) -> LedgerError { LedgerError(.invalidGenesis, "consensus_params.\(why)") }
        guard maxBlockTransactions >= 1, maxBlockTransactions <= 10_000 else { throw bad("max_block_txs must be between 1 and 10000") }
        guard maxBlockBytes >= 1024, maxBlockBytes <= 16 * 1024 * 1024 else {
            throw bad("max_block_bytes must be between 1024 and 16777216")
        }
        guard evidenceMaxAgeBlocks >= 1 else { throw bad("evidence_max_age_blocks must be at least 1") }
        guard evidenceMaxAgeMs >= 1 else { throw bad("evidence_max_age_ms must be at least 1") }
    }
}
