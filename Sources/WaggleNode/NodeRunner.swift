import Foundation
import Logging
import ServiceLifecycle
import WaggleCore
import WaggleCrypto
import WaggleLedger
import WaggleP2P
import WaggleRPC
import WaggleSwitch

/// `waggle start`: opens the home, the database and the chain, then runs the RPC server, the P2P
/// switch, its reactors (mempool gossip, block sync) and the block producer in one ServiceGroup that shuts down gracefully on SIGINT and SIGTERM.
public struct NodeRunner: Sendable {
    public let home: NodeHome
    /// Read from config.toml; `waggle start` flags override parts of it for one run.
    public var config: NodeConfig
    public let genesis: GenesisDoc
    public let genesisBytes: [UInt8]
    public let validatorKey: KeyFile
    public let nodeKey: KeyFile

    public init(home: NodeHome) throws(NodeError) {
        guard Sodium.verifiesLikeTheReference else {
            throw NodeError(.config, "libsodium \(Sodium.version) is older than 1.0.18; its Ed25519 verification differs from other nodes'")
        }
        try home.requireInitialised()
        self.home = home
        config = try home.loadConfig()
        (genesis, genesisBytes) = try home.loadGenesis()
        validatorKey = try KeyFile.load(home.validatorKeyFile)
        nodeKey = try home.loadNodeKey()
        if let mode = FileIO.permissions(home.validatorKeyFile), mode & 0o077 != 0 {
            throw NodeError(.keys, "\(home.validatorKeyFile) is readable by others (mode \(String(mode, radix: 8))); run chmod 600 on it")
        }
    }

