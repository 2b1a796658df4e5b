/// What a transaction does. The one-byte tag is part of the signed encoding; new kinds take new
/// tags and old tags never change meaning.
public enum TransactionBody: Hashable, Sendable, CanonicalCodable {
    /// Move `amount` from the sender to `to`.
    case transfer(to: Address, amount: UInt64)
    /// Register a validator with consensus key `publicKey`, bonding `selfBond` from the sender.
    case createValidator(publicKey: PublicKey, selfBond: UInt64)
    /// Bond `amount` of the sender's balance to `validator`.
    case bond(validator: Address, amount: UInt64)
    /// Start unbonding `amount` of the sender's bond from `validator`; the amount returns to the
    /// sender's balance after the unbonding period.
    case unbond(validator: Address, amount: UInt64)
    /// Register a Groth16 circuit: its verifying key in canonical binary (Docs/PROTOCOL.md), the
    /// index of its binding public input, a name. The circuit id is SHA-256(0x15 ‖ key).
    case registerCircuit(verifyingKey: [UInt8], bindingInput: UInt32, name: String)
    /// A validator operator's vote to approve a registered circuit (counted at epoch boundaries).
    case approveCircuit(circuit: Hash256)
    /// Record a dataset commitment (a field element), its sample count and a name; the sender owns it.
    case registerDataset(commitment: ScalarBytes, samples: UInt64, name: String)
    /// Record a model commitment (a field element) and a name; the sender owns it.
    case commitModel(commitment: ScalarBytes, name: String)
    /// Create a task and escrow `reward × maxContributions` from the sender (the sponsor).
    case createTask(TaskSpec)
    /// Close a task after its deadline or once exhausted; what is left returns to the sponsor.
    case closeTask(task: UInt64)
    /// Submit a contribution: a 256-byte canonical Groth16 proof and its public inputs.
    case contribute(task: UInt64, proof: [UInt8], publicInputs: [ScalarBytes])
    /// Bring the sender's jailed validator back after its jail period.
    case unjail(validator: Address)

    public enum Tag: UInt8, Sendable {
        case transfer = 0x01
        case createValidator = 0x02
        case bond = 0x03
        case unbond = 0x04
        case registerCircuit = 0x05
        case approveCircuit = 0x06
        case registerDataset = 0x07
        case commitModel = 0x08
        case createTask = 0x09
        case closeTask = 0x0A
        case contribute = 0x0B
        case unjail = 0x0C
    }

    public var tag: Tag {
        switch self {
        case .transfer: .transfer
        case .createValidator: .createValidator
        case .bond: .bond
        case .unbond: .unbond
        case .registerCircuit: .registerCircuit
        case .approveCircuit: .approveCircuit
        case .registerDataset: .registerDataset
        case .commitModel: .commitModel
        case .createTask: .createTask
        case .closeTask: .closeTask
        case .contribute: .contribute
        case .unjail: .unjail
        }
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u8(tag.rawValue)
        switch self {
        case .transfer(let to, let amount):
            e.encode(to)
            e.u64(amount)
        case .createValidator(let pk, let bond):
            e.encode(pk)
            e.u64(bond)
        case .bond(let v, let amount), .unbond(let v, let amount):
            e.encode(v)
            e.u64(amount)
        case .registerCircuit(let key, let binding, let name):
            e.bytes(key)
            e.u32(binding)
            e.string(name)
        case .approveCircuit(let circuit):
            e.encode(circuit)
        case .registerDataset(let commitment, let samples, let name):
            e.encode(commitment)
            e.u64(samples)
            e.string(name)
        case .commitModel(let commitment, let name):
            e.encode(commitment)
            e.string(name)
        case .createTask(let spec):
            e.encode(spec)
        case .closeTask(let task):
            e.u64(task)
        case .contribute(let task, let proof, let inputs):
            e.u64(task)
            e.fixed(proof)
            e.list(inputs)
        case .unjail(let validator):
            e.encode(validator)
        }
    }

    public init(from d: inout CanonicalDecoder) throws {
        let raw = try d.u8()
        guard let tag = Tag(rawValue: raw) else { throw CodecError(.unknownTag, "unknown transaction type \(raw)") }
        switch tag {
        case .transfer: self = .transfer(to: try d.decode(), amount: try d.u64())
        case .createValidator: self = .createValidator(publicKey: try d.decode(), selfBond: try d.u64())
        case .bond: self = .bond(validator: try d.decode(), amount: try d.u64())
        case .unbond: self = .unbond(validator: try d.decode(), amount: try d.u64())
        case .registerCircuit:
            self = .registerCircuit(
                verifyingKey: try d.bytes(maxLength: UsefulWorkLimits.maxVerifyingKeyBytes), bindingInput: try d.u32(),
                name: try UsefulWorkLimits.name(&d))
        case .approveCircuit: self = .approveCircuit(circuit: try d.decode())
        case .registerDataset:
            self = .registerDataset(commitment: try d.decode(), samples: try d.u64(), name: try UsefulWorkLimits.name(&d))
        case .commitModel: self = .commitModel(commitment: try d.decode(), name: try UsefulWorkLimits.name(&d))
        case .createTask: self = .createTask(try d.decode())
        case .closeTask: self = .closeTask(task: try d.u64())
        case .contribute:
            self = .contribute(
                task: try d.u64(), proof: try d.fixed(UsefulWorkLimits.proofBytes),
                publicInputs: try d.list(ScalarBytes.self, maxCount: UsefulWorkLimits.maxPublicInputs))
        case .unjail: self = .unjail(validator: try d.decode())
        }
    }
}

