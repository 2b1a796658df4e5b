import WaggleCore

/// A message on the mempool channel (Docs/PROTOCOL.md, "P2P"):
///
///     mempool = 0x01 transaction (its canonical encoding)
///
/// One transaction per message; the receiver checks it as it checks one sent over RPC.
public enum MempoolMessage: Hashable, Sendable, CanonicalCodable {
    case transaction(Transaction)

    public func encode(to e: inout CanonicalEncoder) {
        switch self {
        case .transaction(let tx):
            e.u8(0x01)
            tx.encode(to: &e)
        }
    }

    public init(from d: inout CanonicalDecoder) throws {
        switch try d.u8() {
        case 0x01: self = .transaction(try Transaction(from: &d))
        case let t: throw CodecError(.unknownTag, "unknown mempool message tag \(t)")
        }
    }
}
