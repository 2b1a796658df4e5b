import TOMLKit
import WaggleCore
import WaggleP2P

/// The node's configuration, read from config/config.toml. Sections and keys follow CometBFT's
/// where they mean the same thing; Docs/OPERATIONS.md lists every key.
public struct NodeConfig: Sendable, Equatable {
    public var moniker = "waggle-node"

    /// Host and port for JSON-RPC. Port 0 picks a free port (written to data/rpc_address).
    public var rpcListenAddress = "127.0.0.1:26657"
    public var rpcMaxBodyBytes = 1_000_000
    public var rpcMaxBatchRequests = 100
    public var rpcMaxConnections = 256
    public var rpcMaxResponseBytes = 32 << 20
    public var rpcBroadcastTxCommitTimeoutMs: UInt64 = 10_000

    /// Time between blocks (CometBFT's timeout_commit).
    public var blockIntervalMs: UInt64 = 1_000

    public var mempoolSize = 5_000
    public var mempoolMaxBytes = 64 * 1024 * 1024
    public var mempoolMaxTxBytes = Transaction.maxEncodedSize

    /// How many past versions of the state tree to keep for proofs; 0 keeps everything.
    public var stateRetainVersions: UInt64 = 10_000

    public var logLevel = "info"
    public var logFormat = "plain"

    /// `[p2p]`: CometBFT's keys and defaults (Docs/OPERATIONS.md).
    public var p2p = P2P()

    public struct P2P: Sendable, Equatable {
        /// Where to listen for peers; port 0 picks a free port (written to data/p2p_address).
        public var listenAddress = NetAddress(host: "0.0.0.0", port: 26656)
        /// The address to tell peers, when it differs from `listenAddress` (NAT); nil: none.
        public var externalAddress: NetAddress?
        public var persistentPeers: [PeerAddress] = []
        public var seeds: [PeerAddress] = []
        /// Peer exchange (CometBFT's default: on): trade addresses with peers, keep them in
        /// data/addrbook.json, and fill the outbound slots from the book and the seeds.
        public var pex = true
        /// Keep only addresses routable on the public internet in the address book (CometBFT's
        /// `addr_book_strict`); false for private networks and tests on one machine.
        public var addrBookStrict = true
        public var maxInboundPeers = 40
        public var maxOutboundPeers = 10
        public var handshakeTimeoutMs: UInt64 = 20_000
        public var dialTimeoutMs: UInt64 = 3_000
        /// Bytes per second to and from each peer (a token bucket holding one second's worth).
        public var sendRate = 5_120_000
        public var recvRate = 5_120_000
        /// The largest plaintext of one transport message; frames are cut into pieces of this size.
        public var maxPacketMsgPayloadSize = 65_519

        public init() {}
    }

    public init() {}

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Parses config.toml text. Unknown sections or keys and values of the wrong type are errors
    /// that name the key.
    public static func parse(_ text: String) throws(Failure) -> NodeConfig {
        let json: JSONValue
        do {
            let table = try TOMLTable(string: text)
            json = try JSONValue.parse(Array(table.convert(to: .json).utf8))
        } catch let e as TOMLParseError {
            throw Failure(description: "config.toml: \(e.description) at line \(e.source.begin.line), column \(e.source.begin.column)")
        } catch {
            throw Failure(description: "config.toml: \(error)")
        }
        do { return try parse(JSONReader(json, context: "config.toml")) } catch {
            throw Failure(description: error.description)
        }
    }

