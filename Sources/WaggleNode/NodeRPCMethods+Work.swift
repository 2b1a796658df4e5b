import WaggleCore
import WaggleLedger
import WaggleRPC
import WaggleZK

// Reads of the useful-work state (circuits, datasets, models, tasks, contributions, reputation),
// each at an optional `height` and with a Merkle proof on `prove: true`, like `account`
// (Docs/RPC.md shows each method with a request and a response).

/// State as of one committed height, for the work reads: values, decoded records and proofs.
struct StateAt: Sendable {
    let store: ChainStore
    let height: UInt64
    /// Reads the latest state (no `height` given) rather than the history.
    let latest: Bool
    /// The block at `height` when proofs were asked for.
    let block: Block?
    let ledger: Ledger

    var prove: Bool { block != nil }

    func raw(_ key: StateKey) throws -> [UInt8]? {
        latest ? try store.get(key) : try store.stateValue(key, atHeight: height)
    }

    func decode<T: CanonicalDecodable>(_: T.Type, _ raw: [UInt8]?, _ what: String) throws -> T? {
        guard let raw else { return nil }
        do { return try T(canonicalBytes: raw) } catch { throw RPCError.internalError("stored \(what) is corrupt") }
    }

    /// The proof object of `account` for `key` and its value (`nil`: a proof of absence).
    func proof(_ key: StateKey, _ raw: [UInt8]?) throws -> JSONValue {
        guard let block else { return .null }
        let proof: SparseMerkleProof
        do { proof = try store.stateProof(key, atHeight: height) } catch {
            throw RPCError.heightUnavailable("no state proof for height \(height) (pruned?): \(error)")
        }
        return [
            "state_key": .string("0x" + Hex.encode(key.bytes)),
            "tree_key": .string(key.treeKey.hex),
            "value": raw.map { .string("0x" + Hex.encode($0)) } ?? .null,
            "proof": .string("0x" + Hex.encode(proof.canonicalBytes)),
            "state_root": .string(block.header.stateRoot.hex),
            "block_id": .string(block.id.hex),
            "header": .string("0x" + Hex.encode(block.header.canonicalBytes)),
        ]
    }

    /// `fields` plus `height`, and `proof` for `key` when proofs were asked for.
    func answer(_ fields: [String: JSONValue], key: StateKey, raw: [UInt8]?) throws -> JSONValue {
        var o = fields
        o["height"] = .string(String(height))
        if prove { o["proof"] = try proof(key, raw) }
        return .object(o)
    }

    /// The epoch of the queried height (reputation decays to it).
    var epoch: UInt64 { ledger.epoch(of: height) }
}

/// How one task stands for a contribution in the block after the queried height.
enum TaskStatus: String {
    case open, closed, exhausted, expired

    init(_ t: TaskRecord, height: UInt64) {
        if t.closed {
            self = .closed
        } else if t.accepted >= t.spec.maxContributions {
            self = .exhausted
        } else if height >= t.spec.deadline {
            self = .expired  // the next block, height + 1, is past the deadline
        } else {
            self = .open
        }
    }
}

extension NodeRPCMethods {
    /// Most items one page of `circuits` or `tasks` returns (`per_page`); the default is 20.
    public static let maxPerPage: UInt64 = 100
    public static let defaultPerPage: UInt64 = 20

    public var workTable: [String: JSONRPCDispatcher.Method] {
        [
            "circuit": { p in try await circuit(p) },
            "circuits": { p in try await circuits(p) },
            "dataset": { p in try await commitment(p, model: false) },
            "model": { p in try await commitment(p, model: true) },
            "task": { p in try await task(p) },
            "tasks": { p in try await tasks(p) },
            "contribution": { p in try await contribution(p) },
            "reputation": { p in try await reputation(p) },
        ]
    }

    // MARK: Params

    struct StateQuery: Sendable {
        let requested: UInt64?
        let prove: Bool
    }

