import CSodium

/// Ed25519 through libsodium. `crypto_sign_verify_detached` is the single verifier used for
/// consensus; its accept/reject behaviour on edge cases is pinned by ../shared/vectors/ed25519.
public enum Ed25519 {
    public static let publicKeyLength = Int(crypto_sign_PUBLICKEYBYTES)  // 32
    public static let secretKeyLength = Int(crypto_sign_SECRETKEYBYTES)  // 64 (seed || public key)
    public static let seedLength = Int(crypto_sign_SEEDBYTES)  // 32
    public static let signatureLength = Int(crypto_sign_BYTES)  // 64

    // libsodium never reads a zero-length message, but its signature wants a valid pointer.
    nonisolated(unsafe) static let emptyMessage: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// Verifies a detached signature. Returns false for wrong lengths instead of trapping.
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        Sodium.ensureInitialised()
        guard signature.count == signatureLength, publicKey.count == publicKeyLength else { return false }
        return signature.withUnsafeBufferPointer { sig in
            publicKey.withUnsafeBufferPointer { pk in
                message.withUnsafeBufferPointer { msg in
                    crypto_sign_verify_detached(
                        sig.baseAddress!, msg.baseAddress ?? Ed25519.emptyMessage,
                        UInt64(msg.count), pk.baseAddress!) == 0
                }
            }
        }
    }
}

/// An Ed25519 signing key. The 64-byte libsodium secret key lives in `SecretBytes`.
public struct Ed25519PrivateKey: Sendable {
    private let secret: SecretBytes
    public let publicKey: [UInt8]

    /// A fresh key from the operating system's CSPRNG.
    public init() {
        self.init(unsafeSeed: Sodium.randomBytes(Ed25519.seedLength))!
    }

    /// Derives the key from a 32-byte seed. Returns nil for a seed of the wrong length.
    /// The name warns that whoever knows the seed knows the key.
    public init?(unsafeSeed seed: [UInt8]) {
        Sodium.ensureInitialised()
        guard seed.count == Ed25519.seedLength else { return nil }
        var pk = [UInt8](repeating: 0, count: Ed25519.publicKeyLength)
        var sk = [UInt8](repeating: 0, count: Ed25519.secretKeyLength)
        let rc = seed.withUnsafeBufferPointer { s in
            crypto_sign_seed_keypair(&pk, &sk, s.baseAddress!)
        }
        guard rc == 0 else { return nil }
        secret = SecretBytes(sk)
        sodium_memzero(&sk, sk.count)
        publicKey = pk
    }

    /// The 32-byte seed, for writing key files. Handle the result as secret.
    public func exportSeed() -> [UInt8] {
        secret.withUnsafeBytes { Array($0[0..<Ed25519.seedLength]) }
    }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: Ed25519.signatureLength)
        secret.withUnsafeBytes { sk in
            message.withUnsafeBufferPointer { msg in
                _ = crypto_sign_detached(
                    &sig, nil, msg.baseAddress ?? Ed25519.emptyMessage, UInt64(msg.count),
                    sk.bindMemory(to: UInt8.self).baseAddress!)
            }
        }
        return sig
    }
}
