import WaggleCore

/// Keep-alive on the control channel: a ping carries a number that the pong echoes.
///
///     control = 0x01 ping ‖ nonce u64 | 0x02 pong ‖ nonce u64
public enum ControlMessage: Hashable, Sendable, CanonicalCodable {
    case ping(UInt64)
    case pong(UInt64)

    public func encode(to e: inout CanonicalEncoder) {
        switch self {
        case .ping(let n):
            e.u8(0x01)
            e.u64(n)
        case .pong(let n):
            e.u8(0x02)
            e.u64(n)
        }
    }

    public init(from d: inout CanonicalDecoder) throws {
        switch try d.u8() {
        case 0x01: self = .ping(try d.u64())
        case 0x02: self = .pong(try d.u64())
        case let t: throw CodecError(.unknownTag, "unknown control message tag \(t)")
        }
    }

    /// The answer a peer owes: a pong for a ping, nothing for a pong.
    public var reply: ControlMessage? {
        if case .ping(let n) = self { return .pong(n) }
        return nil
    }
}
