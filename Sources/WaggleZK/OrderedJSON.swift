/// The writer of snarkjs's file layout: fields in snarkjs's order, one-space indentation, numbers
/// as decimal strings. Writing only: every JSON document is read with WaggleCore's strict parser
/// (`JSONValue.parse`), whose serializer sorts keys and so cannot reproduce snarkjs's layout.
indirect enum OrderedJSON {
    case string(String)
    case number(Int)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

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
