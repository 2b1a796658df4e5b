import Testing
import WaggleCore
import WaggleCrypto
import WaggleTesting

@testable import WaggleP2P

/// A listener built from the raw Noise machine, to send handshake payloads an honest node would not.
private struct RawResponder {
    var noise: HandshakeState
    init(staticKey: X25519PrivateKey = x25519Key(77)) {
        noise = HandshakeState(role: .responder, prologue: PeerHandshake.defaultPrologue, staticKey: staticKey, ephemeralKey: x25519Key(78))
    }
}

private func runUntilMessage2(_ dialer: inout PeerHandshake, _ responder: inout RawResponder, payload: [UInt8]) throws -> [UInt8] {
    let m1 = try #require(sent(try dialer.start()))
    _ = try responder.noise.readMessage(m1)
    return try responder.noise.writeMessage(payload: payload)
}

@Suite struct PeerHandshakeTests {
    let alice = PeerSetup(1), bob = PeerSetup(2), mallory = PeerSetup(3)

    @Test func dialerAndListenerAuthenticateEachOtherAndShareASession() throws {
        var dialer = alice.handshake(.dialer(expecting: bob.nodeID))
        var listener = bob.handshake(.listener)
        let m1 = try #require(sent(try dialer.start()))
        #expect(m1.count == PeerHandshake.messageLengths[0])
        let a2 = try listener.receive(m1)
        let m2 = try #require(sent(a2))
        #expect(m2.count == PeerHandshake.messageLengths[1])
        #expect(establishedPeer(a2) == nil)
        let a3 = try dialer.receive(m2)
        let m3 = try #require(sent(a3))
        #expect(m3.count == PeerHandshake.messageLengths[2])
        var atAlice = try #require(establishedPeer(a3))
        #expect(atAlice.nodeID == bob.nodeID)
        #expect(atAlice.nodeKey == bob.signer.publicKey)
        #expect(dialer.isEstablished)
        let a4 = try listener.receive(m3)
        #expect(sent(a4) == nil)
        var atBob = try #require(establishedPeer(a4))
        #expect(atBob.nodeID == alice.nodeID)
        #expect(atBob.nodeKey == alice.signer.publicKey)
        #expect(atAlice.transport.handshakeHash == atBob.transport.handshakeHash)
        #expect(try atBob.transport.decrypt(try atAlice.transport.encrypt([1, 2, 3])) == [1, 2, 3])
        #expect(try atAlice.transport.decrypt(try atBob.transport.encrypt([4])) == [4])
    }

    @Test func dialerRefusesANodeOtherThanTheOneItDialled() throws {
        var dialer = alice.handshake(.dialer(expecting: mallory.nodeID))
        var listener = bob.handshake(.listener)
        let m2 = try sendBytes(try listener.receive(try sendBytes(try dialer.start())))
        #expect(throws: PeerHandshakeError(.unexpectedNodeID, "")) { try dialer.receive(m2) }
        #expect(!dialer.isEstablished)
    }