    /// Refuses unknown names and reads `height` and `prove`.
    func stateQuery(_ p: RPCParams, _ names: Set<String>) throws(RPCError) -> StateQuery {
        try p.only(names.union(["height", "prove"]))
        let prove = try p.map { r throws(JSONFieldError) in try r.optionalField("prove")?.bool() ?? false }
        let requested = try p.map { r throws(JSONFieldError) in try r.optionalField("height")?.uint64() }
        return StateQuery(requested: requested, prove: prove)
    }

    /// `page` (from 1) and `per_page` (1 to `maxPerPage`).
    func paging(_ p: RPCParams) throws(RPCError) -> (page: UInt64, perPage: UInt64) {
        let page = try p.map { r throws(JSONFieldError) in try r.uint64("page", default: 1) }
        let perPage = try p.map { r throws(JSONFieldError) in try r.uint64("per_page", default: Self.defaultPerPage) }
        guard page >= 1 else { throw .invalidParams("params.page: pages are numbered from 1") }
        guard perPage >= 1, perPage <= Self.maxPerPage else {
            throw .invalidParams("params.per_page: expected 1 to \(Self.maxPerPage), got \(perPage)")
        }
        guard page <= UInt64.max / perPage else { throw .invalidParams("params.page: \(page) is too large") }
        return (page, perPage)
    }

    /// Runs `body` over the state of the requested height (default: the latest).
    func readState<T: Sendable>(_ q: StateQuery, _ body: @escaping @Sendable (StateAt) throws -> T) async throws(RPCError) -> T {
        let initial = chain.genesis.initialHeight
        let ledger = chain.ledger
        let head = try await read { _, head in head.height }
        let height = q.requested ?? head
        guard height <= head else { throw RPCError.heightUnavailable("height \(height) is above the latest height \(head)") }
        guard height >= initial else {
            if q.prove { throw RPCError.heightUnavailable("proofs are served for committed blocks only") }
            // Genesis state (before the first block, or asked for), on the chain queue.
            return try await read { store, _ in
                try body(StateAt(store: store, height: height, latest: q.requested == nil, block: nil, ledger: ledger))
            }
        }
        // The state of a committed height never changes, so the reads (scans of every task,
        // whole-block decodes for proofs) run on the concurrent committed-reads queue and never
        // delay block production, which the chain queue serves.
        return try await readCommitted { store in
            var block: Block?
            if q.prove {
                guard let b = try store.block(at: height) else { throw RPCError.heightUnavailable("block \(height) is not stored") }
                block = b
            }
            return try body(StateAt(store: store, height: height, latest: false, block: block, ledger: ledger))
        }
    }

    // MARK: Views

    static func circuitView(_ id: Hash256, _ c: CircuitRecord) throws -> [String: JSONValue] {
        let key: Groth16VerifyingKey
        do { key = try Groth16VerifyingKey(canonicalBytes: c.verifyingKey, maxPublicInputs: UsefulWorkLimits.maxPublicInputs) } catch {
            throw RPCError.internalError("stored verifying key of circuit \(id) does not decode")
        }
        return [
            "id": .string(id.hex),
            "name": .string(c.name),
            "binding_input": .uint(UInt64(c.bindingInput)),
            "approved": .bool(c.approved),
            "registrant": c.registrant.map { .string($0.hex) } ?? .null,
            "registered_height": JSONView.u64(c.height),
            "verifying_key": ["bytes": .uint(UInt64(c.verifyingKey.count)), "public_inputs": .uint(UInt64(key.publicInputCount))],
        ]
    }

