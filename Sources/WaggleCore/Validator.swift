/// A member of a validator set: its consensus key and its voting power for the epoch.
public struct Validator: Hashable, Sendable, CanonicalCodable {
    public var publicKey: PublicKey
    public var votingPower: UInt64

    public var address: Address { publicKey.address }

    public init(publicKey: PublicKey, votingPower: UInt64) {
        self.publicKey = publicKey
        self.votingPower = votingPower
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(publicKey)
        e.u64(votingPower)
    }

    public init(from d: inout CanonicalDecoder) throws {
        publicKey = try d.decode()
        votingPower = try d.u64()
    }
}

/// The validators of one epoch, in canonical order: voting power descending, then address
/// ascending (CometBFT's ValidatorsByVotingPower). Powers are positive and sum below 2^60, so
/// proposer priorities cannot overflow (DESIGN.md).
public struct ValidatorSet: Hashable, Sendable, CanonicalCodable {
    public static let maxTotalVotingPower: UInt64 = 1 << 60
    public static let maxValidators = 10_000

    public let validators: [Validator]
    public let totalVotingPower: UInt64
    private let indexByAddress: [Address: Int]

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case empty, zeroPower(Address), duplicate(Address), totalPowerTooLarge, tooMany
        public var description: String {
            switch self {
            case .empty: "validator set is empty"
            case .zeroPower(let a): "validator \(a) has zero voting power"
            case .duplicate(let a): "validator \(a) appears twice"
            case .totalPowerTooLarge: "total voting power must stay below 2^60"
            case .tooMany: "more than \(ValidatorSet.maxValidators) validators"
            }
        }
    }

    public init(_ members: [Validator]) throws(Failure) {
        guard !members.isEmpty else { throw .empty }
        guard members.count <= Self.maxValidators else { throw .tooMany }
        var total: UInt64 = 0
        var seen = Set<Address>()
        for v in members {
            guard v.votingPower > 0 else { throw .zeroPower(v.address) }
            guard seen.insert(v.address).inserted else { throw .duplicate(v.address) }
            let (sum, overflow) = total.addingReportingOverflow(v.votingPower)
            guard !overflow, sum < Self.maxTotalVotingPower else { throw .totalPowerTooLarge }
            total = sum
        }
        let sorted = members.sorted {
            $0.votingPower != $1.votingPower ? $0.votingPower > $1.votingPower : $0.address < $1.address
        }
        validators = sorted
        totalVotingPower = total
        var index: [Address: Int] = [:]
        for (i, v) in sorted.enumerated() { index[v.address] = i }
        indexByAddress = index
    }

    public var count: Int { validators.count }

    public func index(of address: Address) -> Int? { indexByAddress[address] }
    public func validator(_ address: Address) -> Validator? { indexByAddress[address].map { validators[$0] } }

    /// Voting power strictly above two thirds of the total: `3 * power > 2 * total`.
    public func isQuorum(_ power: UInt64) -> Bool { 3 * power > 2 * totalVotingPower }
    /// Voting power strictly above one third (f + 1 in Tendermint's terms).
    public func exceedsOneThird(_ power: UInt64) -> Bool { 3 * power > totalVotingPower }

    /// The hash committed in headers: SHA-256 over the canonical list (domain 0x12).
    public var hash: Hash256 { HashDomain.hash(HashDomain.validatorSet, canonicalBytes) }

    public static func == (a: ValidatorSet, b: ValidatorSet) -> Bool { a.validators == b.validators }
    public func hash(into h: inout Hasher) { h.combine(validators) }

    public func encode(to e: inout CanonicalEncoder) { e.list(validators) }

    public init(from d: inout CanonicalDecoder) throws {
        let members = try d.list(Validator.self, maxCount: Self.maxValidators)
        let set: ValidatorSet
        do { set = try ValidatorSet(members) } catch { throw CodecError(.invalidValue, error.description) }
        guard set.validators == members else { throw CodecError(.nonCanonical, "validators are not in canonical order") }
        self = set
    }
}
