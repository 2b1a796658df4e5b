import Synchronization
import WaggleCore

/// The step of a signature in the double-sign guard's (height, round, step) order. Raw values
/// follow CometBFT's privval (propose 1, prevote 2, precommit 3).
public enum SignStep: UInt8, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    case proposal = 1
    case prevote = 2
    case precommit = 3

    public init(_ type: VoteType) { self = type == .prevote ? .prevote : .precommit }
    public static func < (a: SignStep, b: SignStep) -> Bool { a.rawValue < b.rawValue }
    public var description: String {
        switch self {
        case .proposal: "proposal"
        case .prevote: "prevote"
        case .precommit: "precommit"
        }
    }
}

/// The last thing a validator signed (CometBFT's priv_validator_state.json). In JSON the sign
/// bytes and signature are lower-case hex.
public struct LastSignState: Hashable, Sendable, Codable {
    public var height: UInt64
    public var round: UInt32
    public var step: UInt8
    public var signBytes: [UInt8]
    public var signature: Signature?

    public init(height: UInt64, round: UInt32, step: UInt8, signBytes: [UInt8], signature: Signature?) {
        self.height = height
        self.round = round
        self.step = step
        self.signBytes = signBytes
        self.signature = signature
    }

    enum CodingKeys: String, CodingKey {
        case height, round, step
        case signBytes = "sign_bytes"
        case signature
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        height = try c.decode(UInt64.self, forKey: .height)
        round = try c.decode(UInt32.self, forKey: .round)
        step = try c.decode(UInt8.self, forKey: .step)
        guard step <= SignStep.precommit.rawValue else {
            throw DecodingError.dataCorruptedError(forKey: .step, in: c, debugDescription: "step \(step) is not 0 to 3")
        }
        let bytesHex = try c.decode(String.self, forKey: .signBytes)
        guard let bytes = Hex.decode(bytesHex) else {
            throw DecodingError.dataCorruptedError(forKey: .signBytes, in: c, debugDescription: "sign_bytes is not hex")
        }
        signBytes = bytes
        if let sigHex = try c.decodeIfPresent(String.self, forKey: .signature) {
            guard let sig = Signature(hex: sigHex) else {
                throw DecodingError.dataCorruptedError(forKey: .signature, in: c, debugDescription: "signature is not 64 hex bytes")
            }
            signature = sig
        } else {
            signature = nil
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(height, forKey: .height)
        try c.encode(round, forKey: .round)
        try c.encode(step, forKey: .step)
        try c.encode(Hex.encode(signBytes), forKey: .signBytes)
        try c.encodeIfPresent(signature.map { Hex.encode($0.bytes) }, forKey: .signature)
    }
}

/// Where the guard keeps its last sign state. `save` must be durable when it returns: the guard
/// releases a signature only after it.
public protocol SignStatePersistence: Sendable {
    func load() throws -> LastSignState?
    func save(_ state: LastSignState) throws
}

/// Why the guard refused to sign. Equality is on the code only, so tests assert the kind.
public struct SignRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable { case heightRegression, roundRegression, stepRegression, conflictingSignBytes, persistenceFailed }
        let kind: Kind
        public static let heightRegression = Code(kind: .heightRegression)
        public static let roundRegression = Code(kind: .roundRegression)
        public static let stepRegression = Code(kind: .stepRegression)
        /// Same (height, round, step) as the last signature, different bytes: a double sign.
        public static let conflictingSignBytes = Code(kind: .conflictingSignBytes)
        public static let persistenceFailed = Code(kind: .persistenceFailed)
        public var description: String { "\(kind)" }
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (a: SignRefusal, b: SignRefusal) -> Bool { a.code == b.code }
    public func hash(into h: inout Hasher) { h.combine(code) }
    public var description: String { "\(code): \(reason)" }
}

