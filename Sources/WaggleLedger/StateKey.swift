import WaggleCore

/// A logical key in the ledger's state. Keys start with a one-byte namespace so every record kind
/// has its own key space; the state tree stores each under SHA-256(key bytes).
public struct StateKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public enum Namespace: UInt8, Sendable {
        case account = 0x01
        case validator = 0x02
        case bond = 0x03
        case unbondingQueue = 0x04
        case validatorIndex = 0x05
        case delegators = 0x06
        case chain = 0x07
        case unbondingHeights = 0x08
    }

    public static func account(_ a: Address) -> StateKey { StateKey(bytes: [Namespace.account.rawValue] + a.bytes) }
    public static func validator(_ a: Address) -> StateKey { StateKey(bytes: [Namespace.validator.rawValue] + a.bytes) }
    public static func bond(delegator: Address, validator: Address) -> StateKey {
        StateKey(bytes: [Namespace.bond.rawValue] + delegator.bytes + validator.bytes)
    }
    public static func unbondingQueue(height: UInt64) -> StateKey {
        var e = CanonicalEncoder()
        e.u8(Namespace.unbondingQueue.rawValue)
        e.u64(height)
        return StateKey(bytes: e.bytes)
    }
    public static func delegators(of validator: Address) -> StateKey {
        StateKey(bytes: [Namespace.delegators.rawValue] + validator.bytes)
    }
    /// The completion heights of the unbonding queues that hold entries from `validator`
    /// (ascending), so that a penalty can reach its unbonding stake without scanning every queue.
    public static func unbondingHeights(of validator: Address) -> StateKey {
        StateKey(bytes: [Namespace.unbondingHeights.rawValue] + validator.bytes)
    }
    /// The sorted list of every registered validator address.
    public static let validatorIndex = StateKey(bytes: [Namespace.validatorIndex.rawValue])
    /// Chain-wide bookkeeping: validator sets, pending fees, supply.
    public static let chainInfo = StateKey(bytes: [Namespace.chain.rawValue, 0x01])

    /// The key under which the state tree stores this entry.
    public var treeKey: Hash256 { Hash256.sha256(bytes) }

    public static func < (a: StateKey, b: StateKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
    public var description: String { "0x" + Hex.encode(bytes) }
}
