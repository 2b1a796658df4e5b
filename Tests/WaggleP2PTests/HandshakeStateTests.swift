import Testing
import WaggleCrypto

@testable import WaggleP2P

private func pair(prologue: [UInt8] = [1, 2, 3], responderPrologue: [UInt8]? = nil) -> (HandshakeState, HandshakeState) {
    (
        HandshakeState(role: .initiator, prologue: prologue, staticKey: x25519Key(1), ephemeralKey: x25519Key(2)),
        HandshakeState(role: .responder, prologue: responderPrologue ?? prologue, staticKey: x25519Key(3), ephemeralKey: x25519Key(4))
    )
}

/// Runs messages 1 and 2 and returns both states and message 3, unread.
private func uptoMessage3() throws -> (HandshakeState, HandshakeState, [UInt8]) {
    var (i, r) = pair()
    _ = try r.readMessage(try i.writeMessage(payload: []))
    _ = try i.readMessage(try r.writeMessage(payload: Array("two".utf8)))
    let m3 = try i.writeMessage(payload: Array("three".utf8))
    return (i, r, m3)
}

private func completed() throws -> (NoiseTransport, NoiseTransport) {
    var (i, r, m3) = try uptoMessage3()
    _ = try r.readMessage(m3)
    _ = i
    return (try #require(i.transport), try #require(r.transport))
}

@Suite struct HandshakeStateTests {
    @Test func completesWithEqualHashesAndCarriesPayloadsBothWays() throws {
        var (i, r) = pair()
        let m1 = try i.writeMessage(payload: Array("one".utf8))
        #expect(m1.count == 32 + 3)
        #expect(try r.readMessage(m1) == Array("one".utf8))
        let m2 = try r.writeMessage(payload: Array("two".utf8))
        #expect(m2.count == 32 + 48 + 3 + 16)
        #expect(try i.readMessage(m2) == Array("two".utf8))
        #expect(i.remoteStaticKey == x25519Key(3).publicKey)
        let m3 = try i.writeMessage(payload: Array("three".utf8))
        #expect(m3.count == 48 + 5 + 16)
        #expect(try r.readMessage(m3) == Array("three".utf8))
        #expect(r.remoteStaticKey == x25519Key(1).publicKey)
        var a = try #require(i.transport), b = try #require(r.transport)
        #expect(a.handshakeHash == b.handshakeHash)
        #expect(try b.decrypt(try a.encrypt([9, 9])) == [9, 9])
        #expect(try a.decrypt(try b.encrypt([7])) == [7])
    }

    @Test func tamperedEphemeralInMessage1FailsTheInitiatorsReadOfMessage2() throws {
        for index in 0..<32 {
            var (i, r) = pair()
            var m1 = try i.writeMessage(payload: [])
            m1[index] ^= 0x01
            _ = try r.readMessage(m1)  // message 1 is not encrypted: the change shows at message 2
            let m2: [UInt8]
            do {
                m2 = try r.writeMessage(payload: [])
            } catch {
                // Flipping a bit can land on a small-order point, refused outright.
                #expect(error == NoiseError(.invalidPublicKey, ""))
                continue
            }
            #expect(throws: NoiseError(.decryptFailed, ""), "byte \(index)") { try i.readMessage(m2) }
        }
    }

    @Test func everyTamperedByteOfMessage2FailsDecryption() throws {
        var (i0, r0) = pair()
        _ = try r0.readMessage(try i0.writeMessage(payload: []))
        let m2 = try r0.writeMessage(payload: Array("payload".utf8))
        for index in m2.indices {
            var i = i0, tampered = m2
            tampered[index] ^= 0x80
            #expect(throws: NoiseError.self, "byte \(index)") { try i.readMessage(tampered) }
            #expect(i.phase == .failed)
        }
    }

    @Test func everyTamperedByteOfMessage3FailsDecryption() throws {
        let (_, r0, m3) = try uptoMessage3()
        for index in m3.indices {
            var r = r0, tampered = m3
            tampered[index] ^= 0x01
            #expect(throws: NoiseError(.decryptFailed, ""), "byte \(index)") { try r.readMessage(tampered) }
            #expect(r.transport == nil)
        }
    }

    @Test func truncatedMessagesAreTooShort() throws {
        var (i, r) = pair()
        let m1 = try i.writeMessage(payload: [])
        var r1 = r
        #expect(throws: NoiseError(.messageTooShort, "")) { try r1.readMessage(Array(m1.prefix(31))) }
        _ = try r.readMessage(m1)
        let m2 = try r.writeMessage(payload: [])
        for cut in [0, 31, 32, 32 + 47, 32 + 48, 32 + 48 + 15] {
            var i2 = i
            #expect(throws: NoiseError(.messageTooShort, ""), "cut \(cut)") { try i2.readMessage(Array(m2.prefix(cut))) }
        }
        let (_, r3, m3) = try uptoMessage3()
        for cut in [0, 47, 48, m3.count - 1] {
            var r4 = r3
            #expect(throws: NoiseError.self, "cut \(cut)") { try r4.readMessage(Array(m3.prefix(cut))) }
        }
    }

    @Test func messagesOver65535BytesAreRefusedOnWriteAndRead() throws {
        var (i, r) = pair()
        #expect(throws: NoiseError(.messageTooLong, "")) { try i.writeMessage(payload: [UInt8](repeating: 0, count: 65535 - 32 + 1)) }
        #expect(i.phase == .failed)
        #expect(throws: NoiseError(.messageTooLong, "")) { try r.readMessage([UInt8](repeating: 0, count: 65536)) }
        var (i2, _) = pair()
        #expect(try i2.writeMessage(payload: [UInt8](repeating: 0, count: 65535 - 32)).count == 65535)
    }

    @Test func callsOutOfTurnAfterCompletionAndAfterFailureAreOutOfOrder() throws {
        var (i, r) = pair()
        #expect(throws: NoiseError(.outOfOrder, "")) { try r.writeMessage(payload: []) }
        #expect(throws: NoiseError(.outOfOrder, "")) { try i.readMessage([UInt8](repeating: 0, count: 32)) }
        // Out-of-turn calls do not break the machine.
        let m1 = try i.writeMessage(payload: [])
        _ = try r.readMessage(m1)
        // A failure is final.
        var failed = i
        #expect(throws: NoiseError.self) { try failed.readMessage([UInt8](repeating: 0, count: 96)) }
        #expect(throws: NoiseError(.outOfOrder, "")) { try failed.readMessage(try r.writeMessage(payload: [])) }
        // After completion neither side reads or writes handshake messages.
        var (i3, r3, m3) = try uptoMessage3()
        _ = try r3.readMessage(m3)
        #expect(throws: NoiseError(.outOfOrder, "")) { try i3.writeMessage(payload: []) }
        #expect(throws: NoiseError(.outOfOrder, "")) { try r3.readMessage(m3) }
    }

    @Test func differentProloguesFailAtMessage2() throws {
        var (i, r) = pair(prologue: Array("waggle".utf8), responderPrologue: Array("wiggle".utf8))
        _ = try r.readMessage(try i.writeMessage(payload: []))
        let m2 = try r.writeMessage(payload: [])
        #expect(throws: NoiseError(.decryptFailed, "")) { try i.readMessage(m2) }
    }

    @Test func smallOrderEphemeralIsRefused() throws {
        var (_, r) = pair()
        _ = try r.readMessage([UInt8](repeating: 0, count: 32))  // u = 0: identity point
        #expect(throws: NoiseError(.invalidPublicKey, "")) { try r.writeMessage(payload: []) }
        #expect(r.phase == .failed)
    }
}

@Suite struct NoiseTransportTests {
    @Test func replayedAndReorderedMessagesFailDecryptionAndEndTheSession() throws {
        var (a, b) = try completed()
        let m0 = try a.encrypt([0]), m1 = try a.encrypt([1]), m2 = try a.encrypt([2])
        var reordered = b
        #expect(throws: NoiseError(.decryptFailed, "")) { try reordered.decrypt(m1) }
        // After a failure even the right message is refused: the session is over.
        #expect(throws: NoiseError(.outOfOrder, "")) { try reordered.decrypt(m0) }
        var replayed = b
        #expect(try replayed.decrypt(m0) == [0])
        #expect(throws: NoiseError(.decryptFailed, "")) { try replayed.decrypt(m0) }
        #expect(throws: NoiseError(.outOfOrder, "")) { try replayed.decrypt(m1) }
        var dropped = b
        #expect(throws: NoiseError(.decryptFailed, "")) { try dropped.decrypt(m2) }
        // In order, everything decrypts.
        #expect(try b.decrypt(m0) == [0])
        #expect(try b.decrypt(m1) == [1])
        #expect(try b.decrypt(m2) == [2])
        // A message from the other direction is not valid in this one.
        let fromB = try b.encrypt([5])
        var wrongWay = b
        #expect(throws: NoiseError(.decryptFailed, "")) { try wrongWay.decrypt(fromB) }
        #expect(try a.decrypt(fromB) == [5])
    }

    @Test func tamperedTransportMessageFails() throws {
        var (a, b) = try completed()
        var m = try a.encrypt(Array("hello".utf8))
        m[2] ^= 0x10
        #expect(throws: NoiseError(.decryptFailed, "")) { try b.decrypt(m) }
    }

    @Test func lengthLimits() throws {
        var (a, b) = try completed()
        let full = try a.encrypt([UInt8](repeating: 1, count: NoiseTransport.maxPlaintextLength))
        #expect(full.count == 65535)
        #expect(try b.decrypt(full).count == 65519)
        #expect(throws: NoiseError(.messageTooLong, "")) { try a.encrypt([UInt8](repeating: 1, count: 65520)) }
        var long = b, short = b
        #expect(throws: NoiseError(.messageTooLong, "")) { try long.decrypt([UInt8](repeating: 1, count: 65536)) }
        #expect(throws: NoiseError(.outOfOrder, "")) { try long.decrypt([UInt8](repeating: 1, count: 16)) }
        #expect(throws: NoiseError(.messageTooShort, "")) { try short.decrypt([UInt8](repeating: 1, count: 15)) }
    }

    @Test func nonceExhaustionIsAnError() throws {
        var (a, b) = try completed()
        a.setNonces(send: UInt64.max - 1, receive: 0)
        b.setNonces(send: 0, receive: UInt64.max - 1)
        let last = try a.encrypt([1])
        #expect(try b.decrypt(last) == [1])
        #expect(throws: NoiseError(.nonceExhausted, "")) { try a.encrypt([2]) }
        #expect(throws: NoiseError(.nonceExhausted, "")) { try b.decrypt(last) }
    }
}

@Suite struct SymmetricStateTests {
    @Test func shortProtocolNamesArePaddedAndLongOnesHashed() {
        let short = SymmetricState(protocolName: "Noise_XX_25519_ChaChaPoly_SHA256")
        #expect(short.handshakeHash == Array("Noise_XX_25519_ChaChaPoly_SHA256".utf8))
        let shorter = SymmetricState(protocolName: "abc")
        #expect(shorter.handshakeHash == Array("abc".utf8) + [UInt8](repeating: 0, count: 29))
        let long = SymmetricState(protocolName: "Noise_XXpsk3_25519_ChaChaPoly_SHA256")
        #expect(long.handshakeHash == SHA256Hash.hash(Array("Noise_XXpsk3_25519_ChaChaPoly_SHA256".utf8)))
    }

    @Test func hkdfIsRFC5869WithTheChainingKeyAsSaltAndEmptyInfo() {
        // RFC 5869 test case 3: salt and info empty, IKM = 22 bytes of 0x0b, L = 42.
        let (o1, o2) = SymmetricState.hkdf(chainingKey: SecretBytes([]), inputKeyMaterial: SecretBytes([UInt8](repeating: 0x0b, count: 22)))
        let okm = o1.withUnsafeBytes { Array($0) } + o2.withUnsafeBytes { Array($0) }
        #expect(Array(okm.prefix(42)) == hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"))
    }
}
