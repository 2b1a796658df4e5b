/// The two vote types of Tendermint. Raw values follow CometBFT's SignedMsgType (1, 2).
public enum VoteType: UInt8, Sendable, Hashable, Comparable, CanonicalCodable, CustomStringConvertible {
    case prevote = 1
    case precommit = 2

    public static func < (a: VoteType, b: VoteType) -> Bool { a.rawValue < b.rawValue }
    public var description: String { self == .prevote ? "prevote" : "precommit" }

    public func encode(to e: inout CanonicalEncoder) { e.u8(rawValue) }
    public init(from d: inout CanonicalDecoder) throws {
        let raw = try d.u8()
        guard let t = VoteType(rawValue: raw) else { throw CodecError(.unknownTag, "unknown vote type \(raw)") }
        self = t
    }
}

/// A signed prevote or precommit for a block id, or for nil (`blockID == nil`).
public struct Vote: Hashable, Sendable, CanonicalCodable {
    public var type: VoteType
    public var height: UInt64
    public var round: UInt32
    public var blockID: Hash256?
    public var validator: Address
    public var signature: Signature

    public init(type: VoteType, height: UInt64, round: UInt32, blockID: Hash256?, validator: Address, signature: Signature) {
        self.type = type
        self.height = height
        self.round = round
        self.blockID = blockID
        self.validator = validator
        self.signature = signature
    }

    /// `vote_domain || chain_id || type u8 || height u64 || round u32 || option<block_id>`.
    public static func signBytes(chainID: String, type: VoteType, height: UInt64, round: UInt32, blockID: Hash256?) -> [UInt8] {
        var e = SignDomain.vote.prefix(chainID: chainID)
        e.encode(type)
        e.u64(height)
        e.u32(round)
        e.optional(blockID)
        return e.bytes
    }

    public func signBytes(chainID: String) -> [UInt8] {
        Self.signBytes(chainID: chainID, type: type, height: height, round: round, blockID: blockID)
    }

    /// Signs a vote with the given signer (the caller is responsible for the double-sign guard).
    public static func sign(
        chainID: String, type: VoteType, height: UInt64, round: UInt32, blockID: Hash256?, signer: Signer
    ) -> Vote {
        let sig = signer.sign(signBytes(chainID: chainID, type: type, height: height, round: round, blockID: blockID))
        return Vote(type: type, height: height, round: round, blockID: blockID, validator: signer.address, signature: sig)
    }

    public func verify(chainID: String, publicKey: PublicKey) -> Bool {
        publicKey.address == validator && publicKey.verify(signature, over: signBytes(chainID: chainID))
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(type)
        e.u64(height)
        e.u32(round)
        e.optional(blockID)
        e.encode(validator)
        e.encode(signature)
    }

    public init(from d: inout CanonicalDecoder) throws {
        type = try d.decode()
        height = try d.u64()
        round = try d.u32()
        blockID = try d.optional()
        validator = try d.decode()
        signature = try d.decode()
    }
}

/// A signed proposal for a block at (height, round). `polRound` is Tendermint's validRound of the
/// proposer (nil for -1).
public struct Proposal: Hashable, Sendable, CanonicalCodable {
    public var height: UInt64
    public var round: UInt32
    public var polRound: UInt32?
    public var blockID: Hash256
    public var proposer: Address
    public var signature: Signature

    public init(height: UInt64, round: UInt32, polRound: UInt32?, blockID: Hash256, proposer: Address, signature: Signature) {
        self.height = height
        self.round = round
        self.polRound = polRound
        self.blockID = blockID
        self.proposer = proposer
        self.signature = signature
    }

    /// `proposal_domain || chain_id || height u64 || round u32 || option<pol_round u32> || block_id`.
    public static func signBytes(chainID: String, height: UInt64, round: UInt32, polRound: UInt32?, blockID: Hash256) -> [UInt8] {
        var e = SignDomain.proposal.prefix(chainID: chainID)
        e.u64(height)
        e.u32(round)
        e.optional(polRound)
        e.encode(blockID)
        return e.bytes
    }

    public func signBytes(chainID: String) -> [UInt8] {
        Self.signBytes(chainID: chainID, height: height, round: round, polRound: polRound, blockID: blockID)
    }

    public static func sign(chainID: String, height: UInt64, round: UInt32, polRound: UInt32?, blockID: Hash256, signer: Signer) -> Proposal {
        let sig = signer.sign(signBytes(chainID: chainID, height: height, round: round, polRound: polRound, blockID: blockID))
        return Proposal(height: height, round: round, polRound: polRound, blockID: blockID, proposer: signer.address, signature: sig)
    }

    public func verify(chainID: String, publicKey: PublicKey) -> Bool {
        publicKey.address == proposer && publicKey.verify(signature, over: signBytes(chainID: chainID))
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(height)
        e.u32(round)
        e.optional(polRound)
        e.encode(blockID)
        e.encode(proposer)
        e.encode(signature)
    }

    public init(from d: inout CanonicalDecoder) throws {
        height = try d.u64()
        round = try d.u32()
        polRound = try d.optional()
        blockID = try d.decode()
        proposer = try d.decode()
        signature = try d.decode()
    }
}