    static func taskView(_ id: UInt64, _ t: TaskRecord, height: UInt64) -> [String: JSONValue] {
        let s = t.spec
        let split = Ledger.rewardSplit(
            reward: s.reward, dataShareBps: s.dataShareBps, modelShareBps: s.modelShareBps, hasDataset: s.dataset != nil,
            hasModel: s.model != nil)
        return [
            "id": JSONView.u64(id),
            "sponsor": .string(t.sponsor.hex),
            "circuit": .string(s.circuit.hex),
            "dataset": s.dataset.map(JSONView.u64) ?? .null,
            "model": s.model.map(JSONView.u64) ?? .null,
            "fixed_inputs": .array(s.fixedInputs.map { ["index": .uint(UInt64($0.index)), "value": .string($0.value.description)] }),
            "reward": JSONView.u64(s.reward),
            "data_share_bps": .uint(UInt64(s.dataShareBps)),
            "model_share_bps": .uint(UInt64(s.modelShareBps)),
            "reward_split": ["data": JSONView.u64(split.data), "model": JSONView.u64(split.model), "contributor": JSONView.u64(split.contributor)],
            "reputation_credit": JSONView.u64(s.reputationCredit),
            "pool": JSONView.u64(t.pool),
            "accepted": .uint(UInt64(t.accepted)),
            "max_contributions": .uint(UInt64(s.maxContributions)),
            "remaining": .uint(UInt64(s.maxContributions - min(t.accepted, s.maxContributions))),
            "deadline": JSONView.u64(s.deadline),
            "created_height": JSONView.u64(t.height),
            "status": .string(TaskStatus(t, height: height).rawValue),
        ]
    }

    // MARK: Methods

    func circuit(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let q = try stateQuery(p, ["id"])
        let id = try p.map { r throws(JSONFieldError) in try r.field("id").hash() }
        return try await readState(q) { s in
            let key = StateKey.circuit(id)
            let raw = try s.raw(key)
            guard let c = try s.decode(CircuitRecord.self, raw, "circuit") else { throw RPCError.notFound("circuit \(id)") }
            return try s.answer(try Self.circuitView(id, c), key: key, raw: raw)
        }
    }

    func circuits(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let q = try stateQuery(p, ["page", "per_page"])
        let (page, perPage) = try paging(p)
        return try await readState(q) { s in
            // Circuits are never removed, so the latest keys cover every earlier height; a key
            // without a value at the queried height was registered later.
            var present: [(StateKey, [UInt8])] = []
            for key in try s.store.stateKeys(namespace: .circuit) {
                if let raw = try s.raw(key) { present.append((key, raw)) }
            }
            let start = (page - 1) * perPage
            var items: [JSONValue] = []
            if start < UInt64(present.count) {
                for (key, raw) in present[Int(start)..<min(present.count, Int(start + perPage))] {
                    guard let id = Hash256(Array(key.bytes.dropFirst())), let c = try s.decode(CircuitRecord.self, raw, "circuit") else {
                        throw RPCError.internalError("stored circuit key is corrupt")
                    }
                    var o = try Self.circuitView(id, c)
                    if s.prove { o["proof"] = try s.proof(key, raw) }
                    items.append(.object(o))
                }
            }
            return [
                "height": .string(String(s.height)), "page": .uint(page), "per_page": .uint(perPage),
                "total": .uint(UInt64(present.count)), "circuits": .array(items),
            ]
        }
    }

    func commitment(_ p: RPCParams, model: Bool) async throws(RPCError) -> JSONValue {
        let q = try stateQuery(p, ["id"])
        let id = try p.map { r throws(JSONFieldError) in try r.field("id").uint64() }
        let what = model ? "model" : "dataset"
        return try await readState(q) { s in
            let key = model ? StateKey.model(id) : StateKey.dataset(id)
            let raw = try s.raw(key)
            guard let c = try s.decode(CommitmentRecord.self, raw, what) else { throw RPCError.notFound("\(what) \(id)") }
            var o: [String: JSONValue] = [
                "id": JSONView.u64(id), "owner": .string(c.owner.hex), "commitment": .string(c.commitment.description),
                "name": .string(c.name), "registered_height": JSONView.u64(c.height),
            ]
            if !model { o["samples"] = JSONView.u64(c.samples) }
            return try s.answer(o, key: key, raw: raw)
        }
    }

