/// A minimal ordered JSON writer (key order matters for byte-stable output).
indirect enum JSONValue {
    case string(String)
    case number(Int)
    case array([JSONValue])
    case object([(String, JSONValue)])

    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 1)
        let close = String(repeating: " ", count: indent)
        switch self {
        case .string(let s): return "\"\(s)\""
        case .number(let n): return String(n)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n" + close + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            return "{\n" + fields.map { pad + "\"\($0.0)\": " + $0.1.rendered(indent: indent + 1) }.joined(separator: ",\n")
                + "\n" + close + "}"
        }
    }
}
