import TOMLKit
import WaggleCore

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
        try r.onlyKeys(["moniker", "rpc", "consensus", "mempool", "storage", "log"])
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
