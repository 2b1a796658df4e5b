import Testing
import WaggleCore
import WaggleTesting

@testable import WaggleP2P

/// Small limits so that random streams hit every path quickly.
private let smallChannels = [
    ChannelDescriptor(id: .control, priority: 10, maxMessageSize: 16, sendQueueCapacity: 4),
    ChannelDescriptor(id: .votes, priority: 5, maxMessageSize: 300, sendQueueCapacity: 4),
    ChannelDescriptor(id: .blockSync, priority: 1, maxMessageSize: 5000, sendQueueCapacity: 4),
]
private let smallLimit = 5000

private func header(_ channel: UInt8, _ length: UInt32) -> [UInt8] {
    [
        channel, UInt8(length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8),
        UInt8(truncatingIfNeeded: length),
    ]
}

/// Cuts `bytes` into random pieces (some empty).
private func randomChunks(_ bytes: [UInt8], _ rng: inout SplitMix64, maxPiece: Int) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var i = 0
    while i < bytes.count {
        let n = Int.random(in: 0...maxPiece, using: &rng)
        out.append(Array(bytes[i..<min(i + n, bytes.count)]))
        i += n
    }
    return out
}

/// Random bytes with plausible frame headers mixed in (a known or unknown channel and a small
/// length), so that random streams exercise complete frames as well as garbage.
private func noisyStream(_ n: Int, _ rng: inout SplitMix64) -> [UInt8] {
    var out: [UInt8] = []
    while out.count < n {
        if Bool.random(using: &rng) {
            out += rng.bytes(Int.random(in: 0...40, using: &rng))
        } else {
            let channel: UInt8 = [0x01, 0x22, 0x40, 0x00, UInt8.random(in: 0...255, using: &rng)][Int.random(in: 0..<5, using: &rng)]
            out += header(channel, UInt32.random(in: 0...400, using: &rng))
        }
    }
    return Array(out.prefix(n))
}

private func randomFrames(_ rng: inout SplitMix64, count: Int) -> [Frame] {
    (0..<count).map { _ in
        let c = smallChannels[Int.random(in: 0..<smallChannels.count, using: &rng)]
        let n = Int.random(in: 0...c.maxMessageSize, using: &rng)
        return Frame(channel: c.id, payload: rng.bytes(n))
    }
}

@Suite struct FrameDecoderTests {
    @Test func frameBytesAreChannelThenBigEndianLengthThenPayload() {
        #expect(Frame(channel: .votes, payload: [0xaa, 0xbb]).encoded == [0x22, 0, 0, 0, 2, 0xaa, 0xbb])
        #expect(Frame(channel: .pex, payload: []).encoded == [0, 0, 0, 0, 0])
        #expect(Frame(channel: .blockSync, payload: [UInt8](repeating: 0, count: 0x0102_03)).encoded.prefix(5) == [0x40, 0, 1, 2, 3])
    }

    @Test func unknownChannelFailsAtTheHeaderWithNothingBuffered() {
        var d = FrameDecoder(channels: smallChannels)
        #expect(throws: FrameError(.unknownChannel, "")) { try d.feed(header(0x30, 1)) }
        #expect(d.bufferedByteCount == 0)
    }

    @Test func lengthOverTheChannelLimitFailsAtTheHeaderBeforeAnyPayload() throws {
        var d = FrameDecoder(channels: smallChannels)
        #expect(try d.feed(header(0x22, 300) + [UInt8](repeating: 1, count: 300)).map(\.payload.count) == [300])
        // The header alone is enough to fail; the payload need not (and never does) arrive.
        #expect(throws: FrameError(.messageTooLarge, "")) { try d.feed(header(0x22, 301)) }
        #expect(d.bufferedByteCount == 0)
        var huge = FrameDecoder(channels: ChannelDescriptor.all)
        #expect(throws: FrameError(.messageTooLarge, "")) { try huge.feed(header(0x40, UInt32.max)) }
    }

    @Test func aFailureIsFinal() throws {
        var d = FrameDecoder(channels: smallChannels)
        #expect(throws: FrameError(.unknownChannel, "")) { try d.feed([0x99, 0, 0, 0, 0]) }
        #expect(throws: FrameError(.unknownChannel, "")) { try d.feed(header(0x01, 1) + [7]) }
        #expect(throws: FrameError(.unknownChannel, "")) { try d.finish() }
    }

