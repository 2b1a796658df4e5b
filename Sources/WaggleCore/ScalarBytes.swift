/// A BN254 scalar-field element (an integer below r) as 32 big-endian bytes: a public input, a
/// dataset or model commitment. WaggleCore knows r but no field arithmetic (WaggleZK's `Fr`).
/// Construction and decoding refuse values ≥ r, so each element has exactly one encoding.
public struct ScalarBytes: Hashable, Comparable, Sendable, CanonicalCodable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// r = 21888242871839275222246405745257275088548364400416034343698204186575808495617,
    /// big-endian.
    public static let modulus: [UInt8] = Hex.decode("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001")!

    public static let zero = ScalarBytes(unchecked: [UInt8](repeating: 0, count: 32))

    /// Nil unless `bytes` is 32 bytes holding an integer below r.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 32, bytes.lexicographicallyPrecedes(Self.modulus) else { return nil }
        self.bytes = bytes
    }

    /// A small integer.
    public init(_ value: UInt64) {
        var e = CanonicalEncoder()
        e.fixed([UInt8](repeating: 0, count: 24))
        e.u64(value)
        bytes = e.bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public func encode(to e: inout CanonicalEncoder) { e.fixed(bytes) }

    public init(from d: inout CanonicalDecoder) throws {
        let raw = try d.fixed(32)
        guard let v = ScalarBytes(raw) else { throw CodecError(.invalidValue, "field element is not below the BN254 scalar modulus r") }
        self = v
    }

    public static func < (a: ScalarBytes, b: ScalarBytes) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
    public var description: String { "0x" + Hex.encode(bytes) }
}

/// One fixed public input of a task: the input at `index` must equal `value`.
public struct FixedInput: Hashable, Sendable, CanonicalCodable {
    public var index: UInt32
    public var value: ScalarBytes

    public init(index: UInt32, value: ScalarBytes) {
        self.index = index
        self.value = value
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u32(index)
        e.encode(value)
    }

    public init(from d: inout CanonicalDecoder) throws {
        index = try d.u32()
        value = try d.decode()
    }
}

/// Size limits of the useful-work transactions (Docs/PROTOCOL.md, "Transactions").
public enum UsefulWorkLimits {
    /// Most public inputs a circuit may have (and so a contribution may carry).
    public static let maxPublicInputs = 256
    /// Longest canonical verifying key: tag, alpha, beta, gamma, delta, len(IC), IC of
    /// maxPublicInputs + 1 points.
    public static let maxVerifyingKeyBytes = 1 + 64 + 3 * 128 + 4 + (maxPublicInputs + 1) * 64
    /// A proof's canonical size: A g1 ‖ B g2 ‖ C g1.
    public static let proofBytes = 256
    /// Most circuits waiting for approval at once: `approve_circuit` of another circuit is
    /// refused past it, so the pending list (rewritten by each approval) stays small.
    public static let maxPendingApprovals = 1_024
    /// Epochs whose ends count the approvals of a circuit, starting with the epoch of its first
    /// approval; a circuit still short of 2/3 after them leaves the pending list with its approvals.
    public static let approvalWindowEpochs: UInt64 = 4
    /// Longest name of a circuit, dataset or model, in UTF-8 bytes.
    public static let maxNameBytes = 64

    /// A name is 1 to 64 bytes of UTF-8 without control characters (U+0000–U+001F, U+007F).
    public static func isValidName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= maxNameBytes && s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }

    static func name(_ d: inout CanonicalDecoder) throws -> String {
        let s = try d.string(maxLength: maxNameBytes)
        guard isValidName(s) else {
            throw CodecError(.invalidValue, "a name must be 1 to \(maxNameBytes) bytes without control characters")
        }
        return s
    }
}
