import Foundation
import Testing
import WaggleCrypto

/// Finds ../shared/vectors by walking up from this file; nil when the folder is absent.
func sharedVectors(_ sub: String, filePath: String = #filePath) -> URL? {
    var dir = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    for _ in 0..<6 {
        let candidate = dir.appendingPathComponent("shared/vectors").appendingPathComponent(sub)
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        let sibling = dir.deletingLastPathComponent().appendingPathComponent("shared/vectors").appendingPathComponent(sub)
        if FileManager.default.fileExists(atPath: sibling.path) { return sibling }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}

func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.utf8.makeIterator()
    while let a = it.next(), let b = it.next() {
        out.append(UInt8(String(bytes: [a, b], encoding: .ascii)!, radix: 16)!)
    }
    return out
}

struct RFC8032Vector: Decodable {
    let name: String
    let secret_key: String
    let public_key: String
    let message: String
    let signature: String
}

struct SpeccheckCase: Decodable {
    let message: String
    let pub_key: String
    let signature: String
}

struct SpeccheckExpectations: Decodable {
    struct Case: Decodable {
        let index: Int
        let libsodium: String
    }
    let cases: [Case]
}

@Suite struct Ed25519Tests {
    @Test func rfc8032VectorsDeriveKeysSignAndVerify() throws {
        guard let url = sharedVectors("ed25519/rfc8032_7_1.json") else {
            print("skipping: ../shared/vectors/ed25519 not found")
            return
        }
        let vectors = try JSONDecoder().decode([RFC8032Vector].self, from: Data(contentsOf: url))
        #expect(vectors.count == 5)
        for v in vectors {
            let key = try #require(Ed25519PrivateKey(unsafeSeed: hex(v.secret_key)))
            #expect(key.publicKey == hex(v.public_key), "\(v.name)")
            #expect(key.sign(hex(v.message)) == hex(v.signature), "\(v.name)")
            #expect(Ed25519.verify(signature: hex(v.signature), message: hex(v.message), publicKey: hex(v.public_key)))
        }
    }

    @Test func speccheckEdgeCasesMatchLibsodiumExpectations() throws {
        guard let casesURL = sharedVectors("ed25519/speccheck_cases.json"),
            let expURL = sharedVectors("ed25519/speccheck_expectations.json")
        else {
            print("skipping: ../shared/vectors/ed25519 not found")
            return
        }
        let cases = try JSONDecoder().decode([SpeccheckCase].self, from: Data(contentsOf: casesURL))
        let exp = try JSONDecoder().decode(SpeccheckExpectations.self, from: Data(contentsOf: expURL))
        #expect(cases.count == 12)
        for e in exp.cases {
            let c = cases[e.index]
            let accepted = Ed25519.verify(signature: hex(c.signature), message: hex(c.message), publicKey: hex(c.pub_key))
            #expect(accepted == (e.libsodium == "accept"), "speccheck case \(e.index)")
        }
    }

    @Test func theLinkedLibsodiumIsOneWhoseVerificationMatchesTheReference() {
        #expect(Sodium.verifiesLikeTheReference, "libsodium \(Sodium.version)")
        #expect(Sodium.version.hasPrefix("1.0."))
    }

    @Test func verifyRejectsTamperedMessageSignatureAndKey() {
        let key = Ed25519PrivateKey()
        let msg: [UInt8] = Array("waggle".utf8)
        let sig = key.sign(msg)
        #expect(Ed25519.verify(signature: sig, message: msg, publicKey: key.publicKey))
        #expect(!Ed25519.verify(signature: sig, message: msg + [0], publicKey: key.publicKey))
        var badSig = sig
        badSig[10] ^= 1
        #expect(!Ed25519.verify(signature: badSig, message: msg, publicKey: key.publicKey))
        #expect(!Ed25519.verify(signature: sig, message: msg, publicKey: Ed25519PrivateKey().publicKey))
    }

    @Test func verifyReturnsFalseForWrongLengthsInsteadOfTrapping() {
        let key = Ed25519PrivateKey()
        #expect(!Ed25519.verify(signature: [], message: [], publicKey: key.publicKey))
        #expect(!Ed25519.verify(signature: [UInt8](repeating: 0, count: 64), message: [], publicKey: [1, 2, 3]))
    }

    @Test func emptyMessageSignsAndVerifies() {
        let key = Ed25519PrivateKey()
        let sig = key.sign([])
        #expect(Ed25519.verify(signature: sig, message: [], publicKey: key.publicKey))
    }

    @Test func seedRoundTripsAndWrongSeedLengthIsRejected() {
        let key = Ed25519PrivateKey()
        let again = Ed25519PrivateKey(unsafeSeed: key.exportSeed())
        #expect(again?.publicKey == key.publicKey)
        #expect(Ed25519PrivateKey(unsafeSeed: [1, 2, 3]) == nil)
    }

    @Test func randomBytesAreFreshAndOfTheRequestedLength() {
        let a = Sodium.randomBytes(32), b = Sodium.randomBytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
        #expect(Sodium.randomBytes(0).isEmpty)
    }

    @Test func secretBytesExposeExactlyWhatWasStored() {
        let s = SecretBytes([9, 8, 7])
        #expect(s.length == 3)
        #expect(s.withUnsafeBytes { Array($0) } == [9, 8, 7])
        #expect(SecretBytes([]).withUnsafeBytes { $0.count } == 0)
    }
}