    @Test func headerAndPayloadMaySplitAnywhereAndEmptyMessagesAreComplete() throws {
        var d = FrameDecoder(channels: smallChannels)
        let stream = header(0x01, 0) + header(0x22, 3) + [1, 2, 3] + header(0x01, 0)
        var frames: [Frame] = []
        for b in stream {
            frames += try d.feed([b])
        }
        #expect(
            frames == [
                Frame(channel: .control, payload: []), Frame(channel: .votes, payload: [1, 2, 3]), Frame(channel: .control, payload: []),
            ])
        try d.finish()
    }

    @Test func streamEndingInsideAFrameIsTruncated() throws {
        for cut in 1..<(5 + 3) {
            var d = FrameDecoder(channels: smallChannels)
            _ = try d.feed(Array((header(0x22, 3) + [1, 2, 3]).prefix(cut)))
            #expect(throws: FrameError(.truncated, ""), "cut \(cut)") { try d.finish() }
        }
    }

    @Test func randomBytesNeverCrashAndNeverBufferMoreThanTheLimit() {
        var rng = SplitMix64(seed: 0x5eed_0001)
        var failures = 0, frames = 0
        for _ in 0..<3000 {
            var d = FrameDecoder(channels: smallChannels)
            let stream = noisyStream(Int.random(in: 0...2000, using: &rng), &rng)
            for piece in randomChunks(stream, &rng, maxPiece: 300) {
                do {
                    for f in try d.feed(piece) {
                        frames += 1
                        #expect(f.payload.count <= (smallChannels.first { $0.id == f.channel }?.maxMessageSize ?? -1))
                    }
                } catch {
                    failures += 1
                    break
                }
                #expect(d.bufferedByteCount <= smallLimit + Frame.headerLength)
            }
        }
        #expect(failures > 1000)
        #expect(frames > 0)
    }

    @Test func adversarialHeadersAtAndAroundEveryLimit() throws {
        var rng = SplitMix64(seed: 0x5eed_0002)
        var accepted = 0, refused = 0
        for _ in 0..<3000 {
            var d = FrameDecoder(channels: smallChannels)
            var stream: [UInt8] = []
            var expectedFrames: [Frame] = []
            var expectError = false
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let known = Bool.random(using: &rng)
                let channel = known ? smallChannels[Int.random(in: 0..<3, using: &rng)].id.rawValue : UInt8.random(in: 0...255, using: &rng)
                let limit = smallChannels.first { $0.id.rawValue == channel }?.maxMessageSize
                let length: UInt32 =
                    switch Int.random(in: 0..<5, using: &rng) {
                    case 0: UInt32(limit ?? 0)
                    case 1: UInt32((limit ?? 0) + 1)
                    case 2: UInt32.max
                    case 3: 0
                    default: UInt32.random(in: 0...UInt32(smallLimit + 10), using: &rng)
                    }
                stream += header(channel, length)
                guard let limit, Int(length) <= limit else {
                    expectError = true
                    break
                }
                let payload = rng.bytes(Int(length))
                stream += payload
                expectedFrames.append(Frame(channel: ChannelID(channel), payload: payload))
            }
            var got: [Frame] = []
            var failed = false
            for piece in randomChunks(stream, &rng, maxPiece: 700) {
                do {
                    got += try d.feed(piece)
                } catch {
                    failed = true
                    break
                }
                #expect(d.bufferedByteCount <= smallLimit + Frame.headerLength)
            }
            #expect(failed == expectError)
            // A feed that fails returns nothing, so frames completed in that same call are not
            // seen; the connection ends anyway.
            if failed {
                #expect(got.count <= expectedFrames.count && Array(expectedFrames.prefix(got.count)) == got)
            } else {
                #expect(got == expectedFrames)
            }
            if failed { refused += 1 } else { accepted += 1 }
        }
        #expect(accepted > 50 && refused > 1000)
    }
}

@Suite struct FrameEncoderTests {
    @Test func encoderChunksRoundTripThroughTheDecoderUnderAnyRechunking() throws {
        var rng = SplitMix64(seed: 0x5eed_0003)
        for iteration in 0..<1000 {
            let frames = randomFrames(&rng, count: Int.random(in: 0...8, using: &rng))
            let maxChunk = iteration % 4 == 0 ? NoiseTransport.maxPlaintextLength : Int.random(in: 1...3000, using: &rng)
            let chunks = try FrameEncoder(channels: smallChannels, maxChunkLength: maxChunk).encode(frames)
            #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= maxChunk })
            #expect(chunks.joined().count == frames.reduce(0) { $0 + 5 + $1.payload.count })
            var d = FrameDecoder(channels: smallChannels)
            var got: [Frame] = []
            for piece in randomChunks(Array(chunks.joined()), &rng, maxPiece: 500) {
                got += try d.feed(piece)
            }
            try d.finish()
            #expect(got == frames)
        }
    }

    @Test func aLargeMessageSpansSeveralFullTransportMessages() throws {
        let big = Frame(channel: .blockSync, payload: [UInt8](repeating: 7, count: 200_000))
        let chunks = try FrameEncoder(channels: ChannelDescriptor.all).encode([big, Frame(channel: .control, payload: [1])])
        #expect(chunks.count == 4)
        #expect(chunks.dropLast().allSatisfy { $0.count == NoiseTransport.maxPlaintextLength })
        #expect(chunks.last?.count == 200_000 + 5 + 6 - 3 * NoiseTransport.maxPlaintextLength)
    }