    @Test func everyTamperedByteOfEveryMessageEndsTheHandshake() throws {
        for message in 0..<3 {
            for index in 0..<PeerHandshake.messageLengths[message] {
                var dialer = alice.handshake(.dialer(expecting: bob.nodeID))
                var listener = bob.handshake(.listener)
                var m1 = try #require(sent(try dialer.start()))
                if message == 0 { m1[index] ^= 0x04 }
                var m2: [UInt8]
                do {
                    m2 = try #require(sent(try listener.receive(m1)))
                } catch let error as PeerHandshakeError {
                    // A changed ephemeral that lands on a small-order point is refused at once.
                    #expect(message == 0 && error == PeerHandshakeError(.noise(.invalidPublicKey), ""))
                    continue
                }
                if message == 1 { m2[index] ^= 0x04 }
                if message < 2 {
                    #expect(throws: PeerHandshakeError(.noise(.decryptFailed), ""), "message \(message) byte \(index)") {
                        try dialer.receive(m2)
                    }
                    continue
                }
                var m3 = try #require(sent(try dialer.receive(m2)))
                m3[index] ^= 0x04
                #expect(throws: PeerHandshakeError(.noise(.decryptFailed), ""), "message 2 byte \(index)") { try listener.receive(m3) }
                #expect(!listener.isEstablished)
            }
        }
    }

    @Test func truncatedMessagesAreRefused() throws {
        var dialer = alice.handshake(.dialer(expecting: bob.nodeID))
        let m1 = try #require(sent(try dialer.start()))
        var l1 = bob.handshake(.listener)
        #expect(throws: PeerHandshakeError(.noise(.messageTooShort), "")) { try l1.receive(Array(m1.prefix(20))) }

        var listener = bob.handshake(.listener)
        let m2 = try #require(sent(try listener.receive(m1)))
        var d2 = dialer
        #expect(throws: PeerHandshakeError(.noise(.messageTooShort), "")) { try d2.receive(Array(m2.prefix(60))) }
        var d3 = dialer
        #expect(throws: PeerHandshakeError.self) { try d3.receive(Array(m2.dropLast())) }

        let m3 = try #require(sent(try dialer.receive(m2)))
        var l3 = listener
        #expect(throws: PeerHandshakeError(.noise(.messageTooShort), "")) { try l3.receive(Array(m3.prefix(40))) }
        #expect(throws: PeerHandshakeError.self) { try listener.receive(Array(m3.dropLast(1))) }
    }

    @Test func aPeerClaimingAnotherNodesIdWithoutItsKeyIsRefused() throws {
        // Mallory presents Bob's node key with a signature Mallory made: it cannot verify.
        var responder = RawResponder()
        let forged = AuthPayload(
            nodeKey: bob.signer.publicKey,
            signature: mallory.signer.sign(AuthPayload.signBytes(noiseStaticKey: responder.noise.localStaticPublicKey)))
        var dialer = alice.handshake(.dialer(expecting: bob.nodeID))
        let m2 = try runUntilMessage2(&dialer, &responder, payload: forged.canonicalBytes)
        #expect(throws: PeerHandshakeError(.invalidSignature, "")) { try dialer.receive(m2) }
    }

    @Test func aSignatureOverADifferentNoiseStaticKeyIsRefused() throws {
        // Mallory replays Bob's genuine auth payload, which signs Bob's static key, not Mallory's.
        let replayed = AuthPayload(signer: bob.signer, noiseStaticKey: bob.noiseStatic.publicKey)
        #expect(replayed.isValid(forNoiseStaticKey: bob.noiseStatic.publicKey))
        var responder = RawResponder(staticKey: x25519Key(99))
        var dialer = alice.handshake(.dialer(expecting: bob.nodeID))
        let m2 = try runUntilMessage2(&dialer, &responder, payload: replayed.canonicalBytes)
        #expect(throws: PeerHandshakeError(.invalidSignature, "")) { try dialer.receive(m2) }

        // The same on the listener's side, with message 3 from a raw initiator.
        var listener = bob.handshake(.listener)
        var initiator = HandshakeState(
            role: .initiator, prologue: PeerHandshake.defaultPrologue, staticKey: x25519Key(98), ephemeralKey: x25519Key(97))
        let m2b = try sendBytes(try listener.receive(try initiator.writeMessage(payload: [])))
        _ = try initiator.readMessage(m2b)
        let aliceReplay = AuthPayload(signer: alice.signer, noiseStaticKey: alice.noiseStatic.publicKey)
        let m3 = try initiator.writeMessage(payload: aliceReplay.canonicalBytes)
        #expect(throws: PeerHandshakeError(.invalidSignature, "")) { try listener.receive(m3) }
    }

    @Test func malformedNodeKeysAndPayloadsAreRefused() throws {
        let staticKey = x25519Key(77).publicKey
        let signBytes = AuthPayload.signBytes(noiseStaticKey: staticKey)
        // A small-order node key (the identity point) with an arbitrary signature.
        let identity = try #require(PublicKey([1] + [UInt8](repeating: 0, count: 31)))
        let weak = AuthPayload(nodeKey: identity, signature: mallory.signer.sign(signBytes))
        let good = AuthPayload(signer: bob.signer, noiseStaticKey: staticKey)
        let cases: [([UInt8], PeerHandshakeError.Code)] = [
            (weak.canonicalBytes, .invalidSignature),
            (Array(good.canonicalBytes.dropLast()), .malformedPayload),
            (good.canonicalBytes + [0], .malformedPayload),
            ([], .malformedPayload),
        ]
        for (payload, code) in cases {
            var responder = RawResponder()
            var dialer = alice.handshake(.dialer(expecting: bob.nodeID))
            let m2 = try runUntilMessage2(&dialer, &responder, payload: payload)
            #expect(throws: PeerHandshakeError(code, ""), "\(payload.count)-byte payload") { try dialer.receive(m2) }
        }
        // The control case: the honest payload over the raw responder's key is accepted.
        var responder = RawResponder()
        var dialer = alice.handshake(.dialer(expecting: bob.nodeID))
        let m2 = try runUntilMessage2(&dialer, &responder, payload: good.canonicalBytes)
        #expect(establishedPeer(try dialer.receive(m2))?.nodeID == bob.nodeID)
    }

    @Test func aFirstMessageWithAPayloadIsRefused() throws {
        var initiator = HandshakeState(
            role: .initiator, prologue: PeerHandshake.defaultPrologue, staticKey: x25519Key(5), ephemeralKey: x25519Key(6))
        var listener = bob.handshake(.listener)
        #expect(throws: PeerHandshakeError(.malformedPayload, "")) { try listener.receive(try initiator.writeMessage(payload: [0])) }
    }

    @Test func aNodeDiallingItselfIsRefused() throws {
        var dialer = alice.handshake(.dialer(expecting: alice.nodeID))
        let twin = PeerSetup(1)
        var listener = PeerHandshake(
            role: .listener, signer: twin.signer, noiseStaticKey: x25519Key(55), ephemeralKey: x25519Key(56))
        let m2 = try sendBytes(try listener.receive(try sendBytes(try dialer.start())))
        #expect(throws: PeerHandshakeError(.selfConnection, "")) { try dialer.receive(m2) }
    }

    @Test func differentProloguesNeverAuthenticate() throws {
        var dialer = alice.handshake(.dialer(expecting: bob.nodeID), prologue: Array("waggle/p2p/noise/v2".utf8))
        var listener = bob.handshake(.listener)
        let m2 = try sendBytes(try listener.receive(try sendBytes(try dialer.start())))
        #expect(throws: PeerHandshakeError(.noise(.decryptFailed), "")) { try dialer.receive(m2) }
    }

    @Test func callsOutOfOrderAndInputAfterFailureOrCompletionAreRefused() throws {
        var listener = bob.handshake(.listener)
        #expect(throws: PeerHandshakeError(.outOfOrder, "")) { try listener.start() }
        var notStarted = alice.handshake(.dialer(expecting: bob.nodeID))
        #expect(throws: PeerHandshakeError(.outOfOrder, "")) { try notStarted.receive([UInt8](repeating: 0, count: 192)) }

        var dialer = alice.handshake(.dialer(expecting: bob.nodeID))
        let m1 = try #require(sent(try dialer.start()))
        #expect(throws: PeerHandshakeError(.outOfOrder, "")) { try dialer.start() }

        // After a failure, even the right message is refused.
        var failing = listener
        #expect(throws: PeerHandshakeError.self) { try failing.receive([1, 2, 3]) }
        #expect(throws: PeerHandshakeError(.outOfOrder, "")) { try failing.receive(m1) }

        // After completion, more handshake input is refused.
        let m2 = try #require(sent(try listener.receive(m1)))
        let m3 = try #require(sent(try dialer.receive(m2)))
        _ = try listener.receive(m3)
        #expect(throws: PeerHandshakeError(.outOfOrder, "")) { try listener.receive(m3) }
        #expect(throws: PeerHandshakeError(.outOfOrder, "")) { try dialer.receive(m2) }
        // A replayed message 1 in the listener's place of message 3 fails too.
        var replay = bob.handshake(.listener)
        _ = try replay.receive(m1)
        #expect(throws: PeerHandshakeError.self) { try replay.receive(m1) }
    }

    @Test func authPayloadBytesAndSignBytesAreExactlyAsSpecified() throws {
        let staticKey = x25519Key(77).publicKey
        #expect(
            AuthPayload.signBytes(noiseStaticKey: staticKey)
                == [0, 0, 0, 19] + Array("waggle/handshake/v1".utf8) + [0, 0, 0, 0] + staticKey)
        let auth = AuthPayload(signer: bob.signer, noiseStaticKey: staticKey)
        #expect(auth.canonicalBytes == bob.signer.publicKey.bytes + auth.signature.bytes)
        #expect(auth.canonicalBytes.count == AuthPayload.encodedLength)
        #expect(bob.signer.publicKey.verify(auth.signature, over: AuthPayload.signBytes(noiseStaticKey: staticKey)))
        #expect(PeerHandshake.defaultPrologue == Array("waggle/p2p/noise/v1".utf8))
    }

    @Test func nodeIDIsTheAddressRuleInBareLowerCaseHex() throws {
        let id = alice.nodeID
        #expect(id.bytes == Address(publicKey: alice.signer.publicKey).bytes)
        #expect(id.hex == Address(publicKey: alice.signer.publicKey).hex.dropFirst(2).lowercased())
        #expect(id.hex.count == 40)
        #expect(NodeID(hex: id.hex) == id)
        #expect(NodeID(hex: id.hex.uppercased()) == id)
        #expect(NodeID(hex: "0x" + id.hex.dropFirst(2)) == nil)
        #expect(NodeID(hex: String(id.hex.dropLast())) == nil)
        #expect(NodeID(hex: String(id.hex.dropLast()) + "g") == nil)
        #expect(id.hex == SHA256Hash.hash(alice.signer.publicKey.bytes).prefix(20).map { String(format2($0)) }.joined())
    }
}

private func format2(_ b: UInt8) -> String {
    let s = String(b, radix: 16)
    return s.count == 1 ? "0" + s : s
}
