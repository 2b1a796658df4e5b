/// A block header. Its hash is the block id that proposals, votes and commits sign.
///
/// `stateRoot` is the root of the state tree *after* executing this block's transactions, so a
/// light client holding header h and its commit can check any account proof at height h.
public struct Header: Hashable, Sendable, CanonicalCodable {
    public static let protocolVersion: UInt32 = 1
    public static let maxChainIDLength = 50

    public var version: UInt32
    public var chainID: String
    public var height: UInt64
    /// Proposer's time in milliseconds since the Unix epoch; strictly increasing by height.
    public var timeMs: Int64
    public var lastBlockID: Hash256
    public var lastCommitHash: Hash256
    public var transactionsRoot: Hash256
    public var stateRoot: Hash256
    public var validatorsHash: Hash256
    public var nextValidatorsHash: Hash256
    public var proposer: Address
    public var evidenceRoot: Hash256

    public init(
        version: UInt32 = Header.protocolVersion, chainID: String, height: UInt64, timeMs: Int64, lastBlockID: Hash256,
        lastCommitHash: Hash256, transactionsRoot: Hash256, stateRoot: Hash256, validatorsHash: Hash256,
        nextValidatorsHash: Hash256, proposer: Address, evidenceRoot: Hash256
    ) {
        self.version = version
        self.chainID = chainID
        self.height = height
        self.timeMs = timeMs
        self.lastBlockID = lastBlockID
        self.lastCommitHash = lastCommitHash
        self.transactionsRoot = transactionsRoot
        self.stateRoot = stateRoot
        self.validatorsHash = validatorsHash
        self.nextValidatorsHash = nextValidatorsHash
        self.proposer = proposer
        self.evidenceRoot = evidenceRoot
    }

    /// The block id: SHA-256(0x10 || canonical header bytes).
    public var blockID: Hash256 { HashDomain.hash(HashDomain.header, canonicalBytes) }

    public func encode(to e: inout CanonicalEncoder) {
        e.u32(version)
        e.string(chainID)
        e.u64(height)
        e.i64(timeMs)
        e.encode(lastBlockID)
        e.encode(lastCommitHash)
        e.encode(transactionsRoot)
        e.encode(stateRoot)
        e.encode(validatorsHash)
        e.encode(nextValidatorsHash)
        e.encode(proposer)
        e.encode(evidenceRoot)
    }

    public init(from d: inout CanonicalDecoder) throws {
        version = try d.u32()
        chainID = try d.string(maxLength: Self.maxChainIDLength)
        height = try d.u64()
        timeMs = try d.i64()
        lastBlockID = try d.decode()
        lastCommitHash = try d.decode()
        transactionsRoot = try d.decode()
        stateRoot = try d.decode()
        validatorsHash = try d.decode()
        nextValidatorsHash = try d.decode()
        proposer = try d.decode()
        evidenceRoot = try d.decode()
    }
}
