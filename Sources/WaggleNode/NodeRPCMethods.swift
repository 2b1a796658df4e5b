import WaggleCore
import WaggleLedger
import WaggleP2P
import WaggleRPC
import WaggleSwitch

/// The node's JSON-RPC methods (Docs/RPC.md shows each with a request and a response).
public struct NodeRPCMethods: Sendable {
    public let chain: Chain
    public let moniker: String
    public let validatorKey: PublicKey?
    public let broadcastTxCommitTimeoutMs: UInt64
    /// The P2P switch, for `net_info` and `status.node_info`; nil in tests without networking.
    public let p2p: PeerSwitch?
    /// Block sync, for `status.sync_info.catching_up`; nil in tests without networking.
    public let blockSync: BlockSyncReactor?

    public init(chain: Chain, moniker: String, validatorKey: PublicKey?, broadcastTxCommitTimeoutMs: UInt64, p2p: PeerSwitch? = nil,
                blockSync: BlockSyncReactor? = nil) {
        self.p2p = p2p
        self.blockSync = blockSync
        self.chain = chain
        self.moniker = moniker
        self.validatorKey = validatorKey
        self.broadcastTxCommitTimeoutMs = broadcastTxCommitTimeoutMs
    }

    public var table: [String: JSONRPCDispatcher.Method] {
        workTable.merging(baseTable) { a, _ in a }
    }

    var baseTable: [String: JSONRPCDispatcher.Method] {
        [
            "health": { p in try p.only([]); return .object([:]) },
            "status": { p in try p.only([]); return try await status() },
            "genesis": { p in try p.only([]); return try await genesis() },
            "block": { p in try await block(p) },
            "header": { p in try await header(p) },
            "commit": { p in try await commit(p) },
            "tx": { p in try await tx(p) },
            "account": { p in try await account(p) },
            "validators": { p in try await validators(p) },
            "broadcast_tx_sync": { p in try await broadcastTxSync(p) },
            "broadcast_tx_commit": { p in try await broadcastTxCommit(p) },
            "net_info": { p in try p.only([]); return netInfo() },
            "num_unconfirmed_txs": { p in
                try p.only([])
                let proofs = await chain.mempoolProofStatistics
                return [
                    "count": .uint(UInt64(await chain.mempoolCount)), "bytes": .uint(UInt64(await chain.mempoolBytes)),
                    "proofs_verified": .uint(UInt64(proofs.verified)),
                    "proofs_skipped_as_verified": .uint(UInt64(proofs.skippedAsVerified)),
                ]
            },
        ]
    }

    // MARK: Helpers

    func read<T: Sendable>(_ body: @escaping @Sendable (ChainStore, ChainHead) throws -> T) async throws(RPCError) -> T {
        do { return try await chain.read(body) } catch let e as RPCError { throw e } catch let e as NodeError where e.code == .pruned {
            throw .heightUnavailable(e.reason)
        } catch {
            // The details (file paths, RocksDB messages) go to the log, not to the client.
            chain.logger.error("RPC read failed", metadata: ["error": "\(error)"])
            throw .internalError("the node could not read its database; see its log")
        }
    }

    /// `Chain.readCommitted` with the same error mapping as `read`.
    func readCommitted<T: Sendable>(_ body: @escaping @Sendable (ChainStore) throws -> T) async throws(RPCError) -> T {
        do { return try await chain.readCommitted(body) } catch let e as RPCError { throw e } catch let e as NodeError where e.code == .pruned {
            throw .heightUnavailable(e.reason)
        } catch {
            chain.logger.error("RPC read failed", metadata: ["error": "\(error)"])
            throw .internalError("the node could not read its database; see its log")
        }
    }

    /// Resolves optional `height` / `hash` params to a committed height (default: the latest).
    func resolveHeight(_ p: RPCParams, allowHash: Bool) async throws(RPCError) -> UInt64 {
        try p.only(allowHash ? ["height", "hash"] : ["height"])
        let heightParam = try p.optional("height").map { r throws(RPCError) in try p.map { _ throws(JSONFieldError) in try r.uint64() } }
        let hashParam = allowHash ? try p.optional("hash").map { r throws(RPCError) in try p.map { _ throws(JSONFieldError) in try r.hash() } } : nil
        if heightParam != nil, hashParam != nil { throw .invalidParams("give either height or hash, not both") }
        let initial = chain.genesis.initialHeight
        return try await read { store, head in
            if let hash = hashParam {
                guard let h = try store.height(ofBlock: hash) else { throw RPCError.notFound("no block with hash \(hash)") }
                return h
            }
            let h = heightParam ?? head.height
            guard h >= initial else {
                throw head.height < initial ? RPCError.heightUnavailable("no block has been committed yet")
                    : RPCError.heightUnavailable("height \(h) is before the initial height \(initial)")
            }
            guard h <= head.height else { throw RPCError.heightUnavailable("height \(h) is above the latest height \(head.height)") }
            return h
        }
    }

    // MARK: Methods

