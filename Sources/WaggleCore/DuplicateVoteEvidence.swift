/// Proof that one validator signed two votes of the same type for the same height and round with
/// different block ids. The pair is stored in canonical order (vote A's block id sorts first, nil
/// before any id), so one misbehaviour has exactly one encoding and one hash.
public struct DuplicateVoteEvidence: Hashable, Sendable, CanonicalCodable {
    public let voteA: Vote
    public let voteB: Vote

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notConflicting(String)
        case unknownValidator(Address)
        case invalidSignature
        case notCanonicalOrder

        public var description: String {
            switch self {
            case .notConflicting(let why): "votes do not conflict: \(why)"
            case .unknownValidator(let a): "validator \(a) is not in the set for that height"
            case .invalidSignature: "a vote in the evidence has an invalid signature"
            case .notCanonicalOrder: "evidence votes are not in canonical order"
            }
        }
    }

    /// Orders the two votes canonically; fails when they are not a conflicting pair.
    public init(_ a: Vote, _ b: Vote) throws(Failure) {
        try Self.checkConflict(a, b)
        if Self.precedes(a.blockID, b.blockID) {
            voteA = a
            voteB = b
        } else {
            voteA = b
            voteB = a
        }
    }

    public var validator: Address { voteA.validator }
    public var height: UInt64 { voteA.height }
    public var hash: Hash256 { HashDomain.hash(HashDomain.evidence, canonicalBytes) }

    /// Verifies the evidence on its own, given the offender's public key for that height.
    public func verify(chainID: String, publicKey: PublicKey) throws(Failure) {
        try Self.checkConflict(voteA, voteB)
        guard Self.precedes(voteA.blockID, voteB.blockID) else { throw .notCanonicalOrder }
        guard voteA.verify(chainID: chainID, publicKey: publicKey), voteB.verify(chainID: chainID, publicKey: publicKey) else {
            throw .invalidSignature
        }
    }

    private static func checkConflict(_ a: Vote, _ b: Vote) throws(Failure) {
        guard a.validator == b.validator else { throw .notConflicting("different validators") }
        guard a.height == b.height, a.round == b.round else { throw .notConflicting("different height or round") }
        guard a.type == b.type else { throw .notConflicting("different vote types") }
        guard a.blockID != b.blockID else { throw .notConflicting("same block id") }
    }

    private static func precedes(_ x: Hash256?, _ y: Hash256?) -> Bool {
        switch (x, y) {
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): return x < y
        }
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(voteA)
        e.encode(voteB)
    }

    public init(from d: inout CanonicalDecoder) throws {
        let a: Vote = try d.decode()
        let b: Vote = try d.decode()
        do { try Self.checkConflict(a, b) } catch { throw CodecError(.invalidValue, error.description) }
        guard Self.precedes(a.blockID, b.blockID) else { throw CodecError(.nonCanonical, "evidence votes out of order") }
        voteA = a
        voteB = b
    }
}
