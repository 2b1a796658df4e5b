import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import WaggleCore
import WaggleCrypto
import WaggleP2P
import WaggleSwitch
import WaggleTesting

/// Encrypted transport throughput: two real `PeerSwitch`es on 127.0.0.1 (Noise handshake, frames,
/// ChaCha20-Poly1305, TCP), one streaming messages on the block-sync channel to the other, beside
/// a raw libsodium ChaCha20-Poly1305 seal+open loop over the same bytes cut the same way (one
/// seal and one open per transport message of `max_packet_msg_payload_size` plaintext).
struct TransportBenchmarks {
    let quick: Bool

    /// Counts the bytes that arrive on the block-sync channel.
    final class Sink: Reactor {
        let channels: [ChannelID] = [.blockSync]
        let received = NIOLockedValueBox<(messages: Int, bytes: Int)>((0, 0))
        func receive(_ payload: [UInt8], on channel: ChannelID, from peer: Peer) {
            received.withLockedValue {
                $0.messages += 1
                $0.bytes += payload.count
            }
        }
    }

    func run() async throws -> [BenchmarkRow] {
        let messageSize = 1 << 20
        let messages = quick ? 64 : 256
        let window = 16  // messages in flight: below the block-sync queue's 64
        let payload = (0..<messageSize).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let total = Double(messageSize * messages)

        let sink = Sink()
        let receiver = makeSwitch(key: 101)
        receiver.register(sink)
        let receiverTask = Task { try await receiver.run() }
        let address = try await receiver.listeningAddress()
        let sender = makeSwitch(key: 102, persistent: [PeerAddress(id: receiver.nodeID, address: address)])
        let senderTask = Task { try await sender.run() }
        defer {
            senderTask.cancel()
            receiverTask.cancel()
        }
        while !sender.connectedPeers.contains(where: { $0.id == receiver.nodeID }) { try await Task.sleep(for: .milliseconds(10)) }

        func stream(_ count: Int) async throws {
            let start = sink.received.withLockedValue { $0.messages }
            for i in 0..<count {
                while i - (sink.received.withLockedValue { $0.messages } - start) >= window {
                    try await Task.sleep(for: .microseconds(200))
                }
                guard sender.send(payload, on: .blockSync, to: receiver.nodeID) else { throw Disconnected() }
            }
            while sink.received.withLockedValue({ $0.messages }) - start < count { try await Task.sleep(for: .microseconds(200)) }
        }
        try await stream(8)  // warm-up
        let transportSeconds = try await measureAsync(repeats: 2) { try await stream(messages) }
        let transport = total / transportSeconds / 1e6

        let raw = total / (try measure(repeats: 2) { try sealOpenLoop(payload, messages: messages) }) / 1e6
        return [
            BenchmarkRow(group: "p2p", name: "raw ChaCha20-Poly1305 seal+open (libsodium, 65,519 B pieces)", value: raw, unit: "MB/s"),
            BenchmarkRow(
                group: "p2p", name: "encrypted transport, 2 switches on loopback (1 MiB messages)", value: transport, unit: "MB/s",
                reference: "raw seal+open", ratio: transport / raw),
        ]
    }

    struct Disconnected: Error, CustomStringConvertible {
        var description: String { "the benchmark's peer disconnected" }
    }

    private func makeSwitch(key: Int, persistent: [PeerAddress] = []) -> PeerSwitch {
        var logger = Logger(label: "p2p-bench")
        logger.logLevel = .warning
        return PeerSwitch(
            configuration: .init(
                chainID: "waggle-bench", moniker: "bench-\(key)", listenAddress: NetAddress(host: "127.0.0.1", port: 0),
                persistentPeers: persistent, dialTick: .milliseconds(20), sendRate: 10_000_000_000, recvRate: 10_000_000_000),
            nodeKey: TestKeys.signer(key), logger: logger)
    }

    /// What the two ends do to the same bytes, without sockets: seal each 65,519-byte piece with
    /// the next Noise nonce, then open it.
    private func sealOpenLoop(_ payload: [UInt8], messages: Int) throws {
        let key = SecretBytes((0..<32).map { UInt8($0) })
        let piece = NoiseTransport.maxPlaintextLength
        var nonce: UInt64 = 0
        var check = 0
        for _ in 0..<messages {
            var offset = 0
            while offset < payload.count {
                let plain = Array(payload[offset..<min(payload.count, offset + piece)])
                offset += piece
                let n = ChaCha20Poly1305.noiseNonce(nonce)
                nonce += 1
                let sealed = try ChaCha20Poly1305.seal(plain, associatedData: [], nonce: n, key: key)
                check &+= try ChaCha20Poly1305.open(sealed, associatedData: [], nonce: n, key: key).count
            }
        }
        precondition(check == payload.count * messages, "every piece opens")
    }
}
