import WaggleCore

/// Walks a parsed JSON document with errors that name the exact path of the bad field, e.g.
/// `genesis: validators[0].self_bond: expected an unsigned integer`.
struct JSONPath {
    let value: JSONValue
    let path: String
    let context: String

    init(root: JSONValue, context: String) {
        value = root
        path = ""
        self.context = context
    }

    private init(value: JSONValue, path: String, context: String) {
        self.value = value
        self.path = path
        self.context = context
    }

    func fail(_ what: String) -> LedgerError {
        LedgerError(.invalidGenesis, "\(context): \(path.isEmpty ? "" : path + ": ")\(what)")
    }

    func object() throws(LedgerError) -> [String: JSONValue] {
        guard let o = value.objectValue else { throw fail("expected an object") }
        return o
    }

    func field(_ name: String) throws(LedgerError) -> JSONPath {
        guard let p = try optionalField(name) else { throw fail("missing field \"\(name)\"") }
        return p
    }

    func optionalField(_ name: String) throws(LedgerError) -> JSONPath? {
        guard let v = try object()[name], v != .null else { return nil }
        return JSONPath(value: v, path: path.isEmpty ? name : "\(path).\(name)", context: context)
    }

    /// Rejects keys the format does not define, so a typo is an error rather than a silent default.
    func onlyKeys(_ allowed: Set<String>) throws(LedgerError) {
        for k in try object().keys.sorted() where !allowed.contains(k) {
            throw fail("unknown field \"\(k)\"")
        }
    }

    func array() throws(LedgerError) -> [JSONPath] {
        guard let a = value.arrayValue else { throw fail("expected an array") }
        return a.enumerated().map { JSONPath(value: $1, path: "\(path)[\($0)]", context: context) }
    }

    func string() throws(LedgerError) -> String {
        guard let s = value.stringValue else { throw fail("expected a string") }
        return s
    }

    /// An unsigned 64-bit integer as a decimal string (exact in every JSON library) or a JSON integer.
    func uint64() throws(LedgerError) -> UInt64 {
        guard let v = value.uint64Value else { throw fail("expected an unsigned integer, got \(value.text)") }
        return v
    }

    func uint32() throws(LedgerError) -> UInt32 {
        let v = try uint64()
        guard let r = UInt32(exactly: v) else { throw fail("\(v) is too large") }
        return r
    }

    func uint64(_ name: String, default d: UInt64) throws(LedgerError) -> UInt64 {
        try optionalField(name)?.uint64() ?? d
    }

    func uint32(_ name: String, default d: UInt32) throws(LedgerError) -> UInt32 {
        try optionalField(name)?.uint32() ?? d
    }
}
