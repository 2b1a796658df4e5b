import WaggleCore
import WaggleLedger

/// The JSON shapes of chain objects at the RPC edge (Docs/RPC.md). Integers that can exceed 2^53
/// are decimal strings; bytes are 0x-prefixed hex.
public enum JSONView {
    static func u64(_ v: UInt64) -> JSONValue { .string(String(v)) }

    public static func header(_ h: Header) -> JSONValue {
        [
            "version": .uint(UInt64(h.version)),
            "chain_id": .string(h.chainID),
            "height": u64(h.height),
            "time": .string(Timestamp.formatRFC3339(ms: h.timeMs)),
            "time_ms": .string(String(h.timeMs)),
            "last_block_id": .string(h.lastBlockID.hex),
            "last_commit_hash": .string(h.lastCommitHash.hex),
            "transactions_root": .string(h.transactionsRoot.hex),
            "state_root": .string(h.stateRoot.hex),
            "validators_hash": .string(h.validatorsHash.hex),
            "next_validators_hash": .string(h.nextValidatorsHash.hex),
            "proposer": .string(h.proposer.hex),
            "evidence_root": .string(h.evidenceRoot.hex),
        ]
    }

    public static func transaction(_ tx: Transaction) -> JSONValue {
        var body: [String: JSONValue]
        switch tx.body {
        case .transfer(let to, let amount): body = ["type": "transfer", "to": .string(to.hex), "amount": u64(amount)]
        case .createValidator(let pk, let bond): body = ["type": "create_validator", "pub_key": .string(pk.hex), "self_bond": u64(bond)]
        case .bond(let v, let amount): body = ["type": "bond", "validator": .string(v.hex), "amount": u64(amount)]
        case .unbond(let v, let amount): body = ["type": "unbond", "validator": .string(v.hex), "amount": u64(amount)]
        case .registerCircuit(let key, let binding, let name):
            body = [
                "type": "register_circuit", "circuit": .string(HashDomain.hash(HashDomain.circuit, key).hex),
                "verifying_key": .string("0x" + Hex.encode(key)), "binding_input": .uint(UInt64(binding)), "name": .string(name),
            ]
        case .approveCircuit(let id): body = ["type": "approve_circuit", "circuit": .string(id.hex)]
        case .registerDataset(let c, let samples, let name):
            body = ["type": "register_dataset", "commitment": .string(c.description), "samples": u64(samples), "name": .string(name)]
        case .commitModel(let c, let name): body = ["type": "commit_model", "commitment": .string(c.description), "name": .string(name)]
        case .createTask(let t):
            body = [
                "type": "create_task", "circuit": .string(t.circuit.hex), "dataset": t.dataset.map(u64) ?? .null,
                "model": t.model.map(u64) ?? .null,
                "fixed_inputs": .array(t.fixedInputs.map { ["index": .uint(UInt64($0.index)), "value": .string($0.value.description)] }),
                "reward": u64(t.reward), "data_share_bps": .uint(UInt64(t.dataShareBps)), "model_share_bps": .uint(UInt64(t.modelShareBps)),
                "max_contributions": .uint(UInt64(t.maxContributions)), "reputation_credit": u64(t.reputationCredit),
                "deadline": u64(t.deadline),
            ]
        case .closeTask(let id): body = ["type": "close_task", "task": u64(id)]
        case .contribute(let id, let proof, let inputs):
            body = [
                "type": "contribute", "task": u64(id), "proof": .string("0x" + Hex.encode(proof)),
                "public_inputs": .array(inputs.map { .string($0.description) }),
            ]
        case .unjail(let v): body = ["type": "unjail", "validator": .string(v.hex)]
        }
        return [
            "hash": .string(tx.hash.hex),
            "sender": .string(tx.senderAddress.hex),
            "sender_pub_key": .string(tx.sender.hex),
            "nonce": u64(tx.nonce),
            "fee": u64(tx.fee),
            "body": .object(body),
            "signature": .string(tx.signature.hex),
        ]
    }

    public static func commit(_ c: Commit, validators: ValidatorSet?) -> JSONValue {
        let sigs: [JSONValue] = c.signatures.enumerated().map { i, s in
            var o: [String: JSONValue] = [:]
            if let validators, i < validators.count { o["validator"] = .string(validators.validators[i].address.hex) }
            switch s {
            case .absent: o["flag"] = "absent"
            case .commit(let sig): o["flag"] = "commit"; o["signature"] = .string(sig.hex)
            case .nil(let sig): o["flag"] = "nil"; o["signature"] = .string(sig.hex)
            }
            return .object(o)
        }
        return [
            "height": u64(c.height), "round": .uint(UInt64(c.round)), "block_id": .string(c.blockID.hex),
            "signatures": .array(sigs), "encoded": .string("0x" + Hex.encode(c.canonicalBytes)),
        ]
    }

    public static func block(_ b: Block) -> JSONValue {
        [
            "block_id": .string(b.id.hex),
            "header": header(b.header),
            "transactions": .array(b.transactions.map(transaction)),
            "evidence": .array(
                b.evidence.map {
                    .object(["validator": .string($0.validator.hex), "height": u64($0.height), "hash": .string($0.hash.hex)])
                }),
            "last_commit": b.lastCommit.map { commit($0, validators: nil) } ?? .null,
            "encoded": .string("0x" + Hex.encode(b.canonicalBytes)),
        ]
    }

    public static func validators(_ set: ValidatorSet) -> JSONValue {
        [
            "hash": .string(set.hash.hex),
            "total_voting_power": u64(set.totalVotingPower),
            "validators": .array(
                set.validators.map {
                    .object(["address": .string($0.address.hex), "pub_key": .string($0.publicKey.hex), "voting_power": u64($0.votingPower)])
                }),
        ]
    }

    public static func account(_ address: Address, _ a: Account?) -> JSONValue {
        let a = a ?? .empty
        return [
            "address": .string(address.hex),
            "balance": u64(a.balance),
            "nonce": u64(a.nonce),
            "reputation": u64(a.reputation.points),
        ]
    }
}