    func status() async throws(RPCError) -> JSONValue {
        let chainID = chain.genesis.chainID
        let moniker = self.moniker
        let key = validatorKey
        var nodeInfo: [String: JSONValue] = [
            "moniker": .string(moniker), "version": .string(WaggleVersion.software), "chain_id": .string(chainID),
        ]
        if let p2p {
            nodeInfo["id"] = .string(p2p.nodeID.hex)
            nodeInfo["listen_addr"] = .string(p2p.advertisedAddress ?? "tcp://\(p2p.configuration.listenAddress)")
        }
        let info = nodeInfo
        let catchingUp = blockSync?.isCatchingUp ?? false
        return try await read { store, head in
            var validator: JSONValue = .null
            if let key {
                validator = [
                    "address": .string(key.address.hex), "pub_key": .string(key.hex),
                    "voting_power": .string(String(head.validators.validator(key.address)?.votingPower ?? 0)),
                ]
            }
            return [
                "node_info": .object(info),
                "sync_info": [
                    // More than one block behind the highest height a peer announced.
                    "catching_up": .bool(catchingUp),
                    "latest_block_height": .string(String(head.height)),
                    "latest_block_hash": .string(head.blockID.hex),
                    "latest_state_root": .string(head.stateRoot.hex),
                    "latest_block_time": .string(Timestamp.formatRFC3339(ms: head.timeMs)),
                ],
                "validator_info": validator,
            ]
        }
    }

    /// The switch's admitted peers (CometBFT's `net_info`, with the fields this node tracks).
    func netInfo() -> JSONValue {
        guard let p2p else { return ["listening": false, "listen_addr": .null, "n_peers": "0", "peers": []] }
        let peers = p2p.peerStatuses
        return [
            "listening": true,
            "listen_addr": .string(p2p.advertisedAddress ?? "tcp://\(p2p.configuration.listenAddress)"),
            "n_peers": .string(String(peers.count)),
            "peers": .array(
                peers.map { s in
                    [
                        "id": .string(s.id.hex), "address": .string(s.remoteAddress), "listen_addr": .string(s.listenAddress),
                        "moniker": .string(s.moniker), "direction": .string(s.direction.rawValue),
                        "bytes_sent": .string(String(s.bytesSent)), "bytes_received": .string(String(s.bytesReceived)),
                    ]
                }),
        ]
    }

    func genesis() async throws(RPCError) -> JSONValue {
        let bytes: [UInt8]? = try await read { store, _ in try store.genesisBytes() }
        guard let bytes, let doc = try? JSONValue.parse(bytes) else { throw .internalError("stored genesis is unreadable") }
        return ["genesis": doc, "genesis_hash": .string(Hash256.sha256(bytes).hex)]
    }

    func loadBlock(_ height: UInt64) async throws(RPCError) -> Block {
        let b: Block? = try await readCommitted { store in try store.block(at: height) }
        guard let b else { throw .notFound("block \(height)") }
        return b
    }

    func block(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        JSONView.block(try await loadBlock(try await resolveHeight(p, allowHash: true)))
    }

    func header(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let b = try await loadBlock(try await resolveHeight(p, allowHash: true))
        return ["block_id": .string(b.id.hex), "header": JSONView.header(b.header), "encoded": .string("0x" + Hex.encode(b.header.canonicalBytes))]
    }

    func commit(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let height = try await resolveHeight(p, allowHash: false)
        let (block, commit, set): (Block?, Commit?, ValidatorSet?) = try await readCommitted { store in
            (try store.block(at: height), try store.commit(at: height), try store.validatorSet(at: height))
        }
        guard let block, let commit else { throw .notFound("commit for height \(height)") }
        return [
            "block_id": .string(block.id.hex),
            "header": JSONView.header(block.header),
            "commit": JSONView.commit(commit, validators: set),
        ]
    }

    func tx(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        try p.only(["hash"])
        let hash = try p.map { r throws(JSONFieldError) in try r.field("hash").hash() }
        let found: (TxLocation, Transaction)? = try await readCommitted { store in
            guard let loc = try store.txLocation(hash), let b = try store.block(at: loc.height), Int(loc.index) < b.transactions.count else {
                return nil
            }
            return (loc, b.transactions[Int(loc.index)])
        }
        guard let (loc, tx) = found else { throw .notFound("transaction \(hash)") }
        return ["hash": .string(hash.hex), "height": .string(String(loc.height)), "index": .uint(UInt64(loc.index)), "tx": JSONView.transaction(tx)]
    }

