import WaggleCore

/// The named parameters of a call. Positional (array) parameters are refused: every method
/// documents its parameter names (Docs/RPC.md), which keeps calls readable and extensible.
public struct RPCParams: Sendable {
    public let reader: JSONReader

    public init(_ value: JSONValue?) throws(RPCError) {
        switch value {
        case nil, .null?: reader = JSONReader(.object([:]), context: "params")
        case .object?: reader = JSONReader(value!, context: "params")
        case .array?: throw .invalidParams("positional params are not supported; pass an object of named params")
        default: throw .invalidParams("params must be an object")
        }
    }

    /// Rejects parameter names the method does not define.
    public func only(_ names: Set<String>) throws(RPCError) {
        try map { r throws(JSONFieldError) in try r.onlyKeys(names) }
    }

    /// Runs a reader function, turning its field errors into -32602 errors.
    public func map<T>(_ body: (JSONReader) throws(JSONFieldError) -> T) throws(RPCError) -> T {
        do { return try body(reader) } catch {
            throw .invalidParams(error.path.isEmpty ? "\(error.context): \(error.problem)" : "\(error.context).\(error.path): \(error.problem)")
        }
    }

    public func optional(_ name: String) throws(RPCError) -> JSONReader? {
        try map { r throws(JSONFieldError) in try r.optionalField(name) }
    }

    public func required(_ name: String) throws(RPCError) -> JSONReader {
        try map { r throws(JSONFieldError) in try r.field(name) }
    }
}
