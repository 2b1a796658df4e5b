import WaggleCore

/// JSON-RPC 2.0 over a byte body: parsing, validation, single and batch calls, notifications,
/// and error objects (https://www.jsonrpc.org/specification). Methods are registered by name.
public final class JSONRPCDispatcher: Sendable {
    public typealias Method = @Sendable (RPCParams) async throws -> JSONValue

    private let methods: [String: Method]
    public let maxBatchRequests: Int
    /// Most bytes of response to one HTTP request. A batch's calls past the limit answer -32603
    /// (the limit is checked as each response is produced, so memory stays bounded by it).
    public let maxResponseBytes: Int

    public init(methods: [String: Method], maxBatchRequests: Int = 100, maxResponseBytes: Int = 32 << 20) {
        self.methods = methods
        self.maxBatchRequests = maxBatchRequests
        self.maxResponseBytes = maxResponseBytes
    }

    public var methodNames: [String] { methods.keys.sorted() }

    /// Handles one HTTP body. Returns the response body, or nil when every call was a
    /// notification (the HTTP layer then answers 204 with no body).
    public func handle(body: [UInt8]) async -> [UInt8]? {
        let request: JSONValue
        do { request = try JSONValue.parse(body) } catch {
            return Self.errorResponse(.parseError("\(error)"), id: .null).serialized()
        }
        switch request {
        case .array(let calls):
            guard !calls.isEmpty else { return Self.errorResponse(.invalidRequest("empty batch"), id: .null).serialized() }
            guard calls.count <= maxBatchRequests else {
                return Self.errorResponse(.invalidRequest("batch of \(calls.count) calls exceeds the limit of \(maxBatchRequests)"), id: .null)
                    .serialized()
            }
            var parts: [[UInt8]] = []
            var total = 2
            for call in calls {
                guard let r = await handle(call: call) else { continue }
                var bytes = r.serialized()
                if total + bytes.count + 1 > maxResponseBytes {
                    bytes = Self.errorResponse(tooLarge, id: r["id"] ?? .null).serialized()
                }
                total += bytes.count + 1
                parts.append(bytes)
            }
            guard !parts.isEmpty else { return nil }
            return [UInt8(ascii: "[")] + Array(parts.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "]")]
        default:
            guard let r = await handle(call: request) else { return nil }
            let bytes = r.serialized()
            return bytes.count <= maxResponseBytes ? bytes : Self.errorResponse(tooLarge, id: r["id"] ?? .null).serialized()
        }
    }

    private var tooLarge: RPCError {
        .internalError("the response would exceed the limit of \(maxResponseBytes) bytes; ask for less in one request")
    }

    /// Handles one call object; nil for a valid notification.
    public func handle(call: JSONValue) async -> JSONValue? {
        guard case .object(let o) = call else {
            return Self.errorResponse(.invalidRequest("a call must be a JSON object"), id: .null)
        }
        // A call without an `id` member is a notification: it runs and gets no response, not even
        // when it fails (JSON-RPC 2.0, section 4.1). `"id": null` is a request, answered with id null.
        // (Tested with `keys.contains`, not `== nil`: JSONValue is ExpressibleByNilLiteral, so a bare
        // `nil` can silently become `JSONValue.null`, a response whose body is `null`.)
        let isNotification = !o.keys.contains("id")
        // JSON-RPC 2.0 allows any Number (fractions are discouraged, not forbidden); a number that is
        // not a 64-bit integer keeps its text (`JSONValue.number`), so every id is echoed as sent.
        let replyID = o["id"] ?? .null
        guard replyID.isValidRequestID else {
            return Self.errorResponse(.invalidRequest("id must be a string, a number or null"), id: .null)
        }
        guard o["jsonrpc"] == .string("2.0") else {
            return Self.errorResponse(.invalidRequest("\"jsonrpc\" must be \"2.0\""), id: replyID)
        }
        guard case .string(let name)? = o["method"] else {
            return Self.errorResponse(.invalidRequest("\"method\" must be a string"), id: replyID)
        }
        for key in o.keys where !["jsonrpc", "method", "params", "id"].contains(key) {
            return Self.errorResponse(.invalidRequest("unknown member \"\(key)\""), id: replyID)
        }
        let outcome: JSONValue
        do {
            guard let method = methods[name] else { throw RPCError.methodNotFound(name) }
            let params = try RPCParams(o["params"])
            outcome = .object(["jsonrpc": "2.0", "id": replyID, "result": try await method(params)])
        } catch let e as RPCError {
            outcome = Self.errorResponse(e, id: replyID)
        } catch {
            outcome = Self.errorResponse(.internalError("\(error)"), id: replyID)
        }
        if isNotification { return Optional<JSONValue>.none }
        return outcome
    }

    public static func errorResponse(_ error: RPCError, id: JSONValue) -> JSONValue {
        .object(["jsonrpc": "2.0", "id": id, "error": error.json])
    }
}

extension JSONValue {
    /// A string, a number (of any size or form) or null.
    fileprivate var isValidRequestID: Bool {
        switch self {
        case .string, .int, .uint, .double, .number, .null: true
        default: false
        }
    }
}
