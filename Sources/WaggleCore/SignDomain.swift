/// Domain tags that start every sign byte string, so that no signature can be replayed as another
/// kind of message. Sign bytes are `tag || chain_id || payload` (Docs/PROTOCOL.md).
public enum SignDomain: UInt8, Sendable, CaseIterable {
    case transaction = 0x01
    case proposal = 0x02
    case vote = 0x03
    case handshake = 0x04

    public var tag: String {
        switch self {
        case .transaction: "waggle/tx/v1"
        case .proposal: "waggle/proposal/v1"
        case .vote: "waggle/vote/v1"
        case .handshake: "waggle/handshake/v1"
        }
    }

    /// The prefix of every sign byte string in this domain for the given chain.
    public func prefix(chainID: String) -> CanonicalEncoder {
        var e = CanonicalEncoder(capacity: 128)
        e.string(tag)
        e.string(chainID)
        return e
    }
}

/// Domain-separated hashing for the objects whose hash is an identifier (Docs/PROTOCOL.md).
public enum HashDomain {
    /// Hash of a canonical encoding under a one-byte domain prefix.
    public static func hash(_ domain: UInt8, _ bytes: [UInt8]) -> Hash256 {
        Hash256.sha256(parts: [[domain], bytes])
    }

    public static let header: UInt8 = 0x10
    public static let transaction: UInt8 = 0x11
    public static let validatorSet: UInt8 = 0x12
    public static let commit: UInt8 = 0x13
    public static let evidence: UInt8 = 0x14
    /// Circuit id: SHA-256(0x15 ‖ Groth16 verifying key), WaggleZK's `Groth16VerifyingKey.circuitID`.
    public static let circuit: UInt8 = 0x15
    /// Seed of a Groth16 batch verification's coefficients (WaggleZK, Docs/ZK.md).
    public static let groth16Batch: UInt8 = 0x16
    /// A contribution's public-input set: SHA-256(0x17 ‖ list<field element>).
    public static let publicInputs: UInt8 = 0x17
    // 0x20 (leaf), 0x21 (internal node) and 0x22 (value) are the state tree's, defined in
    // SparseMerkleHashing; keep new domains clear of them.
}
