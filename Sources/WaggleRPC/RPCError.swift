import WaggleCore

/// A JSON-RPC 2.0 error object. The reserved codes come from the JSON-RPC 2.0 specification,
/// section 5.1; the application codes are listed in Docs/RPC.md.
public struct RPCError: Error, Equatable, Sendable, CustomStringConvertible {
    public let code: Int
    public let message: String
    public let data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static func parseError(_ why: String) -> RPCError { RPCError(code: -32700, message: "parse error: \(why)") }
    public static func invalidRequest(_ why: String) -> RPCError { RPCError(code: -32600, message: "invalid request: \(why)") }
    public static func methodNotFound(_ name: String) -> RPCError { RPCError(code: -32601, message: "method not found: \(name)") }
    public static func invalidParams(_ why: String) -> RPCError { RPCError(code: -32602, message: "invalid params: \(why)") }
    public static func internalError(_ why: String) -> RPCError { RPCError(code: -32603, message: "internal error: \(why)") }

    // Application codes (Docs/RPC.md).
    public static func notFound(_ what: String) -> RPCError { RPCError(code: 3001, message: "not found: \(what)") }
    public static func heightUnavailable(_ why: String) -> RPCError { RPCError(code: 3002, message: "height not available: \(why)") }
    public static func timeout(_ why: String, data: JSONValue? = nil) -> RPCError { RPCError(code: 3003, message: "timed out: \(why)", data: data) }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { o["data"] = data }
        return .object(o)
    }

    public var description: String { "\(code): \(message)" }
}
