import Synchronization
import WaggleCore

/// Prepared verifying keys by circuit id, so that a circuit's key is decoded, validated (G2
/// subgroup checks) and prepared (e(α, β), the lines of β, −γ, −δ, the IC tables) once, not once
/// per proof. Shared by the node's mempool and block validation.
///
/// The cache changes speed, never a verdict: it is keyed by the circuit id, which it computes
/// itself from the key bytes it is given (SHA-256(0x15 ‖ key)), and a hit is returned only when
/// the stored key bytes are those bytes, so a hit cannot return a different key. At most
/// `capacity` keys are kept; inserting beyond that evicts the least recently used one.
public final class PreparedVerifyingKeyCache: Sendable {
    /// Counts since the cache was made.
    public struct Statistics: Sendable, Equatable {
        public var hits = 0
        public var misses = 0
        public var evictions = 0
    }

    private struct Entry {
        let bytes: [UInt8]
        let key: PreparedVerifyingKey
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Hash256: Entry] = [:]
        var clock: UInt64 = 0
        var statistics = Statistics()
    }

    public let capacity: Int
    private let state = Mutex(State())

    /// The default bound: a few dozen circuits are in use on a chain at any time; one prepared key
    /// with a handful of inputs is tens of kilobytes.
    public static let defaultCapacity = 64

    public init(capacity: Int = PreparedVerifyingKeyCache.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// The prepared key for canonical key bytes (`Groth16VerifyingKey(canonicalBytes:maxPublicInputs:)`):
    /// from the cache when these exact bytes were prepared before, otherwise decoded, validated,
    /// prepared and remembered. Throws what decoding throws; a refused key is not remembered.
    public func prepared(canonicalBytes bytes: [UInt8], maxPublicInputs: Int) throws -> PreparedVerifyingKey {
        let id = HashDomain.hash(HashDomain.circuit, bytes)
        let hit: PreparedVerifyingKey? = state.withLock { s in
            guard var e = s.entries[id], e.bytes == bytes, e.key.publicInputCount <= maxPublicInputs else { return nil }
            s.clock += 1
            e.lastUse = s.clock
            s.entries[id] = e
            s.statistics.hits += 1
            return e.key
        }
        if let hit { return hit }
        // Decoding and preparing take milliseconds: done outside the lock (two threads may both
        // prepare the same key; they get equal results).
        let prepared = PreparedVerifyingKey(try Groth16VerifyingKey(canonicalBytes: bytes, maxPublicInputs: maxPublicInputs))
        state.withLock { s in
            s.statistics.misses += 1
            s.clock += 1
            if s.entries[id] == nil, s.entries.count >= capacity,
                let oldest = s.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                s.entries[oldest] = nil
                s.statistics.evictions += 1
            }
            s.entries[id] = Entry(bytes: bytes, key: prepared, lastUse: s.clock)
        }
        return prepared
    }

    /// How many keys are held (at most `capacity`).
    public var count: Int { state.withLock { $0.entries.count } }

    /// Whether the key with this circuit id is held.
    public func contains(_ circuitID: Hash256) -> Bool { state.withLock { $0.entries[circuitID] != nil } }

    public var statistics: Statistics { state.withLock { $0.statistics } }
}