    func task(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let q = try stateQuery(p, ["id"])
        let id = try p.map { r throws(JSONFieldError) in try r.field("id").uint64() }
        return try await readState(q) { s in
            let key = StateKey.task(id)
            let raw = try s.raw(key)
            guard let t = try s.decode(TaskRecord.self, raw, "task") else { throw RPCError.notFound("task \(id)") }
            return try s.answer(Self.taskView(id, t, height: s.height), key: key, raw: raw)
        }
    }

    func tasks(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let q = try stateQuery(p, ["page", "per_page", "open"])
        let (page, perPage) = try paging(p)
        let openOnly = try p.map { r throws(JSONFieldError) in try r.optionalField("open")?.bool() ?? false }
        return try await readState(q) { s in
            let counters = try s.decode(WorkCounters.self, try s.raw(.workCounters), "work counters") ?? WorkCounters()
            let count = counters.nextTask - 1  // ids 1 ... count
            let start = (page - 1) * perPage
            var items: [JSONValue] = []
            var total: UInt64 = 0
            func add(_ id: UInt64, _ t: TaskRecord, _ raw: [UInt8]) throws {
                var o = Self.taskView(id, t, height: s.height)
                if s.prove { o["proof"] = try s.proof(.task(id), raw) }
                items.append(.object(o))
            }
            if openOnly {
                // Every task is read to find the open ones.
                var id: UInt64 = 1
                while id <= count {
                    if let raw = try s.raw(.task(id)), let t = try s.decode(TaskRecord.self, raw, "task"), TaskStatus(t, height: s.height) == .open {
                        if total >= start, total < start + perPage { try add(id, t, raw) }
                        total += 1
                    }
                    id += 1
                }
            } else {
                total = count
                var id = start + 1
                while id <= count, id <= start + perPage {
                    guard let raw = try s.raw(.task(id)), let t = try s.decode(TaskRecord.self, raw, "task") else {
                        throw RPCError.internalError("task \(id) is missing from state")
                    }
                    try add(id, t, raw)
                    id += 1
                }
            }
            return [
                "height": .string(String(s.height)), "page": .uint(page), "per_page": .uint(perPage), "total": .uint(total),
                "tasks": .array(items),
            ]
        }
    }

    func contribution(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let q = try stateQuery(p, ["task", "index", "hash"])
        let byHash = try p.map { r throws(JSONFieldError) in try r.optionalField("hash")?.hash() }
        let hasTask = try p.optional("task") != nil, hasIndex = try p.optional("index") != nil
        if byHash != nil, hasTask || hasIndex { throw .invalidParams("give either task and index, or hash, not both") }
        let task = byHash != nil ? nil : try p.map { r throws(JSONFieldError) in try r.field("task").uint64() }
        let index = byHash != nil ? nil : try p.map { r throws(JSONFieldError) in try r.field("index").uint32() }
        return try await readState(q) { s in
            var key: StateKey
            // By hash: the 0x10 entry that maps the statement to the index, proved too, so a
            // node cannot answer with another contribution of the task.
            var indexEntry: (key: StateKey, raw: [UInt8]?)?
            if let task, let index {
                key = .contribution(task: task, index: index)
            } else if let hash = byHash {
                // The transaction's task and public inputs name the contribution's index.
                guard let loc = try s.store.txLocation(hash), loc.height <= s.height, let b = try s.store.block(at: loc.height),
                    Int(loc.index) < b.transactions.count
                else { throw RPCError.notFound("transaction \(hash) at height \(s.height)") }
                guard case .contribute(let task, _, let inputs) = b.transactions[Int(loc.index)].body else {
                    throw RPCError.notFound("transaction \(hash) is not a contribution")
                }
                guard let t = try s.decode(TaskRecord.self, try s.raw(.task(task)), "task"),
                    let circuit = try s.decode(CircuitRecord.self, try s.raw(.circuit(t.spec.circuit)), "circuit")
                else { throw RPCError.notFound("the task of transaction \(hash)") }
                let indexKey = StateKey.contributionInputs(
                    task: task, inputsHash: Ledger.inputsHash(inputs, bindingInput: circuit.bindingInput))
                let indexRaw = try s.raw(indexKey)
                guard let index = try s.decode(UInt32.self, indexRaw, "contribution index") else {
                    throw RPCError.notFound("contribution of transaction \(hash)")
                }
                key = .contribution(task: task, index: index)
                indexEntry = (indexKey, indexRaw)
            } else {
                throw RPCError.invalidParams("give task and index, or hash")
            }
            let raw = try s.raw(key)
            guard let c = try s.decode(ContributionRecord.self, raw, "contribution") else {
                throw RPCError.notFound("contribution \(index.map(String.init) ?? "?") of task \(task.map(String.init) ?? "?")")
            }
            var fields: [String: JSONValue] = [
                "task": JSONView.u64(c.task), "index": .uint(UInt64(c.index)), "contributor": .string(c.contributor.hex),
                "inputs_hash": .string(c.inputsHash.hex), "included_height": JSONView.u64(c.height),
            ]
            if s.prove, let indexEntry { fields["index_proof"] = try s.proof(indexEntry.key, indexEntry.raw) }
            return try s.answer(fields, key: key, raw: raw)
        }
    }

