import WaggleCore

/// Reputation points of an account and the epoch they were last brought up to date (decay and
/// growth caps are applied per epoch). Not transferable.
public struct ReputationRecord: Hashable, Sendable, CanonicalCodable {
    public var points: UInt64
    public var lastEpoch: UInt64

    public init(points: UInt64 = 0, lastEpoch: UInt64 = 0) {
        self.points = points
        self.lastEpoch = lastEpoch
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(points)
        e.u64(lastEpoch)
    }

    public init(from d: inout CanonicalDecoder) throws {
        points = try d.u64()
        lastEpoch = try d.u64()
    }
}

/// An account: spendable balance, the nonce its next transaction must carry, its reputation.
public struct Account: Hashable, Sendable, CanonicalCodable {
    public var balance: UInt64
    public var nonce: UInt64
    public var reputation: ReputationRecord

    public init(balance: UInt64 = 0, nonce: UInt64 = 0, reputation: ReputationRecord = ReputationRecord()) {
        self.balance = balance
        self.nonce = nonce
        self.reputation = reputation
    }

    public static let empty = Account()

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(balance)
        e.u64(nonce)
        e.encode(reputation)
    }

    public init(from d: inout CanonicalDecoder) throws {
        balance = try d.u64()
        nonce = try d.u64()
        reputation = try d.decode()
    }
}

/// A registered validator. Its address is that of its consensus key; `operator` is the account
/// that created it and receives its rewards.
public struct ValidatorRecord: Hashable, Sendable, CanonicalCodable {
    public var publicKey: PublicKey
    public var `operator`: Address
    /// Sum of all bonds to this validator (its stake).
    public var totalBond: UInt64
    public var jailed: Bool
    /// Proven to have double-signed: never again in a validator set.
    public var tombstoned: Bool

    public init(publicKey: PublicKey, operator op: Address, totalBond: UInt64, jailed: Bool = false, tombstoned: Bool = false) {
        self.publicKey = publicKey
        self.operator = op
        self.totalBond = totalBond
        self.jailed = jailed
        self.tombstoned = tombstoned
    }

    public var address: Address { publicKey.address }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(publicKey)
        e.encode(`operator`)
        e.u64(totalBond)
        e.bool(jailed)
        e.bool(tombstoned)
    }

    public init(from d: inout CanonicalDecoder) throws {
        publicKey = try d.decode()
        `operator` = try d.decode()
        totalBond = try d.u64()
        jailed = try d.bool()
        tombstoned = try d.bool()
    }
}

/// Stake on its way back to a delegator's balance.
public struct UnbondingEntry: Hashable, Sendable, CanonicalCodable {
    public var delegator: Address
    public var validator: Address
    public var amount: UInt64

    public init(delegator: Address, validator: Address, amount: UInt64) {
        self.delegator = delegator
        self.validator = validator
        self.amount = amount
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(delegator)
        e.encode(validator)
        e.u64(amount)
    }

    public init(from d: inout CanonicalDecoder) throws {
        delegator = try d.decode()
        validator = try d.decode()
        amount = try d.u64()
    }
}

/// Chain-wide bookkeeping kept in state, so that it is covered by the state root.
public struct ChainInfo: Hashable, Sendable, CanonicalCodable {
    /// The validator set that signs the next block.
    public var currentValidators: ValidatorSet
    /// The validator set that signed the last executed block (its commit arrives in the next
    /// block and is checked and rewarded against this set).
    public var lastValidators: ValidatorSet
    /// Fees collected in the last executed block, paid out with the next block's rewards.
    public var pendingFees: UInt64
    /// Total tokens in existence (balances + bonds + unbonding + pending fees).
    public var totalSupply: UInt64
    /// Height of the last executed block (initial_height - 1 at genesis).
    public var lastHeight: UInt64

    public init(currentValidators: ValidatorSet, lastValidators: ValidatorSet, pendingFees: UInt64, totalSupply: UInt64, lastHeight: UInt64) {
        self.currentValidators = currentValidators
        self.lastValidators = lastValidators
        self.pendingFees = pendingFees
        self.totalSupply = totalSupply
        self.lastHeight = lastHeight
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(currentValidators)
        e.encode(lastValidators)
        e.u64(pendingFees)
        e.u64(totalSupply)
        e.u64(lastHeight)
    }

    public init(from d: inout CanonicalDecoder) throws {
        currentValidators = try d.decode()
        lastValidators = try d.decode()
        pendingFees = try d.u64()
        totalSupply = try d.u64()
        lastHeight = try d.u64()
    }
}

/// A sorted list of addresses (the validator index, a validator's delegators).
public struct AddressList: Hashable, Sendable, CanonicalCodable {
    public var addresses: [Address]

    public init(_ addresses: [Address]) { self.addresses = addresses }

    public mutating func insert(_ a: Address) {
        var lo = 0, hi = addresses.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if addresses[mid] < a { lo = mid + 1 } else { hi = mid }
        }
        if lo < addresses.count, addresses[lo] == a { return }
        addresses.insert(a, at: lo)
    }

    public mutating func remove(_ a: Address) { addresses.removeAll { $0 == a } }

    public func encode(to e: inout CanonicalEncoder) { e.list(addresses) }

    public init(from d: inout CanonicalDecoder) throws {
        addresses = try d.list(Address.self, maxCount: 1_000_000)
        for i in addresses.indices.dropFirst() where !(addresses[i - 1] < addresses[i]) {
            throw CodecError(.nonCanonical, "address list is not strictly sorted")
        }
    }
}

/// A strictly ascending list of heights (the completion heights of a validator's unbondings).
public struct HeightList: Hashable, Sendable, CanonicalCodable {
    public var heights: [UInt64]
    /// Most entries a stored list may hold (genesis caps `unbonding_period` at this).
    public static let maxCount = 2_000_000

    public init(_ heights: [UInt64]) { self.heights = heights }

    public mutating func insert(_ h: UInt64) {
        let i = heights.firstIndex { $0 >= h } ?? heights.count
        if i < heights.count, heights[i] == h { return }
        heights.insert(h, at: i)
    }

    public mutating func remove(_ h: UInt64) { heights.removeAll { $0 == h } }

    public func encode(to e: inout CanonicalEncoder) { e.list(heights) }

    public init(from d: inout CanonicalDecoder) throws {
        heights = try d.list(UInt64.self, maxCount: Self.maxCount)
        for i in heights.indices.dropFirst() where !(heights[i - 1] < heights[i]) {
            throw CodecError(.nonCanonical, "height list is not strictly ascending")
        }
    }
}