    func account(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        try p.only(["address", "prove", "height"])
        let address = try p.map { r throws(JSONFieldError) in try r.field("address").address() }
        let prove = try p.map { r throws(JSONFieldError) in try r.optionalField("prove")?.bool() ?? false }
        let requested = try p.map { r throws(JSONFieldError) in try r.optionalField("height")?.uint64() }
        let initial = chain.genesis.initialHeight
        return try await read { store, head in
            let key = StateKey.account(address)
            let height = requested ?? head.height
            guard height <= head.height else { throw RPCError.heightUnavailable("height \(height) is above the latest height \(head.height)") }
            let raw: [UInt8]? = requested == nil ? try store.get(key) : try store.stateValue(key, atHeight: height)
            let account: Account?
            do { account = try raw.map { try Account(canonicalBytes: $0) } } catch { throw RPCError.internalError("stored account is corrupt") }
            var out = JSONView.account(address, account)
            if case .object(var o) = out {
                o["height"] = .string(String(height))
                if prove {
                    guard height >= initial else { throw RPCError.heightUnavailable("proofs are served for committed blocks only") }
                    guard let block = try store.block(at: height) else { throw RPCError.heightUnavailable("block \(height) is not stored") }
                    let proof: SparseMerkleProof
                    do { proof = try store.stateProof(key, atHeight: height) } catch {
                        throw RPCError.heightUnavailable("no state proof for height \(height) (pruned?): \(error)")
                    }
                    o["proof"] = [
                        "state_key": .string("0x" + Hex.encode(key.bytes)),
                        "tree_key": .string(key.treeKey.hex),
                        "value": raw.map { .string("0x" + Hex.encode($0)) } ?? .null,
                        "proof": .string("0x" + Hex.encode(proof.canonicalBytes)),
                        "state_root": .string(block.header.stateRoot.hex),
                        "block_id": .string(block.id.hex),
                        "header": .string("0x" + Hex.encode(block.header.canonicalBytes)),
                    ]
                }
                out = .object(o)
            }
            return out
        }
    }

    func validators(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        try p.only(["height"])
        let requested = try p.map { r throws(JSONFieldError) in try r.optionalField("height")?.uint64() }
        let ledger = chain.ledger
        return try await read { store, head in
            let height = requested ?? head.height + 1
            guard let set = try store.validatorSet(at: height) else {
                throw RPCError.heightUnavailable("no validator set for height \(height) (latest is \(head.height), next \(head.height + 1))")
            }
            // Stake and reputation as of the state the set's height builds on (height - 1).
            let stateHeight = min(height - 1, head.height)
            let details = try Self.validatorDetails(set, store: store, height: stateHeight, latest: stateHeight == head.height, ledger: ledger)
            var v = JSONView.validators(set)
            if case .object(var o) = v {
                o["height"] = .string(String(height))
                o["state_height"] = details == nil ? .null : .string(String(stateHeight))
                if case .array(let items)? = o["validators"] {
                    o["validators"] = .array(
                        zip(items, set.validators).map { item, val in
                            guard case .object(var e) = item else { return item }
                            let d = details?[val.address]
                            for k in ["stake", "operator", "reputation"] { e[k] = d?[k] ?? .null }
                            return .object(e)
                        })
                }
                v = .object(o)
            }
            return v
        }
    }

    func decodeTx(_ p: RPCParams) throws(RPCError) -> Transaction {
        try p.only(["tx"])
        let text = try p.map { r throws(JSONFieldError) in try r.field("tx").string() }
        guard let bytes = Hex.decodePrefixed(text) else {
            throw .invalidParams("params.tx: expected 0x followed by the hex of the transaction's canonical bytes")
        }
        guard bytes.count <= Transaction.maxEncodedSize else {
            throw RPCError(
                code: MempoolError.Code.tooLarge.rpcCode, message: "transaction of \(bytes.count) bytes exceeds the limit of \(Transaction.maxEncodedSize)",
                data: ["reason": .string(MempoolError.Code.tooLarge.name)])
        }
        do { return try Transaction(canonicalBytes: bytes) } catch {
            throw RPCError(
                code: MempoolError.Code.malformed.rpcCode, message: "cannot decode transaction: \(error)",
                data: ["reason": .string(MempoolError.Code.malformed.name)])
        }
    }

    func submit(_ tx: Transaction) async throws(RPCError) -> Hash256 {
        do { return try await chain.submit(tx) } catch {
            throw RPCError(code: error.rpcCode, message: error.reason, data: ["reason": .string(error.name)])
        }
    }

    func broadcastTxSync(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let hash = try await submit(try decodeTx(p))
        return ["hash": .string(hash.hex)]
    }

    func broadcastTxCommit(_ p: RPCParams) async throws(RPCError) -> JSONValue {
        let hash = try await submit(try decodeTx(p))
        switch await chain.waitForInclusion(hash, timeoutMs: broadcastTxCommitTimeoutMs) {
        case .included(let loc):
            return ["hash": .string(hash.hex), "height": .string(String(loc.height)), "index": .uint(UInt64(loc.index))]
        case .timedOut:
            throw .timeout("transaction \(hash) was not committed within \(broadcastTxCommitTimeoutMs) ms; it stays in the mempool",
                           data: ["hash": .string(hash.hex)])
        case .dropped(let error):
            // The rejection's own code and rule name, as if the transaction had been refused at
            // submission (it would be now).
            throw RPCError(
                code: error.rpcCode, message: "transaction \(hash) was dropped from the mempool before inclusion: \(error.reason)",
                data: ["hash": .string(hash.hex), "reason": .string(error.name)])
        case .cancelled:
            throw .timeout("the node is shutting down; transaction \(hash) was not committed (the mempool is not kept across restarts)",
                           data: ["hash": .string(hash.hex)])
        }
    }
}
