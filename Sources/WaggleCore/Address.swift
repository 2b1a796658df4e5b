/// An account or validator address: the first 20 bytes of SHA-256(Ed25519 public key), written as
/// 0x-prefixed lower-case hex.
public struct Address: Hashable, Comparable, Sendable, CanonicalCodable, CustomStringConvertible {
    public static let length = 20

    public let bytes: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    public init(publicKey: PublicKey) {
        bytes = Array(Hash256.sha256(publicKey.bytes).bytes.prefix(Self.length))
    }

    /// Parses "0x" followed by exactly 40 hex digits.
    public init?(hex: String) {
        guard hex.hasPrefix("0x") || hex.hasPrefix("0X"), let b = Hex.decode(hex), b.count == Self.length else {
            return nil
        }
        bytes = b
    }

    public var hex: String { "0x" + Hex.encode(bytes) }
    public var description: String { hex }

    /// Byte-wise order: CometBFT breaks proposer ties towards the smaller address.
    public static func < (a: Address, b: Address) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public func encode(to e: inout CanonicalEncoder) { e.fixed(bytes) }
    public init(from d: inout CanonicalDecoder) throws { bytes = try d.fixed(Self.length) }
}
