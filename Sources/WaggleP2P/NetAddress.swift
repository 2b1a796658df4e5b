/// A host and a TCP port, written `host:port`, `[ipv6]:port`, or with CometBFT's `tcp://` prefix
/// (`laddr = "tcp://0.0.0.0:26656"`). The host is an IPv4 or IPv6 literal or a DNS name; nothing
/// is resolved here.
public struct NetAddress: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `[tcp://]host:port`. Port 0 ("pick a free port") only where `allowPortZero` (a
    /// listen address); a peer's address needs a real port.
    public init(parsing text: String, allowPortZero: Bool = false) throws(PeerAddressError) {
        var rest = Substring(text)
        if rest.hasPrefix("tcp://") { rest = rest.dropFirst(6) }
        if let scheme = rest.range(of: "://") {
            throw PeerAddressError("\"\(text)\": unsupported scheme \"\(rest[..<scheme.lowerBound])\" (only tcp:// is)")
        }
        guard let colon = rest.lastIndex(of: ":") else { throw PeerAddressError("\"\(text)\": expected HOST:PORT") }
        var host = rest[..<colon]
        let portText = rest[rest.index(after: colon)...]
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else {
                throw PeerAddressError("\"\(text)\": unbalanced brackets around the IPv6 host")
            }
            host = host.dropFirst().dropLast()
            guard host.utf8.allSatisfy({ Self.isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else {
                throw PeerAddressError("\"\(text)\": \"\(host)\" is not an IPv6 address")
            }
        } else {
            guard !host.isEmpty else { throw PeerAddressError("\"\(text)\": the host is empty") }
            guard host.utf8.count <= 253,
                host.utf8.allSatisfy({ Self.isHexDigit($0) || Self.isLetter($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
            else {
                throw PeerAddressError("\"\(text)\": \"\(host)\" is not a host name or IP address (IPv6 goes in brackets)")
            }
        }
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let port = Int(portText), port <= 65535
        else { throw PeerAddressError("\"\(text)\": the port must be a number from \(allowPortZero ? 0 : 1) to 65535") }
        guard port > 0 || allowPortZero else { throw PeerAddressError("\"\(text)\": port 0 cannot be dialled") }
        self.host = String(host)
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
    }
    private static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) }
}

/// A peer to dial, written `ID@host:port` (CometBFT's form): the node id the dialer expects, and
/// where to find it.
public struct PeerAddress: Hashable, Sendable, CustomStringConvertible {
    public let id: NodeID
    public let address: NetAddress

    public init(id: NodeID, address: NetAddress) {
        self.id = id
        self.address = address
    }

    public init(parsing text: String) throws(PeerAddressError) {
        let trimmed = text.trimmingSpaces
        guard let at = trimmed.firstIndex(of: "@") else {
            throw PeerAddressError("\"\(trimmed)\": expected ID@HOST:PORT (the node id is missing)")
        }
        let idText = String(trimmed[..<at])
        guard let id = NodeID(hex: idText) else {
            throw PeerAddressError("\"\(trimmed)\": the node id must be 40 hex digits, got \"\(idText)\"")
        }
        self.id = id
        address = try NetAddress(parsing: String(trimmed[trimmed.index(after: at)...]))
    }

    /// Parses a comma-separated list (the form of `persistent_peers` and `seeds`); empty entries
    /// (a trailing comma, an empty string) are skipped, and an id listed twice is an error.
    public static func parseList(_ text: String) throws(PeerAddressError) -> [PeerAddress] {
        var peers: [PeerAddress] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) where !String(entry).trimmingSpaces.isEmpty {
            let peer = try PeerAddress(parsing: String(entry))
            guard !peers.contains(where: { $0.id == peer.id }) else { throw PeerAddressError("node id \(peer.id) is listed twice") }
            peers.append(peer)
        }
        return peers
    }

    public var description: String { "\(id)@\(address)" }
}

/// Why an address does not parse; the reason quotes the text.
public struct PeerAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
