import Testing
import WaggleCrypto

@testable import WaggleP2P

/// The cacophony and snow vectors for Noise_XX_25519_ChaChaPoly_SHA256 in ../shared/vectors/noise.
/// Messages alternate initiator, responder, initiator, ...: the first three are the handshake,
/// the rest transport messages.
struct NoiseVectorFile: Decodable {
    struct Vector: Decodable {
        struct Message: Decodable {
            let payload: String
            let ciphertext: String
        }
        let protocol_name: String
        let init_prologue: String
        let init_static: String
        let init_ephemeral: String
        let resp_prologue: String
        let resp_static: String
        let resp_ephemeral: String
        let handshake_hash: String?
        let messages: [Message]
    }
    let vectors: [Vector]
}

@Suite struct NoiseVectorTests {
    @Test(arguments: [
        "cacophony_Noise_XX_25519_ChaChaPoly_SHA256.json",
        "snow_Noise_XX_25519_ChaChaPoly_SHA256.json",
    ])
    func reproducesEveryMessageOfTheVectorsByteForByte(file: String) throws {
        guard let parsed = try VectorFiles.load(NoiseVectorFile.self, "noise", file) else {
            print("skipping \(file): ../shared/vectors/noise not found")
            return
        }
        #expect(!parsed.vectors.isEmpty)
        for v in parsed.vectors {
            #expect(v.protocol_name == HandshakeState.protocolName)
            #expect(v.messages.count > 3, "a vector with transport messages")
            var initiator = HandshakeState(
                role: .initiator, prologue: hex(v.init_prologue),
                staticKey: try #require(X25519PrivateKey(unsafeRawKey: hex(v.init_static))),
                ephemeralKey: try #require(X25519PrivateKey(unsafeRawKey: hex(v.init_ephemeral))))
            var responder = HandshakeState(
                role: .responder, prologue: hex(v.resp_prologue),
                staticKey: try #require(X25519PrivateKey(unsafeRawKey: hex(v.resp_static))),
                ephemeralKey: try #require(X25519PrivateKey(unsafeRawKey: hex(v.resp_ephemeral))))

            for (i, m) in v.messages.prefix(3).enumerated() {
                let payload = hex(m.payload), ciphertext = hex(m.ciphertext)
                if i % 2 == 0 {
                    #expect(try initiator.writeMessage(payload: payload) == ciphertext, "\(file) message \(i)")
                    #expect(try responder.readMessage(ciphertext) == payload, "\(file) message \(i)")
                } else {
                    #expect(try responder.writeMessage(payload: payload) == ciphertext, "\(file) message \(i)")
                    #expect(try initiator.readMessage(ciphertext) == payload, "\(file) message \(i)")
                }
            }
            var toResponder = try #require(initiator.transport)
            var toInitiator = try #require(responder.transport)
            #expect(initiator.phase == .complete && responder.phase == .complete)
            #expect(toResponder.handshakeHash == toInitiator.handshakeHash)
            if let h = v.handshake_hash {
                #expect(toResponder.handshakeHash == hex(h), "\(file) handshake hash")
            }
            let initStatic = try #require(X25519PrivateKey(unsafeRawKey: hex(v.init_static)))
            let respStatic = try #require(X25519PrivateKey(unsafeRawKey: hex(v.resp_static)))
            #expect(toResponder.remoteStaticKey == respStatic.publicKey)
            #expect(toInitiator.remoteStaticKey == initStatic.publicKey)

            for (i, m) in v.messages.enumerated().dropFirst(3) {
                let payload = hex(m.payload), ciphertext = hex(m.ciphertext)
                if i % 2 == 0 {
                    #expect(try toResponder.encrypt(payload) == ciphertext, "\(file) message \(i)")
                    #expect(try toInitiator.decrypt(ciphertext) == payload, "\(file) message \(i)")
                } else {
                    #expect(try toInitiator.encrypt(payload) == ciphertext, "\(file) message \(i)")
                    #expect(try toResponder.decrypt(ciphertext) == payload, "\(file) message \(i)")
                }
            }
        }
    }
}
