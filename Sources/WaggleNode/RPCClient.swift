import WaggleCore

/// A JSON-RPC client for a node's HTTP endpoint (the CLI's transport).
public struct RPCClient: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let code: Int?
        public let message: String
        public var description: String { message }
    }

    public let http: HTTPClient

    public init(host: String, port: Int, timeoutSeconds: Int = 60) {
        http = HTTPClient(host: host, port: port, timeoutSeconds: timeoutSeconds)
    }

    /// `endpoint` is `HOST:PORT` or `http://HOST:PORT`; nil reads this home's config (and the
    /// port the node actually bound, from data/rpc_address, when config says port 0).
    public init(endpoint: String?, home: NodeHome) throws(NodeError) {
        var text: String
        if let endpoint {
            text = endpoint
        } else {
            try home.requireInitialised()
            if let bound = try? FileIO.read(home.rpcAddressFile) {
                text = String(decoding: bound, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                text = try home.loadConfig().rpcListenAddress
            }
        }
        if text.hasPrefix("http://") { text.removeFirst("http://".count) }
        while text.hasSuffix("/") { text.removeLast() }
        guard let hp = HostPort(text) else { throw NodeError(.config, "invalid node address \"\(text)\": expected HOST:PORT") }
        guard hp.port > 0 else {
            throw NodeError(.io, "cannot reach the node: rpc.laddr uses port 0 and \(home.rpcAddressFile) is missing, so it is not running")
        }
        self.init(host: hp.host, port: hp.port)
    }

    /// Calls a method and returns its result, or throws the node's error with its code.
    public func call(_ method: String, _ params: JSONValue) async throws -> JSONValue {
        let request: JSONValue = ["jsonrpc": "2.0", "id": 1, "method": .string(method), "params": params]
        let response = try await http.post("/", body: request.serialized())
        guard let reply = try? JSONValue.parse(response.body) else {
            throw Failure(code: nil, message: "the node answered HTTP \(response.status) with a body that is not JSON")
        }
        if let error = reply["error"] {
            let code = error["code"]?.int64Value.map(Int.init)
            let name = error["data"]?["reason"]?.stringValue
            let message = error["message"]?.stringValue ?? error.text
            throw Failure(code: code, message: name.map { "\($0): \(message)" } ?? message)
        }
        guard let result = reply["result"] else { throw Failure(code: nil, message: "the node's reply has no result") }
        return result
    }

    /// Signs a transaction with the account's next nonce, broadcasts it and waits for inclusion.
    public func send(signer: Signer, body: TransactionBody, fee: UInt64) async throws -> (hash: Hash256, height: UInt64) {
        let status = try await call("status", .object([:]))
        guard let chainID = status["node_info"]?["chain_id"]?.stringValue else { throw Failure(code: nil, message: "status has no chain id") }
        let account = try await call("account", ["address": .string(signer.address.hex)])
        guard let nonce = account["nonce"]?.uint64Value else { throw Failure(code: nil, message: "account has no nonce") }
        let tx = Transaction.sign(chainID: chainID, signer: signer, nonce: nonce, fee: fee, body: body)
        let result = try await call("broadcast_tx_commit", ["tx": .string("0x" + Hex.encode(tx.canonicalBytes))])
        guard let h = result["hash"]?.stringValue.flatMap(Hash256.init(hex:)), let height = result["height"]?.uint64Value else {
            throw Failure(code: nil, message: "unexpected broadcast result \(result.text)")
        }
        return (h, height)
    }
}
