/// A field of a parsed JSON document that failed validation, named by its path, e.g.
/// `genesis: validators[0].self_bond: expected an unsigned integer`.
public struct JSONFieldError: Error, CustomStringConvertible, Sendable {
    public let context: String
    public let path: String
    public let problem: String

    public var description: String { "\(context): \(path.isEmpty ? "" : path + ": ")\(problem)" }
}

/// Walks a parsed JSON document (genesis, config, RPC params) with errors that name the exact
/// path of the bad field.
public struct JSONReader: Sendable {
    public let value: JSONValue
    public let path: String
    public let context: String

    public init(_ root: JSONValue, context: String) {
        value = root
        path = ""
        self.context = context
    }

    private init(value: JSONValue, path: String, context: String) {
        self.value = value
        self.path = path
        self.context = context
    }

    public func fail(_ problem: String) -> JSONFieldError {
        JSONFieldError(context: context, path: path, problem: problem)
    }

    public func object() throws(JSONFieldError) -> [String: JSONValue] {
        guard let o = value.objectValue else { throw fail("expected an object") }
        return o
    }

    public func field(_ name: String) throws(JSONFieldError) -> JSONReader {
        guard let p = try optionalField(name) else { throw fail("missing field \"\(name)\"") }
        return p
    }

    public func optionalField(_ name: String) throws(JSONFieldError) -> JSONReader? {
        guard let v = try object()[name], v != .null else { return nil }
        return JSONReader(value: v, path: path.isEmpty ? name : "\(path).\(name)", context: context)
    }

    /// Rejects keys the format does not define, so a typo is an error rather than a silent default.
    public func onlyKeys(_ allowed: Set<String>) throws(JSONFieldError) {
        for k in try object().keys.sorted() where !allowed.contains(k) {
            throw fail("unknown field \"\(k)\"")
        }
    }

    public func array() throws(JSONFieldError) -> [JSONReader] {
        guard let a = value.arrayValue else { throw fail("expected an array") }
        return a.enumerated().map { JSONReader(value: $1, path: "\(path)[\($0)]", context: context) }
    }

    public func string() throws(JSONFieldError) -> String {
        guard let s = value.stringValue else { throw fail("expected a string") }
        return s
    }

    public func bool() throws(JSONFieldError) -> Bool {
        guard case .bool(let b) = value else { throw fail("expected true or false") }
        return b
    }

    /// An unsigned 64-bit integer as a decimal string (exact in every JSON library) or a JSON integer.
    public func uint64() throws(JSONFieldError) -> UInt64 {
        if let v = value.uint64Value { return v }
        if case .number(let t) = value {
            // Quote what the client wrote: `1.0` and `1e0` are numbers, but not integers.
            guard t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                throw fail("must be an integer (digits only, no fraction or exponent), got \(t)")
            }
            throw fail("\(t) is out of range (at most \(UInt64.max))")
        }
        throw fail("expected an unsigned integer, got \(value.text)")
    }

    public func uint32() throws(JSONFieldError) -> UInt32 {
        let v = try uint64()
        guard let r = UInt32(exactly: v) else { throw fail("\(v) is too large") }
        return r
    }

    public func int() throws(JSONFieldError) -> Int {
        let v = try uint64()
        guard let r = Int(exactly: v) else { throw fail("\(v) is too large") }
        return r
    }

    public func uint64(_ name: String, default d: UInt64) throws(JSONFieldError) -> UInt64 {
        try optionalField(name)?.uint64() ?? d
    }

    public func uint32(_ name: String, default d: UInt32) throws(JSONFieldError) -> UInt32 {
        try optionalField(name)?.uint32() ?? d
    }

    /// Byte strings in JSON are `0x` followed by hex digits of either case (`Hex.decodePrefixed`).
    public func bytes() throws(JSONFieldError) -> [UInt8] {
        guard let b = Hex.decodePrefixed(try string()) else { throw fail("expected 0x followed by an even number of hex digits") }
        return b
    }

    public func address() throws(JSONFieldError) -> Address {
        guard let b = Hex.decodePrefixed(try string()), let a = Address(b) else {
            throw fail("expected a 0x-prefixed 20-byte hex address")
        }
        return a
    }

    public func hash() throws(JSONFieldError) -> Hash256 {
        guard let b = Hex.decodePrefixed(try string()), let h = Hash256(b) else { throw fail("expected a 0x-prefixed 32-byte hex hash") }
        return h
    }
}
