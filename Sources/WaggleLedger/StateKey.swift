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
        case circuit = 0x09
        case circuitApprovals = 0x0A
        case pendingApprovals = 0x0B
        case dataset = 0x0C
        case model = 0x0D
        case task = 0x0E
        case contribution = 0x0F
        case contributionInputs = 0x10
        case reputationGain = 0x11
        case liveness = 0x12
        case jailRelease = 0x13
    }

    private static func withU64(_ ns: Namespace, _ v: UInt64, _ rest: [UInt8] = []) -> StateKey {
        var e = CanonicalEncoder()
        e.u8(ns.rawValue)
        e.u64(v)
        e.fixed(rest)
        return StateKey(bytes: e.bytes)
    }

    /// A registered circuit, by circuit id.
    public static func circuit(_ id: Hash256) -> StateKey { StateKey(bytes: [Namespace.circuit.rawValue] + id.bytes) }
    /// The operators that sent `approve_circuit` for a circuit not yet approved (sorted).
    public static func circuitApprovals(_ id: Hash256) -> StateKey {
        StateKey(bytes: [Namespace.circuitApprovals.rawValue] + id.bytes)
    }
    /// The circuits with at least one approval that are not approved yet (sorted ids).
    public static let pendingApprovals = StateKey(bytes: [Namespace.pendingApprovals.rawValue])
    public static func dataset(_ id: UInt64) -> StateKey { withU64(.dataset, id) }
    public static func model(_ id: UInt64) -> StateKey { withU64(.model, id) }
    public static func task(_ id: UInt64) -> StateKey { withU64(.task, id) }
    /// The `index`-th accepted contribution to a task (indices from 0).
    public static func contribution(task: UInt64, index: UInt32) -> StateKey {
        var e = CanonicalEncoder()
        e.u32(index)
        return withU64(.contribution, task, e.bytes)
    }
    /// Marks a public-input set accepted for a task (value: the contribution index), so it is
    /// never accepted twice.
    public static func contributionInputs(task: UInt64, inputsHash: Hash256) -> StateKey {
        withU64(.contributionInputs, task, inputsHash.bytes)
    }
    /// Reputation an account gained in its latest epoch with a gain (the per-epoch cap).
    public static func reputationGain(_ a: Address) -> StateKey { StateKey(bytes: [Namespace.reputationGain.rawValue] + a.bytes) }
    /// How many commits included in blocks of an epoch had the validator in their set, and how
    /// many it signed (downtime and duty credit).
    public static func liveness(_ validator: Address) -> StateKey { StateKey(bytes: [Namespace.liveness.rawValue] + validator.bytes) }
    /// The first epoch in which a validator jailed for downtime may `unjail` (absent when not jailed).
    public static func jailRelease(_ validator: Address) -> StateKey {
        StateKey(bytes: [Namespace.jailRelease.rawValue] + validator.bytes)
    }
    /// The next dataset, model and task ids.
    public static let workCounters = StateKey(bytes: [Namespace.chain.rawValue, 0x02])

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