/// What a sponsor asks for in `create_task` (../shared/DESIGN.md, "Tasks").
public struct TaskSpec: Hashable, Sendable, CanonicalCodable {
    /// The circuit whose proofs the task accepts.
    public var circuit: Hash256
    public var dataset: UInt64?
    public var model: UInt64?
    /// Public inputs every contribution must carry, by index, strictly ascending.
    public var fixedInputs: [FixedInput]
    /// Paid from the pool per accepted contribution.
    public var reward: UInt64
    /// Shares of each reward, in basis points, for the dataset owner and the model owner; the
    /// contributor gets the rest.
    public var dataShareBps: UInt16
    public var modelShareBps: UInt16
    public var maxContributions: UInt32
    /// Reputation points credited per accepted contribution (approved circuits only).
    public var reputationCredit: UInt64
    /// Last height at which a contribution is accepted.
    public var deadline: UInt64

    public init(
        circuit: Hash256, dataset: UInt64? = nil, model: UInt64? = nil, fixedInputs: [FixedInput] = [], reward: UInt64,
        dataShareBps: UInt16 = 0, modelShareBps: UInt16 = 0, maxContributions: UInt32, reputationCredit: UInt64, deadline: UInt64
    ) {
        self.circuit = circuit
        self.dataset = dataset
        self.model = model
        self.fixedInputs = fixedInputs
        self.reward = reward
        self.dataShareBps = dataShareBps
        self.modelShareBps = modelShareBps
        self.maxContributions = maxContributions
        self.reputationCredit = reputationCredit
        self.deadline = deadline
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(circuit)
        e.optional(dataset)
        e.optional(model)
        e.list(fixedInputs)
        e.u64(reward)
        e.u16(dataShareBps)
        e.u16(modelShareBps)
        e.u32(maxContributions)
        e.u64(reputationCredit)
        e.u64(deadline)
    }

    public init(from d: inout CanonicalDecoder) throws {
        circuit = try d.decode()
        dataset = try d.optional(UInt64.self)
        model = try d.optional(UInt64.self)
        fixedInputs = try d.list(FixedInput.self, maxCount: UsefulWorkLimits.maxPublicInputs)
        for i in fixedInputs.indices.dropFirst() where !(fixedInputs[i - 1].index < fixedInputs[i].index) {
            throw CodecError(.nonCanonical, "fixed inputs are not in strictly ascending index order")
        }
        reward = try d.u64()
        dataShareBps = try d.u16()
        modelShareBps = try d.u16()
        maxContributions = try d.u32()
        reputationCredit = try d.u64()
        deadline = try d.u64()
    }
}

/// A signed transaction. The signature covers
/// `tx_domain || chain_id || sender || nonce || fee || body` (Docs/PROTOCOL.md), and the
/// transaction hash is SHA-256(0x11 || canonical bytes), signature included.
public struct Transaction: Hashable, Sendable, CanonicalCodable {
    /// Upper bound on an encoded transaction accepted anywhere (mempool, blocks, RPC).
    public static let maxEncodedSize = 128 * 1024

    public var sender: PublicKey
    public var nonce: UInt64
    public var fee: UInt64
    public var body: TransactionBody
    public var signature: Signature

    public init(sender: PublicKey, nonce: UInt64, fee: UInt64, body: TransactionBody, signature: Signature) {
        self.sender = sender
        self.nonce = nonce
        self.fee = fee
        self.body = body
        self.signature = signature
    }

    public var senderAddress: Address { sender.address }

    public static func signBytes(chainID: String, sender: PublicKey, nonce: UInt64, fee: UInt64, body: TransactionBody) -> [UInt8] {
        var e = SignDomain.transaction.prefix(chainID: chainID)
        e.encode(sender)
        e.u64(nonce)
        e.u64(fee)
        e.encode(body)
        return e.bytes
    }

    public func signBytes(chainID: String) -> [UInt8] {
        Self.signBytes(chainID: chainID, sender: sender, nonce: nonce, fee: fee, body: body)
    }

    public static func sign(chainID: String, signer: Signer, nonce: UInt64, fee: UInt64, body: TransactionBody) -> Transaction {
        let sig = signer.sign(signBytes(chainID: chainID, sender: signer.publicKey, nonce: nonce, fee: fee, body: body))
        return Transaction(sender: signer.publicKey, nonce: nonce, fee: fee, body: body, signature: sig)
    }

    public func verifySignature(chainID: String) -> Bool {
        sender.verify(signature, over: signBytes(chainID: chainID))
    }

    public var hash: Hash256 { HashDomain.hash(HashDomain.transaction, canonicalBytes) }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(sender)
        e.u64(nonce)
        e.u64(fee)
        e.encode(body)
        e.encode(signature)
    }

    public init(from d: inout CanonicalDecoder) throws {
        sender = try d.decode()
        nonce = try d.u64()
        fee = try d.u64()
        body = try d.decode()
        signature = try d.decode()
    }
}