    func reputation(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let q = try stateQuery(p, ["address"])
        let address = try p.map { r throws(JSONFieldError) in try r.field("address").address() }
        return try await readState(q) { s in
            let key = StateKey.account(address)
            let raw = try s.raw(key)
            let stored = try s.decode(Account.self, raw, "account")?.reputation ?? ReputationRecord()
            let gainKey = StateKey.reputationGain(address)
            let gainRaw = try s.raw(gainKey)
            let gain = try s.decode(ReputationGain.self, gainRaw, "reputation gain")
            let epoch = s.epoch
            let used = gain.map { $0.epoch == epoch ? $0.gained : 0 } ?? 0
            let cap = s.ledger.params.maxReputationGainPerEpoch
            let points = s.ledger.reputation(stored, atEpoch: epoch).points
            // What a credit this epoch could still add: the per-epoch cap and R_max both bound it.
            let roomUnderMax = s.ledger.params.maxReputation - min(points, s.ledger.params.maxReputation)
            var o: [String: JSONValue] = [
                "address": .string(address.hex),
                "points": JSONView.u64(points),
                "epoch": JSONView.u64(epoch),
                "stored_points": JSONView.u64(stored.points),
                "last_update_epoch": JSONView.u64(stored.lastEpoch),
                "gain_this_epoch": JSONView.u64(used),
                "gain_left_this_epoch": JSONView.u64(min(cap - min(used, cap), roomUnderMax)),
                "last_gain_epoch": gain.map { JSONView.u64($0.epoch) } ?? .null,
            ]
            if s.prove { o["gain_proof"] = try s.proof(gainKey, gainRaw) }
            return try s.answer(o, key: key, raw: raw)
        }
    }

    /// Stake, operator and operator reputation of each validator in `set`, from the state of
    /// `height` (nil when that state was pruned).
    static func validatorDetails(_ set: ValidatorSet, store: ChainStore, height: UInt64, latest: Bool, ledger: Ledger) throws -> [Address: JSONValue]? {
        let at = StateAt(store: store, height: height, latest: latest, block: nil, ledger: ledger)
        var out: [Address: JSONValue] = [:]
        for v in set.validators {
            let raw: [UInt8]?
            do { raw = try at.raw(.validator(v.address)) } catch let e as NodeError where e.code == .pruned { return nil }
            guard let r = try at.decode(ValidatorRecord.self, raw, "validator") else { continue }
            let acct = try at.decode(Account.self, try at.raw(.account(r.operator)), "account")
            let rep = ledger.reputation(acct?.reputation ?? ReputationRecord(), atEpoch: at.epoch).points
            out[v.address] = ["stake": JSONView.u64(r.totalBond), "operator": .string(r.operator.hex), "reputation": JSONView.u64(rep)]
        }
        return out
    }
}