    @Test func encoderRefusesWhatThePeerWouldRefuse() {
        let e = FrameEncoder(channels: smallChannels)
        #expect(throws: FrameError(.messageTooLarge, "")) {
            try e.encode([Frame(channel: .votes, payload: [UInt8](repeating: 0, count: 301))])
        }
        #expect(throws: FrameError(.unknownChannel, "")) { try e.encode([Frame(channel: .mempool, payload: [])]) }
    }

    @Test func framesSurviveTheWholeWirePathEncryptedAndRechunked() throws {
        let alice = PeerSetup(1), bob = PeerSetup(2)
        var dialer = alice.handshake(.dialer(expecting: bob.nodeID))
        var listener = bob.handshake(.listener)
        let m2 = try sendBytes(try listener.receive(try sendBytes(try dialer.start())))
        let a3 = try dialer.receive(m2)
        var sender = try #require(establishedPeer(a3)).transport
        let a4 = try listener.receive(try sendBytes(a3))
        var receiver = try #require(establishedPeer(a4)).transport

        var rng = SplitMix64(seed: 0x5eed_0004)
        var noiseDecoder = NoiseMessageDecoder()
        var frameDecoder = FrameDecoder(channels: smallChannels)
        for _ in 0..<200 {
            let frames = randomFrames(&rng, count: Int.random(in: 1...10, using: &rng))
            var wire: [UInt8] = []
            for chunk in try FrameEncoder(channels: smallChannels, maxChunkLength: Int.random(in: 1...4000, using: &rng)).encode(frames) {
                wire += try NoiseMessageDecoder.encode(try sender.encrypt(chunk))
            }
            var got: [Frame] = []
            for piece in randomChunks(wire, &rng, maxPiece: 1500) {
                for message in try noiseDecoder.feed(piece) {
                    got += try frameDecoder.feed(try receiver.decrypt(message))
                }
            }
            #expect(got == frames)
        }
        try noiseDecoder.finish()
        try frameDecoder.finish()
    }
}

@Suite struct NoiseMessageDecoderTests {
    @Test func prefixIsTwoBytesBigEndian() throws {
        #expect(try NoiseMessageDecoder.encode([UInt8](repeating: 9, count: 0x0102)).prefix(2) == [1, 2])
        #expect(try NoiseMessageDecoder.encode([UInt8](repeating: 9, count: 65535)).count == 65537)
        #expect(throws: FrameError(.lengthOutOfRange, "")) { try NoiseMessageDecoder.encode([UInt8](repeating: 0, count: 65536)) }
    }

    @Test func lengthsOutsideTheAllowedRangeFailAtThePrefix() throws {
        var handshake = NoiseMessageDecoder(minLength: 32, maxLength: 192)
        #expect(throws: FrameError(.lengthOutOfRange, "")) { try handshake.feed([0, 193]) }
        #expect(handshake.bufferedByteCount == 0)
        #expect(throws: FrameError(.lengthOutOfRange, "")) { try handshake.feed([0, 32]) }  // failure is final
        var transport = NoiseMessageDecoder()
        #expect(throws: FrameError(.lengthOutOfRange, "")) { try transport.feed([0, 15]) }
        var zero = NoiseMessageDecoder()
        #expect(throws: FrameError(.lengthOutOfRange, "")) { try zero.feed([0, 0]) }
        var ok = NoiseMessageDecoder(minLength: 32, maxLength: 192)
        #expect(try ok.feed([0, 32] + [UInt8](repeating: 1, count: 32)) == [[UInt8](repeating: 1, count: 32)])
    }

    @Test func truncatedStreamsAreRefusedAtTheEnd() throws {
        let wire = try NoiseMessageDecoder.encode([UInt8](repeating: 3, count: 40))
        for cut in 1..<wire.count {
            var d = NoiseMessageDecoder()
            #expect(try d.feed(Array(wire.prefix(cut))).isEmpty)
            #expect(throws: FrameError(.truncated, ""), "cut \(cut)") { try d.finish() }
        }
        var whole = NoiseMessageDecoder()
        #expect(try whole.feed(wire).count == 1)
        try whole.finish()
    }

    @Test func randomBytesNeverCrashAndStayBounded() {
        var rng = SplitMix64(seed: 0x5eed_0005)
        var messages = 0, failures = 0
        for _ in 0..<3000 {
            var d = NoiseMessageDecoder(minLength: 16, maxLength: 1024)
            for piece in randomChunks(noisyStream(Int.random(in: 0...3000, using: &rng), &rng), &rng, maxPiece: 400) {
                do {
                    let out = try d.feed(piece)
                    messages += out.count
                    #expect(out.allSatisfy { $0.count >= 16 && $0.count <= 1024 })
                } catch {
                    failures += 1
                    break
                }
                #expect(d.bufferedByteCount <= 1024)
            }
        }
        #expect(messages > 0 && failures > 0)
    }
}