    private static func parse(_ r: JSONReader) throws(JSONFieldError) -> NodeConfig {
        var c = NodeConfig()
        try r.onlyKeys(["moniker", "rpc", "p2p", "consensus", "mempool", "storage", "log"])
        if let m = try r.optionalField("moniker") { c.moniker = try m.string() }
        if let rpc = try r.optionalField("rpc") {
            try rpc.onlyKeys(["laddr", "max_body_bytes", "max_batch_requests", "max_connections", "max_response_bytes", "timeout_broadcast_tx_commit_ms"])
            if let l = try rpc.optionalField("laddr") {
                c.rpcListenAddress = try l.string()
                guard HostPort(c.rpcListenAddress) != nil else { throw l.fail("expected HOST:PORT, got \"\(c.rpcListenAddress)\"") }
            }
            if let v = try rpc.optionalField("max_body_bytes") { c.rpcMaxBodyBytes = try v.int() }
            if let v = try rpc.optionalField("max_batch_requests") { c.rpcMaxBatchRequests = try v.int() }
            if let v = try rpc.optionalField("max_response_bytes") {
                c.rpcMaxResponseBytes = try v.int()
                guard c.rpcMaxResponseBytes >= 1 << 20 else { throw v.fail("must be at least 1048576") }
            }
            if let v = try rpc.optionalField("max_connections") {
                c.rpcMaxConnections = try v.int()
                guard c.rpcMaxConnections >= 1, c.rpcMaxConnections <= 65_536 else { throw v.fail("must be between 1 and 65536") }
            }
            c.rpcBroadcastTxCommitTimeoutMs = try rpc.uint64("timeout_broadcast_tx_commit_ms", default: c.rpcBroadcastTxCommitTimeoutMs)
            guard c.rpcBroadcastTxCommitTimeoutMs <= 3_600_000 else {
                throw (try rpc.field("timeout_broadcast_tx_commit_ms")).fail("must be at most 3600000 (one hour)")
            }
        }
        if let p2p = try r.optionalField("p2p") { c.p2p = try parseP2P(p2p) }
        if let cons = try r.optionalField("consensus") {
            try cons.onlyKeys(["block_interval_ms"])
            if let v = try cons.optionalField("block_interval_ms") {
                c.blockIntervalMs = try v.uint64()
                guard c.blockIntervalMs >= 10, c.blockIntervalMs <= 86_400_000 else { throw v.fail("must be between 10 and 86400000 (one day)") }
            }
        }
        if let mp = try r.optionalField("mempool") {
            try mp.onlyKeys(["size", "max_txs_bytes", "max_tx_bytes"])
            if let v = try mp.optionalField("size") { c.mempoolSize = try v.int() }
            if let v = try mp.optionalField("max_txs_bytes") { c.mempoolMaxBytes = try v.int() }
            if let v = try mp.optionalField("max_tx_bytes") {
                c.mempoolMaxTxBytes = try v.int()
                guard c.mempoolMaxTxBytes <= Transaction.maxEncodedSize else {
                    throw v.fail("must not exceed the protocol limit \(Transaction.maxEncodedSize)")
                }
            }
        }
        if let st = try r.optionalField("storage") {
            try st.onlyKeys(["retain_versions"])
            c.stateRetainVersions = try st.uint64("retain_versions", default: c.stateRetainVersions)
        }
        if let log = try r.optionalField("log") {
            try log.onlyKeys(["level", "format"])
            if let v = try log.optionalField("level") {
                c.logLevel = try v.string()
                guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(c.logLevel) else {
                    throw v.fail("expected one of trace, debug, info, notice, warning, error, critical")
                }
            }
            if let v = try log.optionalField("format") {
                c.logFormat = try v.string()
                guard ["plain", "json"].contains(c.logFormat) else { throw v.fail("expected \"plain\" or \"json\"") }
            }
        }
        return c
    }

    private static func parseP2P(_ r: JSONReader) throws(JSONFieldError) -> P2P {
        var p = P2P()
        try r.onlyKeys([
            "laddr", "external_address", "persistent_peers", "seeds", "pex", "addr_book_strict", "max_num_inbound_peers", "max_num_outbound_peers",
            "handshake_timeout", "dial_timeout", "send_rate", "recv_rate", "max_packet_msg_payload_size",
        ])
        func address(_ v: JSONReader, allowPortZero: Bool) throws(JSONFieldError) -> NetAddress {
            let text = try v.string()
            do throws(PeerAddressError) { return try NetAddress(parsing: text, allowPortZero: allowPortZero) } catch {
                throw v.fail(error.reason)
            }
        }
        func peers(_ v: JSONReader) throws(JSONFieldError) -> [PeerAddress] {
            let text = try v.string()
            do throws(PeerAddressError) { return try PeerAddress.parseList(text) } catch { throw v.fail(error.reason) }
        }
        func int(_ name: String, _ range: ClosedRange<Int>, _ value: inout Int) throws(JSONFieldError) {
            guard let v = try r.optionalField(name) else { return }
            value = try v.int()
            guard range.contains(value) else { throw v.fail("must be between \(range.lowerBound) and \(range.upperBound)") }
        }
        func duration(_ name: String, _ value: inout UInt64) throws(JSONFieldError) {
            guard let v = try r.optionalField(name) else { return }
            guard let ms = parseDuration(try v.string()), ms >= 100, ms <= 600_000 else {
                throw v.fail("expected a duration from \"100ms\" to \"10m\" (such as \"20s\")")
            }
            value = ms
        }
        if let v = try r.optionalField("laddr") { p.listenAddress = try address(v, allowPortZero: true) }
        if let v = try r.optionalField("external_address") {
            p.externalAddress = try v.string().isEmpty ? nil : try address(v, allowPortZero: false)
        }
        if let v = try r.optionalField("persistent_peers") { p.persistentPeers = try peers(v) }
        if let v = try r.optionalField("seeds") { p.seeds = try peers(v) }
        if let v = try r.optionalField("pex") { p.pex = try v.bool() }
        if let v = try r.optionalField("addr_book_strict") { p.addrBookStrict = try v.bool() }
        try int("max_num_inbound_peers", 0...10_000, &p.maxInboundPeers)
        try int("max_num_outbound_peers", 0...1_000, &p.maxOutboundPeers)
        try duration("handshake_timeout", &p.handshakeTimeoutMs)
        try duration("dial_timeout", &p.dialTimeoutMs)
        try int("send_rate", 1_024...10_000_000_000, &p.sendRate)
        try int("recv_rate", 1_024...10_000_000_000, &p.recvRate)
        try int("max_packet_msg_payload_size", 1_024...NoiseTransport.maxPlaintextLength, &p.maxPacketMsgPayloadSize)
        return p
    }