    public func run() async throws {
        WaggleLogHandler.bootstrap(format: WaggleLogHandler.Format(rawValue: config.logFormat) ?? .plain,
                                   level: Logger.Level(rawValue: config.logLevel) ?? .info)
        let logger = Logger(label: "node")
        // Opening RocksDB (and writing genesis on the first start) blocks on disk: off the pool.
        let (home, genesis, genesisBytes, config) = (self.home, self.genesis, self.genesisBytes, self.config)
        let (store, chain) = try await withCheckedThrowingContinuation { (cont: CheckedContinuation<(ChainStore, Chain), any Error>) in
            DispatchQueue.global().async {
                cont.resume(with: Result { () throws(NodeError) -> (ChainStore, Chain) in
                    let store = try ChainStore(path: home.databaseDir)
                    do throws(NodeError) {
                        let chain = try Chain(
                            genesis: genesis, genesisBytes: genesisBytes, store: store,
                            mempoolLimits: Mempool.Limits(maxTransactions: config.mempoolSize, maxBytes: config.mempoolMaxBytes,
                                                          maxTransactionBytes: config.mempoolMaxTxBytes),
                            retainVersions: config.stateRetainVersions, logger: Logger(label: "chain"))
                        return (store, chain)
                    } catch {
                        store.close()
                        throw error
                    }
                })
            }
        }
        defer { store.close() }
        // A chain that has committed blocks was signed by this node's guard: without its state
        // file the guard would not know what it signed (a restored backup, a lost file, a link to
        // an unmounted volume), and could sign a second block at a height it already signed.
        if FileIO.isDanglingLink(home.validatorStateFile) {
            throw NodeError(.keys, "\(home.validatorStateFile) is a symbolic link to a missing file; refusing to sign without knowing what was signed last")
        }
        // (A full node whose key is not a validator never signs: the blocks it has came by block sync.)
        let startHead = await chain.head
        if startHead.height >= genesis.initialHeight, startHead.validators.validator(validatorKey.signer.address) != nil,
           !FileIO.exists(home.validatorStateFile) {
            throw NodeError(.keys, """
                \(home.validatorStateFile) is missing but this node has committed blocks; refusing to sign without \
                knowing what was signed last. Restore the file from the same backup as data/chain.db, or copy it from \
                the machine this validator ran on.
                """)
        }
        let head = startHead
        logger.info("starting node", metadata: [
            "chain_id": "\(genesis.chainID)", "height": "\(head.height)", "moniker": "\(config.moniker)",
            "validator": "\(validatorKey.signer.address)",
        ])

        let p2pLogger = Logger(label: "p2p")
        if !config.p2p.pex && !config.p2p.seeds.isEmpty { p2pLogger.warning("p2p.seeds are not dialled: they serve peer exchange, and p2p.pex = false") }
        let p2pAddressFile = home.p2pAddressFile
        let p2p = PeerSwitch(
            configuration: .init(
                chainID: genesis.chainID, moniker: config.moniker, listenAddress: config.p2p.listenAddress,
                externalAddress: config.p2p.externalAddress, persistentPeers: config.p2p.persistentPeers,
                limits: .init(maxInbound: config.p2p.maxInboundPeers, maxOutbound: config.p2p.maxOutboundPeers),
                handshakeTimeout: .milliseconds(Int64(config.p2p.handshakeTimeoutMs)),
                dialTimeout: .milliseconds(Int64(config.p2p.dialTimeoutMs)), maxPacketPayloadSize: config.p2p.maxPacketMsgPayloadSize,
                sendRate: config.p2p.sendRate, recvRate: config.p2p.recvRate),
            nodeKey: nodeKey.signer, logger: p2pLogger,
            onListening: { address in try? FileIO.writeAtomically(Array("tcp://\(address)\n".utf8), to: p2pAddressFile) })
        let mempoolReactor = MempoolReactor(chain: chain, p2p: p2p)
        let blockSync = BlockSyncReactor(chain: chain, p2p: p2p, head: head)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if config.p2p.pex {
            let bookFile = AddressBookFile(path: home.addressBookFile, logger: Logger(label: "pex"))
            let book = bookFile.load(selfID: p2p.nodeID, strict: config.p2p.addrBookStrict)
            let pex = PexReactor(
                p2p: p2p, book: book, configuration: .init(seeds: config.p2p.seeds), logger: Logger(label: "pex"),
                persist: { bookFile.save($0) })
            services.append(.init(service: pex))
        }
        let methods = NodeRPCMethods(chain: chain, moniker: config.moniker, validatorKey: validatorKey.signer.publicKey,
                                     broadcastTxCommitTimeoutMs: config.rpcBroadcastTxCommitTimeoutMs, p2p: p2p, blockSync: blockSync)
        guard let hp = HostPort(config.rpcListenAddress) else { throw NodeError(.config, "invalid rpc.laddr \(config.rpcListenAddress)") }
        var rpc = RPCServer(
            host: hp.host, port: hp.port, maxBodyBytes: config.rpcMaxBodyBytes,
            dispatcher: JSONRPCDispatcher(
                methods: methods.table, maxBatchRequests: config.rpcMaxBatchRequests, maxResponseBytes: config.rpcMaxResponseBytes),
            logger: Logger(label: "rpc"), status: { try await methods.status() })
        rpc.maxConnections = config.rpcMaxConnections
        let addressFile = home.rpcAddressFile
        let rpcLogger = Logger(label: "rpc")
        let app = rpc.application { port in
            try? FileIO.writeAtomically(Array("\(hp.host):\(port)\n".utf8), to: addressFile)
            rpcLogger.info("JSON-RPC listening", metadata: ["address": "http://\(hp.host):\(port)"])
        }
        let guardFile = try FileSignStatePersistence(path: home.validatorStateFile)
        let producer = try BlockProducer(
            chain: chain, signer: validatorKey.signer, persistence: guardFile,
            interval: .milliseconds(Int64(config.blockIntervalMs)), logger: Logger(label: "consensus"),
            holdBack: { blockSync.holdsProduction })
        // Services stop in reverse order: the RPC server first, so that requests in flight
        // (broadcast_tx_commit waits for a block) finish while blocks are still produced; then
        // the switch (peers see their connections close), the reactors, then the producer. Whatever is still
        // running after the grace period is cancelled, which ends any remaining wait at once.
        var groupConfig = ServiceGroupConfiguration(
            services: [.init(service: producer), .init(service: blockSync), .init(service: mempoolReactor)] + services + [
                .init(service: p2p), .init(service: app),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .seconds(10)
        groupConfig.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfig)
        try await group.run()
        try? FileManager.default.removeItem(atPath: addressFile)
        try? FileManager.default.removeItem(atPath: p2pAddressFile)
        let finalHeight = await chain.head.height
        logger.info("node stopped", metadata: ["height": "\(finalHeight)"])
    }
}