/// What the consensus engine signs with. The node plugs in a `SignGuard`; tests and Byzantine
/// simulated validators may use `UnguardedSigner`.
public protocol ConsensusSigner: Sendable {
    var address: Address { get }
    /// The last signature this signer released, when it keeps one (the guard does).
    var lastSignState: LastSignState? { get }
    mutating func sign(height: UInt64, round: UInt32, step: SignStep, signBytes: [UInt8]) throws(SignRefusal) -> Signature
}

/// Signs anything; no memory of what it signed.
public struct UnguardedSigner: ConsensusSigner {
    public let signer: Signer
    public init(_ signer: Signer) { self.signer = signer }
    public var address: Address { signer.address }
    public var lastSignState: LastSignState? { nil }
    public func sign(height: UInt64, round: UInt32, step: SignStep, signBytes: [UInt8]) throws(SignRefusal) -> Signature {
        signer.sign(signBytes)
    }
}

/// The double-sign guard (CometBFT's FilePV `signVote`/`signProposal` check): it refuses any
/// (height, round, step) below the last signed one, and at the same (height, round, step) it
/// returns the same signature for the same bytes and refuses different bytes. The new state is
/// saved through `persistence` before the signature is returned.
///
/// One shared, locked reference: every copy of an engine that holds it signs through the same
/// lock, and each check reads the state as persisted (not a copy in memory), so no copy of an
/// engine, and no second guard over the same persistence, can sign something conflicting with
/// what another released. A value-type guard let a copied engine double-sign over one disk.
public final class SignGuard<Persistence: SignStatePersistence>: ConsensusSigner {
    public let signer: Signer
    public let persistence: Persistence
    /// Serialises check, sign and save; holds the last state read or written under the lock.
    private let cached: Mutex<LastSignState?>

    /// Loads the last sign state; fails when the persisted state cannot be read (the node must not
    /// sign blind after a restart).
    public init(signer: Signer, persistence: Persistence) throws {
        self.signer = signer
        self.persistence = persistence
        self.cached = Mutex(try persistence.load())
    }

    public var address: Address { signer.address }
    /// The last state this guard read from or wrote to its persistence.
    public var last: LastSignState? { cached.withLock { $0 } }
    public var lastSignState: LastSignState? { last }

    public func sign(height: UInt64, round: UInt32, step: SignStep, signBytes: [UInt8]) throws(SignRefusal) -> Signature {
        try cached.withLock { (cached: inout LastSignState?) throws(SignRefusal) -> Signature in
            let persisted: LastSignState?
            do {
                persisted = try persistence.load()
            } catch {
                throw SignRefusal(.persistenceFailed, "could not read the sign state: \(error)")
            }
            // The state on disk may only move forward: a file deleted or restored from an older
            // copy while the node runs would let it sign again what it already signed.
            if let known = cached {
                guard let p = persisted, (p.height, p.round, p.step) >= (known.height, known.round, known.step) else {
                    throw SignRefusal(
                        .persistenceFailed,
                        "the sign state on disk went back from height \(known.height) round \(known.round) step \(known.step); refusing to sign")
                }
            }
            cached = persisted
            if let last = persisted {
                if last.height > height {
                    throw SignRefusal(.heightRegression, "height \(height) is below the last signed height \(last.height)")
                }
                if last.height == height {
                    if last.round > round {
                        throw SignRefusal(.roundRegression, "round \(round) is below the last signed round \(last.round) at height \(height)")
                    }
                    if last.round == round {
                        if last.step > step.rawValue {
                            throw SignRefusal(.stepRegression, "\(step) after step \(last.step) at height \(height) round \(round)")
                        }
                        if last.step == step.rawValue {
                            guard last.signBytes == signBytes else {
                                throw SignRefusal(.conflictingSignBytes, "different \(step) at height \(height) round \(round)")
                            }
                            if let signature = last.signature { return signature }
                        }
                    }
                }
            }
            let signature = signer.sign(signBytes)
            let next = LastSignState(height: height, round: round, step: step.rawValue, signBytes: signBytes, signature: signature)
            do {
                try persistence.save(next)
            } catch {
                throw SignRefusal(.persistenceFailed, "could not persist the sign state: \(error)")
            }
            cached = next
            return signature
        }
    }
}
