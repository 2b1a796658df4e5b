import WaggleCrypto

/// An Ed25519 public key (32 bytes).
public struct PublicKey: Hashable, Sendable, CanonicalCodable, CustomStringConvertible {
    public static let length = 32
    public let bytes: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == Self.length else { return nil }
        bytes = b
    }

    public var address: Address { Address(publicKey: self) }
    public var hex: String { "0x" + Hex.encode(bytes) }
    public var description: String { hex }

    /// Verifies with libsodium's `crypto_sign_verify_detached`, the one verifier of the protocol.
    public func verify(_ signature: Signature, over message: [UInt8]) -> Bool {
        Ed25519.verify(signature: signature.bytes, message: message, publicKey: bytes)
    }

    public func encode(to e: inout CanonicalEncoder) { e.fixed(bytes) }
    public init(from d: inout CanonicalDecoder) throws { bytes = try d.fixed(Self.length) }
}

/// An Ed25519 signature (64 bytes).
public struct Signature: Hashable, Sendable, CanonicalCodable, CustomStringConvertible {
    public static let length = 64
    public let bytes: [UInt8]

    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == Self.length else { return nil }
        bytes = b
    }

    public var hex: String { "0x" + Hex.encode(bytes) }
    public var description: String { hex }

    public func encode(to e: inout CanonicalEncoder) { e.fixed(bytes) }
    public init(from d: inout CanonicalDecoder) throws { bytes = try d.fixed(Self.length) }
}

/// A signing identity: an Ed25519 private key with its public key and address.
public struct Signer: Sendable {
    public let privateKey: Ed25519PrivateKey
    public let publicKey: PublicKey
    public var address: Address { publicKey.address }

    public init(_ privateKey: Ed25519PrivateKey) {
        self.privateKey = privateKey
        publicKey = PublicKey(privateKey.publicKey)!
    }

    /// A fresh key from the operating system's CSPRNG.
    public static func generate() -> Signer { Signer(Ed25519PrivateKey()) }

    /// A deterministic key from a 32-byte seed (test keys, key files).
    public init?(seed: [UInt8]) {
        guard let k = Ed25519PrivateKey(unsafeSeed: seed) else { return nil }
        self.init(k)
    }

    public func sign(_ message: [UInt8]) -> Signature {
        Signature(privateKey.sign(message))!
    }
}
