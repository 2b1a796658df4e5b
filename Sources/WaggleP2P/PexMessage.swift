import WaggleCore

/// A message on the peer-exchange channel (0x00, Docs/PROTOCOL.md "Peer exchange"), after
/// CometBFT's PEX reactor (`PexRequest`, `PexAddrs`):
///
///     pex     = 0x01                                  request: "send me addresses"
///             | 0x02 count u32 (≤ 250) address*       addrs: the answer to a request
///     address = node id (20 bytes) ‖ family u8 (0x04 | 0x06) ‖ IP (4 | 16 bytes) ‖ port u16 (≥ 1)
///
/// An IPv4-mapped IPv6 address must be sent as IPv4 (one encoding per address). Host names never
/// travel: a node puts only addresses it can dial by IP into its book.
public enum PexMessage: Hashable, Sendable, CanonicalCodable {
    case request
    case addrs([PexAddress])

    /// CometBFT's `maxGetSelection`: the most addresses one reply may carry.
    public static let maxAddresses = 250

    public func encode(to e: inout CanonicalEncoder) {
        switch self {
        case .request: e.u8(0x01)
        case .addrs(let list):
            e.u8(0x02)
            e.list(list)
        }
    }

    public init(from d: inout CanonicalDecoder) throws {
        switch try d.u8() {
        case 0x01: self = .request
        case 0x02: self = .addrs(try d.list(PexAddress.self, maxCount: Self.maxAddresses))
        case let t: throw CodecError(.unknownTag, "unknown pex message tag \(t)")
        }
    }
}

/// A dialable peer as peer exchange carries it: node id, IP and port.
public struct PexAddress: Hashable, Sendable, CanonicalCodable, CustomStringConvertible {
    public let id: NodeID
    public let ip: IPAddress
    public let port: UInt16

    public init(id: NodeID, ip: IPAddress, port: UInt16) {
        self.id = id
        self.ip = ip
        self.port = port
    }

    /// The address of `peer` when its host is an IP literal and its port is not 0; nil otherwise.
    public init?(_ peer: PeerAddress) {
        guard let ip = IPAddress(parsing: peer.address.host), (1...65535).contains(peer.address.port) else { return nil }
        self.init(id: peer.id, ip: ip, port: UInt16(peer.address.port))
    }

    public var peerAddress: PeerAddress { PeerAddress(id: id, address: NetAddress(host: ip.description, port: Int(port))) }
    public var description: String { peerAddress.description }

    public func encode(to e: inout CanonicalEncoder) {
        id.encode(to: &e)
        e.u8(ip.isIPv4 ? 0x04 : 0x06)
        e.fixed(ip.bytes)
        e.u16(port)
    }

    public init(from d: inout CanonicalDecoder) throws {
        id = try NodeID(from: &d)
        let family = try d.u8()
        let raw: [UInt8]
        switch family {
        case 0x04: raw = try d.fixed(4)
        case 0x06: raw = try d.fixed(16)
        default: throw CodecError(.unknownTag, "unknown address family \(family)")
        }
        guard let ip = IPAddress(bytes: raw), ip.bytes.count == raw.count else {
            throw CodecError(.nonCanonical, "an IPv4-mapped IPv6 address must be sent as IPv4")
        }
        self.ip = ip
        port = try d.u16()
        guard port != 0 else { throw CodecError(.invalidValue, "port 0 cannot be dialled") }
    }
}
