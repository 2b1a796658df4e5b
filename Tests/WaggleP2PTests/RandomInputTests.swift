import Testing
import WaggleCore
import WaggleTesting

@testable import WaggleP2P

/// Bytes from outside the process, at every entry point that takes them: never a crash, always
/// a typed error (or a value that re-encodes to the same bytes).
@Suite struct RandomInputTests {
    @Test func randomHandshakeMessagesAreRefusedAtEveryStep() throws {
        var rng = SplitMix64(seed: 0x5eed_0010)
        let alice = PeerSetup(1), bob = PeerSetup(2)
        // Honest prefixes to attack each step from.
        var dialer0 = alice.handshake(.dialer(expecting: bob.nodeID))
        let m1 = try sendBytes(try dialer0.start())
        var listener0 = bob.handshake(.listener)
        let m2 = try sendBytes(try listener0.receive(m1))
        let lengths = [0, 1, 15, 16, 31, 32, 33, 48, 64, 159, 160, 161, 191, 192, 193, 1000, 65535, 65536]
        for i in 0..<600 {
            let n = i < lengths.count * 3 ? lengths[i % lengths.count] : Int.random(in: 0...400, using: &rng)
            let garbage = rng.bytes(n)
            // Message 1 position: only exactly 32 bytes get through Noise, and then message 2 is
            // produced for a random ephemeral, which is harmless.
            var l1 = bob.handshake(.listener)
            if n == 32 {
                _ = try? l1.receive(garbage)
            } else {
                #expect(throws: PeerHandshakeError.self) { try l1.receive(garbage) }
            }
            // Message 2 and message 3 positions: nothing random authenticates.
            var d2 = dialer0
            #expect(throws: PeerHandshakeError.self) { try d2.receive(garbage) }
            #expect(!d2.isEstablished)
            var l3 = listener0
            #expect(throws: PeerHandshakeError.self) { try l3.receive(garbage) }
            #expect(!l3.isEstablished)
        }
        // The honest path still works from the same prefixes.
        #expect(establishedPeer(try dialer0.receive(m2))?.nodeID == bob.nodeID)
    }

    @Test func randomNodeInfoAndControlBytesNeverCrash() {
        var rng = SplitMix64(seed: 0x5eed_0011)
        let valid = NodeInfoTests.info().canonicalBytes
        var decoded = 0
        for i in 0..<5000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = rng.bytes(Int.random(in: 0...600, using: &rng))
            } else {
                // Mutate a valid encoding: flip, cut or extend.
                bytes = valid
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                case 1: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
                default: bytes += rng.bytes(Int.random(in: 1...8, using: &rng))
                }
            }
            if let info = try? NodeInfo(canonicalBytes: bytes) {
                decoded += 1
                #expect(info.canonicalBytes == bytes)  // one encoding per value
            }
            if let control = try? ControlMessage(canonicalBytes: Array(bytes.prefix(9))) {
                #expect(control.canonicalBytes == Array(bytes.prefix(9)))
            }
            _ = try? AuthPayload(canonicalBytes: bytes)
        }
        #expect(decoded > 0)
    }
}
