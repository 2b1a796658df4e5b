import Foundation
import WaggleCore
import WaggleCrypto
import WaggleP2P
import WaggleRPC
import WaggleTesting

/// The Noise handshake, from each side, with fixed keys: the first input byte picks the step the
/// rest of the input is fed to.
enum NoiseHarness {
    static let alice = TestKeys.signer(1)
    static let bob = TestKeys.signer(2)
    static let aliceID = NodeID(publicKey: alice.publicKey)
    static let bobID = NodeID(publicKey: bob.publicKey)

    static func key(_ byte: UInt8) -> X25519PrivateKey {
        guard let k = X25519PrivateKey(unsafeRawKey: [UInt8](repeating: byte, count: 32)) else { fatalError("32 bytes are a key") }
        return k
    }
    static func dialer() -> PeerHandshake {
        PeerHandshake(role: .dialer(expecting: bobID), signer: alice, noiseStaticKey: key(1), ephemeralKey: key(2))
    }
    static func listener() -> PeerHandshake {
        PeerHandshake(role: .listener, signer: bob, noiseStaticKey: key(3), ephemeralKey: key(4))
    }
    static func sent(_ actions: [PeerHandshake.Action]) -> [UInt8]? {
        for case .send(let b) in actions { return b }
        return nil
    }
    static func established(_ actions: [PeerHandshake.Action]) -> NodeID? {
        for case .established(let p) in actions { return p.nodeID }
        return nil
    }

    /// The honest messages 1, 2 and 3 of this key setup.
    static let honest: [[UInt8]] = {
        var d = dialer(), l = listener()
        guard let m1 = try? sent(d.start()), let m2 = try? sent(l.receive(m1)), let m3 = try? sent(d.receive(m2)) else {
            fatalError("the honest handshake failed")
        }
        return [m1, m2, m3]
    }()

    static func run(_ bytes: [UInt8]) {
        guard let step = bytes.first else { return }
        let message = Array(bytes.dropFirst())
        switch step % 3 {
        case 0:  // listener reads message 1
            var l = listener()
            if let actions = try? l.receive(message) { check(established(actions) == nil, "message 1 cannot establish") }
        case 1:  // dialer reads message 2: only Bob, the expected id, can be established
            var d = dialer()
            _ = try? d.start()
            if let actions = try? d.receive(message), let id = established(actions) {
                check(id == bobID, "the dialer accepted an id other than the expected one")
            }
        default:  // listener reads message 3 after the honest message 1
            var l = listener()
            _ = try? l.receive(honest[0])
            if let actions = try? l.receive(message), let id = established(actions) {
                check(id == aliceID, "the listener authenticated a key nobody holds")
            }
        }
    }

    /// The 2-byte length prefix of Noise messages on the socket.
    static func lengthPrefix(chunk: Int, stream: [UInt8]) {
        var decoder = NoiseMessageDecoder()
        var i = 0
        while i < stream.count {
            let part = Array(stream[i..<min(stream.count, i + chunk)])
            i += chunk
            guard let messages = try? decoder.feed(part) else { return }
            for m in messages { check(m.count >= decoder.minLength && m.count <= decoder.maxLength, "a message outside the length limits") }
            check(decoder.bufferedByteCount <= decoder.maxLength + NoiseMessageDecoder.prefixLength, "the decoder holds too much")
        }
    }
}

/// `FrameDecoder` over every channel's limits: frames come out within their channel's limit, the
/// decoder never holds more than the largest limit plus a header, and the frames re-encode to
/// the bytes they came from.
enum FrameHarness {
    static let channels = ChannelDescriptor.all
    static let limits = Dictionary(uniqueKeysWithValues: channels.map { ($0.id, $0.maxMessageSize) })
    static let largest = channels.map(\.maxMessageSize).max() ?? 0

    static func run(chunk: Int, stream: [UInt8]) {
        var decoder = FrameDecoder(channels: channels)
        var consumed: [UInt8] = []
        var i = 0
        while i < stream.count {
            let part = Array(stream[i..<min(stream.count, i + chunk)])
            i += chunk
            guard let frames = try? decoder.feed(part) else { return }
            for f in frames {
                check(f.payload.count <= (limits[f.channel] ?? -1), "a frame over its channel's limit, or on an unknown channel")
                consumed += f.encoded
            }
            check(decoder.bufferedByteCount <= largest + Frame.headerLength, "the frame decoder holds too much")
            if decoder.isAtFrameBoundary {
                check(consumed.count == min(i, stream.count), "frames do not re-encode to the bytes they came from")
            }
        }
        check(consumed == Array(stream.prefix(consumed.count)), "frames do not re-encode to their bytes")
    }
}

/// WaggleCore's strict JSON parser, and the JSON-RPC dispatcher on top of it.
enum JSONHarness {
    static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONValue.parse(bytes) else { return }
        let text = value.serialized()
        check((try? JSONValue.parse(text)) == value, "serialize then parse changed the document")
    }

    static let dispatcher = JSONRPCDispatcher(
        methods: [
            "echo": { params in params.reader.value },
            "fields": { params in
                try params.only(["a", "b"])
                let a = try params.map { r throws(JSONFieldError) in try r.field("a").uint64() }
                let b = try params.map { r throws(JSONFieldError) in try r.optionalField("b")?.string() }
                return .object(["a": .uint(a), "b": b.map { .string($0) } ?? .null])
            },
        ], maxBatchRequests: 8, maxResponseBytes: 1 << 16)

    final class Box: @unchecked Sendable {
        let lock = NSLock()
        var value: [UInt8]?? = nil
    }

    /// Runs each job at once on the thread that enqueues it. The dispatcher's methods here never
    /// suspend, so a task preferring this executor runs to its end inside `Task.init`: no thread
    /// hop per input (a detached task and a semaphore cost ~40 ms each under the sanitizers).
    final class InlineExecutor: TaskExecutor, @unchecked Sendable {
        func enqueue(_ job: consuming ExecutorJob) { job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
    static let inline = InlineExecutor()

    static func rpc(_ bytes: [UInt8]) {
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: inline) {
            let response = await dispatcher.handle(body: bytes)
            box.lock.withLock { box.value = .some(response) }
            done.signal()
        }
        done.wait()
        guard let response = box.lock.withLock({ box.value }) else { return check(false, "no answer") }
        guard let body = response else { return }  // only notifications
        check((try? JSONValue.parse(body)) != nil, "the response is not JSON")
    }
}
