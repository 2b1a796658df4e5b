/// One validator's slot in a commit, aligned with the validator set's canonical order.
public enum CommitSig: Hashable, Sendable, CanonicalCodable {
    /// The validator's precommit was not received in time.
    case absent
    /// A precommit for the committed block.
    case commit(Signature)
    /// A precommit for nil.
    case `nil`(Signature)

    public var signature: Signature? {
        switch self {
        case .absent: nil
        case .commit(let s), .nil(let s): s
        }
    }

    public func encode(to e: inout CanonicalEncoder) {
        switch self {
        case .absent: e.u8(0)
        case .commit(let s): e.u8(1); e.encode(s)
        case .nil(let s): e.u8(2); e.encode(s)
        }
    }

    public init(from d: inout CanonicalDecoder) throws {
        switch try d.u8() {
        case 0: self = .absent
        case 1: self = .commit(try d.decode())
        case 2: self = .nil(try d.decode())
        case let t: throw CodecError(.unknownTag, "unknown commit signature tag \(t)")
        }
    }
}

/// The commit certificate of a height: precommits of more than two thirds of the voting power for
/// one block id in one round. Anyone holding the validator set can verify it (`verify`), which is
/// what light clients and block sync do.
public struct Commit: Hashable, Sendable, CanonicalCodable {
    public var height: UInt64
    public var round: UInt32
    public var blockID: Hash256
    public var signatures: [CommitSig]

    public init(height: UInt64, round: UInt32, blockID: Hash256, signatures: [CommitSig]) {
        self.height = height
        self.round = round
        self.blockID = blockID
        self.signatures = signatures
    }

    /// Builds a commit from precommits (any order, possibly including nil votes and strangers).
    /// Votes from addresses outside the set or for other heights or rounds are ignored.
    public init(height: UInt64, round: UInt32, blockID: Hash256, precommits: [Vote], validators: ValidatorSet) {
        var sigs = [CommitSig](repeating: .absent, count: validators.count)
        for v in precommits where v.type == .precommit && v.height == height && v.round == round {
            guard let i = validators.index(of: v.validator) else { continue }
            if v.blockID == blockID {
                sigs[i] = .commit(v.signature)
            } else if v.blockID == nil, case .absent = sigs[i] {
                sigs[i] = .nil(v.signature)
            }
        }
        self.init(height: height, round: round, blockID: blockID, signatures: sigs)
    }

    /// The hash committed by the next header's `last_commit_hash` (domain 0x13).
    public var hash: Hash256 { HashDomain.hash(HashDomain.commit, canonicalBytes) }

    /// The addresses whose precommit for the block is in this commit, in validator-set order.
    public func signers(in validators: ValidatorSet) -> [Address] {
        zip(validators.validators, signatures).compactMap { v, s in
            if case .commit = s { return v.address }
            return nil
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case wrongHeight(expected: UInt64, got: UInt64)
        case wrongBlockID
        case wrongSignatureCount(expected: Int, got: Int)
        case invalidSignature(Address)
        case insufficientVotingPower(signed: UInt64, total: UInt64)

        public var description: String {
            switch self {
            case .wrongHeight(let e, let g): "commit is for height \(g), expected \(e)"
            case .wrongBlockID: "commit is for a different block"
            case .wrongSignatureCount(let e, let g): "commit has \(g) signature slots, the validator set has \(e)"
            case .invalidSignature(let a): "invalid precommit signature from \(a)"
            case .insufficientVotingPower(let s, let t): "commit carries \(s) of \(t) voting power, needs more than two thirds"
            }
        }
    }

    /// Checks that this commit finalises `blockID` at `height` under `validators`: every present
    /// signature verifies, and the precommits for the block carry more than 2/3 of the power.
    public func verify(chainID: String, validators: ValidatorSet, height: UInt64, blockID: Hash256) throws(Failure) {
        guard self.height == height else { throw .wrongHeight(expected: height, got: self.height) }
        guard self.blockID == blockID else { throw .wrongBlockID }
        guard signatures.count == validators.count else {
            throw .wrongSignatureCount(expected: validators.count, got: signatures.count)
        }
        var signed: UInt64 = 0
        for (v, s) in zip(validators.validators, signatures) {
            let voted: Hash256?
            switch s {
            case .absent: continue
            case .commit: voted = blockID
            case .nil: voted = nil
            }
            let bytes = Vote.signBytes(chainID: chainID, type: .precommit, height: height, round: round, blockID: voted)
            guard v.publicKey.verify(s.signature!, over: bytes) else { throw .invalidSignature(v.address) }
            if voted != nil { signed += v.votingPower }
        }
        guard validators.isQuorum(signed) else {
            throw .insufficientVotingPower(signed: signed, total: validators.totalVotingPower)
        }
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(height)
        e.u32(round)
        e.encode(blockID)
        e.list(signatures)
    }

    public init(from d: inout CanonicalDecoder) throws {
        height = try d.u64()
        round = try d.u32()
        blockID = try d.decode()
        signatures = try d.list(CommitSig.self, maxCount: ValidatorSet.maxValidators)
    }
}