    /// `"500ms"`, `"20s"` or `"2m"` in milliseconds (the forms CometBFT's config uses); nil otherwise.
    static func parseDuration(_ text: String) -> UInt64? {
        let units: [(String, UInt64)] = [("ms", 1), ("s", 1_000), ("m", 60_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            guard !digits.isEmpty, digits.utf8.count <= 9, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt64(digits)
            else { return nil }
            return n * scale
        }
        return nil
    }

    static func formatDuration(ms: UInt64) -> String { ms % 1_000 == 0 ? "\(ms / 1_000)s" : "\(ms)ms" }

    /// `s` as the inside of a TOML basic string: backslash, quote and control characters escaped.
    static func tomlEscaped(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x7f:
                let hex = String(u.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// The config.toml that `waggle init` writes, with every key and a comment on each.
    public var tomlText: String {
        """
        # Waggle node configuration. Docs/OPERATIONS.md explains every key.

        # A human-readable name for this node.
        moniker = "\(Self.tomlEscaped(moniker))"

        [rpc]
        # JSON-RPC listen address. Keep it on 127.0.0.1 unless a proxy guards it.
        laddr = "\(Self.tomlEscaped(rpcListenAddress))"
        # Largest accepted HTTP request body, in bytes.
        max_body_bytes = \(rpcMaxBodyBytes)
        # Most calls in one JSON-RPC batch.
        max_batch_requests = \(rpcMaxBatchRequests)
        # Most open connections; more wait until one closes. Idle ones close after 30 s.
        max_connections = \(rpcMaxConnections)
        # Most bytes of response to one request (a batch's calls past it answer -32603).
        max_response_bytes = \(rpcMaxResponseBytes)
        # How long broadcast_tx_commit waits for inclusion.
        timeout_broadcast_tx_commit_ms = \(rpcBroadcastTxCommitTimeoutMs)

        [p2p]
        # Where to listen for peers (tcp://HOST:PORT).
        laddr = "tcp://\(p2p.listenAddress)"
        # The address peers should dial, when it differs from laddr (behind NAT); empty: none.
        external_address = "\(p2p.externalAddress.map { "tcp://\($0)" } ?? "")"
        # Peers to stay connected to, comma-separated ID@HOST:PORT (`waggle show-node-id` prints an ID).
        persistent_peers = "\(p2p.persistentPeers.map(\.description).joined(separator: ","))"
        # Seed nodes, ID@HOST:PORT: dialled for addresses when the address book has none to dial (needs pex).
        seeds = "\(p2p.seeds.map(\.description).joined(separator: ","))"
        # Peer exchange: trade peer addresses, keep them in data/addrbook.json, fill the outbound slots.
        pex = \(p2p.pex)
        # Keep only publicly routable addresses in the address book (false on a private network).
        addr_book_strict = \(p2p.addrBookStrict)
        # Most peers that dialled us, and most peers we dial.
        max_num_inbound_peers = \(p2p.maxInboundPeers)
        max_num_outbound_peers = \(p2p.maxOutboundPeers)
        # Time for a new connection's handshake and node-info exchange, and for a dial to connect.
        handshake_timeout = "\(Self.formatDuration(ms: p2p.handshakeTimeoutMs))"
        dial_timeout = "\(Self.formatDuration(ms: p2p.dialTimeoutMs))"
        # Bytes per second to and from each peer (bursts of up to one second's worth).
        send_rate = \(p2p.sendRate)
        recv_rate = \(p2p.recvRate)
        # Largest plaintext of one encrypted transport message (1024 to 65519).
        max_packet_msg_payload_size = \(p2p.maxPacketMsgPayloadSize)

        [consensus]
        # Time between blocks, in milliseconds.
        block_interval_ms = \(blockIntervalMs)

        [mempool]
        # Most transactions held.
        size = \(mempoolSize)
        # Most bytes of transactions held.
        max_txs_bytes = \(mempoolMaxBytes)
        # Largest single transaction, in bytes.
        max_tx_bytes = \(mempoolMaxTxBytes)

        [storage]
        # Past heights whose state proofs stay available; 0 keeps every version.
        retain_versions = \(stateRetainVersions)

        [log]
        # trace, debug, info, notice, warning, error or critical.
        level = "\(Self.tomlEscaped(logLevel))"
        # "plain" or "json".
        format = "\(Self.tomlEscaped(logFormat))"

        """
    }
}

/// A parsed `HOST:PORT`.
public struct HostPort: Sendable, Equatable {
    public let host: String
    public let port: Int

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
    }
}
