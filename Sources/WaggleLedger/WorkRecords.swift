import WaggleCore

/// A registered Groth16 circuit (state key `0x09 ‖ circuit id`).
public struct CircuitRecord: Hashable, Sendable, CanonicalCodable {
    /// The verifying key in canonical binary (Docs/PROTOCOL.md); its id is SHA-256(0x15 ‖ key).
    public var verifyingKey: [UInt8]
    /// Index of the public input that must equal Poseidon(sender, task id, nonce).
    public var bindingInput: UInt32
    public var name: String
    /// Only approved circuits earn reputation.
    public var approved: Bool
    /// The account that registered it; nil for a genesis circuit.
    public var registrant: Address?
    /// The height it was registered at (initial_height − 1 for genesis).
    public var height: UInt64

    public init(verifyingKey: [UInt8], bindingInput: UInt32, name: String, approved: Bool, registrant: Address?, height: UInt64) {
        self.verifyingKey = verifyingKey
        self.bindingInput = bindingInput
        self.name = name
        self.approved = approved
        self.registrant = registrant
        self.height = height
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.bytes(verifyingKey)
        e.u32(bindingInput)
        e.string(name)
        e.bool(approved)
        e.optional(registrant)
        e.u64(height)
    }

    public init(from d: inout CanonicalDecoder) throws {
        verifyingKey = try d.bytes(maxLength: UsefulWorkLimits.maxVerifyingKeyBytes)
        bindingInput = try d.u32()
        name = try d.string(maxLength: UsefulWorkLimits.maxNameBytes)
        approved = try d.bool()
        registrant = try d.optional(Address.self)
        height = try d.u64()
    }
}

/// A committed dataset (`0x0C ‖ id`) or model (`0x0D ‖ id`; `samples` is 0 for a model).
public struct CommitmentRecord: Hashable, Sendable, CanonicalCodable {
    public var owner: Address
    public var commitment: ScalarBytes
    public var samples: UInt64
    public var name: String
    public var height: UInt64

    public init(owner: Address, commitment: ScalarBytes, samples: UInt64, name: String, height: UInt64) {
        self.owner = owner
        self.commitment = commitment
        self.samples = samples
        self.name = name
        self.height = height
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(owner)
        e.encode(commitment)
        e.u64(samples)
        e.string(name)
        e.u64(height)
    }

    public init(from d: inout CanonicalDecoder) throws {
        owner = try d.decode()
        commitment = try d.decode()
        samples = try d.u64()
        name = try d.string(maxLength: UsefulWorkLimits.maxNameBytes)
        height = try d.u64()
    }
}

/// A task (`0x0E ‖ id`): its spec, the pool left in escrow, how many contributions it accepted.
public struct TaskRecord: Hashable, Sendable, CanonicalCodable {
    public var sponsor: Address
    public var spec: TaskSpec
    /// Tokens still in escrow (part of the total supply).
    public var pool: UInt64
    public var accepted: UInt32
    public var closed: Bool
    public var height: UInt64

    public init(sponsor: Address, spec: TaskSpec, pool: UInt64, accepted: UInt32, closed: Bool, height: UInt64) {
        self.sponsor = sponsor
        self.spec = spec
        self.pool = pool
        self.accepted = accepted
        self.closed = closed
        self.height = height
    }

    /// Whether a contribution at `height` may be accepted.
    public func isOpen(at height: UInt64) -> Bool { !closed && height <= spec.deadline && accepted < spec.maxContributions }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(sponsor)
        e.encode(spec)
        e.u64(pool)
        e.u32(accepted)
        e.bool(closed)
        e.u64(height)
    }

    public init(from d: inout CanonicalDecoder) throws {
        sponsor = try d.decode()
        spec = try d.decode()
        pool = try d.u64()
        accepted = try d.u32()
        closed = try d.bool()
        height = try d.u64()
    }
}

/// An accepted contribution (`0x0F ‖ task ‖ index`).
public struct ContributionRecord: Hashable, Sendable, CanonicalCodable {
    public var task: UInt64
    public var index: UInt32
    public var contributor: Address
    public var height: UInt64
    /// SHA-256(0x17 ‖ list<public input>).
    public var inputsHash: Hash256

