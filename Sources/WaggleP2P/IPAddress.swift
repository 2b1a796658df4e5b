#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its 4 or 16 bytes: what peer exchange carries (CometBFT's
/// `NetAddress` also holds an IP, never a DNS name). An IPv4-mapped IPv6 address
/// (`::ffff:a.b.c.d`) is held as the IPv4 address, so each address has one form.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6).
    public let bytes: [UInt8]

    /// nil unless `bytes` has 4 or 16 bytes; a mapped IPv6 address becomes IPv4.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self.bytes = bytes
        case 16 where bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff:
            self.bytes = Array(bytes[12...])
        case 16: self.bytes = bytes
        default: return nil
        }
    }

    /// Parses an IP literal (`1.2.3.4`, `2001:db8::1`, no brackets); nil for anything else,
    /// host names included.
    public init?(parsing text: String) {
        guard text.utf8.count <= 45, !text.isEmpty else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// The canonical text form (RFC 5952 for IPv6), without brackets.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(isIPv4 ? AF_INET : AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // CometBFT p2p/netaddress.go: Valid() and Routable(), with the same RFC ranges.

    /// Dialable at all: not unspecified (0.0.0.0, ::), not the IPv4 broadcast address, not the
    /// RFC 3849 documentation range (2001:db8::/32), not multicast.
    public var isValid: Bool {
        if bytes.allSatisfy({ $0 == 0 }) { return false }
        if isIPv4 {
            if bytes == [255, 255, 255, 255] || bytes[0] == 0 { return false }
            if bytes[0] >= 224 && bytes[0] <= 239 { return false }  // multicast
            return true
        }
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0d, bytes[3] == 0xb8 { return false }  // RFC 3849
        return bytes[0] != 0xff  // multicast
    }

    /// Reachable over the public internet: valid, and none of loopback, RFC 1918 private
    /// (10/8, 172.16/12, 192.168/16), RFC 3927 link-local (169.254/16), RFC 4862 IPv6 link-local
    /// (fe80::/64), RFC 4193 unique local (fc00::/7), RFC 4843 ORCHID (2001:10::/28).
    /// `addr_book_strict = true` keeps only these.
    public var isRoutable: Bool {
        guard isValid else { return false }
        if isIPv4 {
            let (a, b) = (bytes[0], bytes[1])
            if a == 127 || a == 10 { return false }
            if a == 172 && (b & 0xf0) == 16 { return false }
            if a == 192 && b == 168 { return false }
            if a == 169 && b == 254 { return false }
            return true
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return false }  // ::1
        if bytes[0] == 0xfe && bytes[1] == 0x80 && bytes[2..<8].allSatisfy({ $0 == 0 }) { return false }
        if (bytes[0] & 0xfe) == 0xfc { return false }
        if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x00 && (bytes[3] & 0xf0) == 0x10 { return false }
        return true
    }
}
