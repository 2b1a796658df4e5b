import Testing
import WaggleCrypto

private func bytes(of secret: SecretBytes) -> [UInt8] { secret.withUnsafeBytes { Array($0) } }

@Suite struct X25519Tests {
    // RFC 7748 section 5.2: the scalar is used as given (clamped inside), u is the peer's point.
    @Test func rfc7748ScalarMultiplicationVectors() throws {
        let cases = [
            (
                "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
                "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"
            ),
            (
                "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
                "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"
            ),
        ]
        for (scalar, u, expected) in cases {
            let key = try #require(X25519PrivateKey(unsafeRawKey: hex(scalar)))
            #expect(bytes(of: try key.sharedSecret(with: hex(u))) == hex(expected))
        }
    }

    // RFC 7748 section 6.1: Alice and Bob derive the same secret.
    @Test func rfc7748DiffieHellmanExample() throws {
        let alice = try #require(X25519PrivateKey(unsafeRawKey: hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")))
        let bob = try #require(X25519PrivateKey(unsafeRawKey: hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")))
        #expect(alice.publicKey == hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"))
        #expect(bob.publicKey == hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"))
        let shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
        #expect(bytes(of: try alice.sharedSecret(with: bob.publicKey)) == shared)
        #expect(bytes(of: try bob.sharedSecret(with: alice.publicKey)) == shared)
    }

    @Test func refusesSmallOrderPointsThatGiveAnAllZeroSecret() throws {
        let key = X25519PrivateKey()
        // The identity (u = 0) and the point of order 2 (u = 1) multiply to zero for every scalar.
        for u in [[UInt8](repeating: 0, count: 32), [1] + [UInt8](repeating: 0, count: 31)] {
            #expect(throws: CryptoError(.weakSharedSecret, "")) { try key.sharedSecret(with: u) }
        }
    }

    @Test func refusesKeysOfTheWrongLength() {
        #expect(X25519PrivateKey(unsafeRawKey: [UInt8](repeating: 7, count: 31)) == nil)
        #expect(X25519PrivateKey(unsafeRawKey: [UInt8](repeating: 7, count: 33)) == nil)
        #expect(throws: CryptoError(.invalidLength, "")) {
            try X25519PrivateKey().sharedSecret(with: [UInt8](repeating: 9, count: 31))
        }
    }

    @Test func randomKeysDifferAndAgree() throws {
        let a = X25519PrivateKey(), b = X25519PrivateKey()
        #expect(a.publicKey != b.publicKey)
        #expect(bytes(of: try a.sharedSecret(with: b.publicKey)) == bytes(of: try b.sharedSecret(with: a.publicKey)))
    }
}

@Suite struct ChaCha20Poly1305Tests {
    // RFC 8439 section 2.8.2.
    static let key = SecretBytes(Array(0x80...0x9f))
    static let nonce = hex("070000004041424344454647")
    static let ad = hex("50515253c0c1c2c3c4c5c6c7")
    static let plaintext = Array(
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
    static let sealed = hex(
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
            + "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
            + "3ff4def08e4b7a9de576d26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691")

    @Test func rfc8439SealVector() throws {
        #expect(try ChaCha20Poly1305.seal(Self.plaintext, associatedData: Self.ad, nonce: Self.nonce, key: Self.key) == Self.sealed)
        #expect(try ChaCha20Poly1305.open(Self.sealed, associatedData: Self.ad, nonce: Self.nonce, key: Self.key) == Self.plaintext)
    }

    @Test func openRefusesAnyFlippedBitAndOtherAssociatedDataOrNonce() throws {
        for i in stride(from: 0, to: Self.sealed.count, by: 7) {
            var c = Self.sealed
            c[i] ^= 0x01
            #expect(throws: CryptoError(.authenticationFailed, "")) {
                try ChaCha20Poly1305.open(c, associatedData: Self.ad, nonce: Self.nonce, key: Self.key)
            }
        }
        #expect(throws: CryptoError(.authenticationFailed, "")) {
            try ChaCha20Poly1305.open(Self.sealed, associatedData: [], nonce: Self.nonce, key: Self.key)
        }
        #expect(throws: CryptoError(.authenticationFailed, "")) {
            try ChaCha20Poly1305.open(Self.sealed, associatedData: Self.ad, nonce: ChaCha20Poly1305.noiseNonce(1), key: Self.key)
        }
        #expect(throws: CryptoError(.authenticationFailed, "")) {
            try ChaCha20Poly1305.open(Array(Self.sealed.prefix(15)), associatedData: Self.ad, nonce: Self.nonce, key: Self.key)
        }
    }

    @Test func emptyPlaintextSealsToATagAndOpens() throws {
        let sealed = try ChaCha20Poly1305.seal([], associatedData: [], nonce: ChaCha20Poly1305.noiseNonce(0), key: Self.key)
        #expect(sealed.count == 16)
        #expect(try ChaCha20Poly1305.open(sealed, associatedData: [], nonce: ChaCha20Poly1305.noiseNonce(0), key: Self.key) == [])
    }

    @Test func refusesKeysAndNoncesOfTheWrongLength() {
        #expect(throws: CryptoError(.invalidLength, "")) {
            try ChaCha20Poly1305.seal([1], associatedData: [], nonce: Self.nonce, key: SecretBytes([1, 2, 3]))
        }
        #expect(throws: CryptoError(.invalidLength, "")) {
            try ChaCha20Poly1305.open(Self.sealed, associatedData: [], nonce: [0, 0], key: Self.key)
        }
    }

    @Test func noiseNonceIsFourZeroBytesThenTheCounterLittleEndian() {
        #expect(ChaCha20Poly1305.noiseNonce(0) == [UInt8](repeating: 0, count: 12))
        #expect(ChaCha20Poly1305.noiseNonce(0x0102_0304_0506_0708) == [0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1])
    }
}

@Suite struct SHA256AndHMACTests {
    @Test func sha256KnownDigests() {
        #expect(SHA256Hash.hash([]) == hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        #expect(SHA256Hash.hash(Array("abc".utf8)) == hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }

    // RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (case 5 truncates the output, which we never do).
    @Test func rfc4231Vectors() {
        let cases: [([UInt8], [UInt8], String)] = [
            (
                [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                Array(1...25), [UInt8](repeating: 0xcd, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131),
                Array(
                    ("This is a test using a larger than block-size key and a larger than block-size data. "
                        + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ]
        for (i, (key, message, expected)) in cases.enumerated() {
            #expect(HMACSHA256.authenticate(message, key: key) == hex(expected), "case \(i)")
        }
    }

    @Test func secretFormEqualsPublicFormOverTheConcatenation() {
        let key: [UInt8] = Array(0..<32), first: [UInt8] = Array(100..<140), suffix: [UInt8] = [1, 2, 3]
        let secret = HMACSHA256.authenticate(secret: SecretBytes(first), suffix: suffix, key: SecretBytes(key))
        #expect(bytes(of: secret) == HMACSHA256.authenticate(first + suffix, key: key))
        let noSecret = HMACSHA256.authenticate(secret: SecretBytes([]), suffix: [], key: SecretBytes(key))
        #expect(bytes(of: noSecret) == HMACSHA256.authenticate([], key: key))
    }
}