    public init(task: UInt64, index: UInt32, contributor: Address, height: UInt64, inputsHash: Hash256) {
        self.task = task
        self.index = index
        self.contributor = contributor
        self.height = height
        self.inputsHash = inputsHash
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(task)
        e.u32(index)
        e.encode(contributor)
        e.u64(height)
        e.encode(inputsHash)
    }

    public init(from d: inout CanonicalDecoder) throws {
        task = try d.u64()
        index = try d.u32()
        contributor = try d.decode()
        height = try d.u64()
        inputsHash = try d.decode()
    }
}

/// Reputation an account gained in epoch `epoch` (`0x11 ‖ address`), for the per-epoch cap.
public struct ReputationGain: Hashable, Sendable, CanonicalCodable {
    public var epoch: UInt64
    public var gained: UInt64

    public init(epoch: UInt64, gained: UInt64) {
        self.epoch = epoch
        self.gained = gained
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(epoch)
        e.u64(gained)
    }

    public init(from d: inout CanonicalDecoder) throws {
        epoch = try d.u64()
        gained = try d.u64()
    }
}

/// The next ids to assign (`0x07 0x02`); ids start at 1.
public struct WorkCounters: Hashable, Sendable, CanonicalCodable {
    public var nextDataset: UInt64
    public var nextModel: UInt64
    public var nextTask: UInt64

    public init(nextDataset: UInt64 = 1, nextModel: UInt64 = 1, nextTask: UInt64 = 1) {
        self.nextDataset = nextDataset
        self.nextModel = nextModel
        self.nextTask = nextTask
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(nextDataset)
        e.u64(nextModel)
        e.u64(nextTask)
    }

    public init(from d: inout CanonicalDecoder) throws {
        nextDataset = try d.u64()
        nextModel = try d.u64()
        nextTask = try d.u64()
    }
}

/// A circuit waiting for approval and the epoch of its first approval.
public struct PendingApproval: Hashable, Sendable, CanonicalCodable {
    public var circuit: Hash256
    public var sinceEpoch: UInt64

    public init(circuit: Hash256, sinceEpoch: UInt64) {
        self.circuit = circuit
        self.sinceEpoch = sinceEpoch
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(circuit)
        e.u64(sinceEpoch)
    }

    public init(from d: inout CanonicalDecoder) throws {
        circuit = try d.decode()
        sinceEpoch = try d.u64()
    }
}

/// The circuits waiting for approval (`0x0B`), sorted by circuit id, at most
/// `UsefulWorkLimits.maxPendingApprovals`.
public struct PendingApprovals: Hashable, Sendable, CanonicalCodable {
    public var entries: [PendingApproval]

    public init(_ entries: [PendingApproval] = []) { self.entries = entries }

    public func contains(_ id: Hash256) -> Bool { entries.contains { $0.circuit == id } }

    /// Adds `id` first approved in `epoch`, keeping the order; no change if it is there.
    public mutating func insert(_ id: Hash256, epoch: UInt64) {
        let i = entries.firstIndex { !($0.circuit < id) } ?? entries.count
        if i < entries.count, entries[i].circuit == id { return }
        entries.insert(PendingApproval(circuit: id, sinceEpoch: epoch), at: i)
    }

    public func encode(to e: inout CanonicalEncoder) { e.list(entries) }

    public init(from d: inout CanonicalDecoder) throws {
        entries = try d.list(PendingApproval.self, maxCount: UsefulWorkLimits.maxPendingApprovals)
        for i in entries.indices.dropFirst() where !(entries[i - 1].circuit < entries[i].circuit) {
            throw CodecError(.nonCanonical, "pending approvals are not strictly sorted")
        }
    }
}

/// Commits included in blocks of `epoch` whose set held the validator (`expected`) and how many
/// of them it signed (`0x12 ‖ validator`).
public struct LivenessRecord: Hashable, Sendable, CanonicalCodable {
    public var epoch: UInt64
    public var signed: UInt64
    public var expected: UInt64

    public init(epoch: UInt64, signed: UInt64, expected: UInt64) {
        self.epoch = epoch
        self.signed = signed
        self.expected = expected
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u64(epoch)
        e.u64(signed)
        e.u64(expected)
    }

    public init(from d: inout CanonicalDecoder) throws {
        epoch = try d.u64()
        signed = try d.u64()
        expected = try d.u64()
    }
}
