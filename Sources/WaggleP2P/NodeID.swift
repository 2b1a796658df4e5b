import WaggleCore

/// A node's identity on the network: the first 20 bytes of SHA-256(node Ed25519 public key), the
/// same rule as an `Address`, written as 40 lower-case hex digits without a prefix (peers are
/// written `ID@host:port`, CometBFT's form).
public struct NodeID: Hashable, Comparable, Sendable, CanonicalCodable, CustomStringConvertible {
    public static let length = Address.length

    public let bytes: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    public init(publicKey: PublicKey) {
        bytes = Address(publicKey: publicKey).bytes
    }

    /// Parses exactly 40 hex digits (either case, no prefix).
    public init?(hex: String) {
        guard hex.utf8.count == 2 * Self.length, !hex.hasPrefix("0x"), !hex.hasPrefix("0X"),
            let b = Hex.decode(hex), b.count == Self.length
        else { return nil }
        bytes = b
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    public static func < (a: NodeID, b: NodeID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public func encode(to e: inout CanonicalEncoder) { e.fixed(bytes) }
    public init(from d: inout CanonicalDecoder) throws { bytes = try d.fixed(Self.length) }
}
