import Foundation
import NIOConcurrencyHelpers
import Testing
import WaggleCore
import WaggleP2P
import WaggleSwitch
import WaggleTesting

/// A switch with a running PEX reactor (loopback, so `addr_book_strict` is off).
final class PexNode: Sendable {
    let node: RunningSwitch
    let pex: PexReactor
    let task: Task<Void, any Error>
    let saved: NIOLockedValueBox<[AddressBook]>

    var id: NodeID { node.id }

    init(_ key: Int, seeds: [PeerAddress] = [], persistent: [PeerAddress] = [], period: Duration = .milliseconds(200)) async throws {
        let box = NIOLockedValueBox<PexReactor?>(nil)
        let saved = NIOLockedValueBox<[AddressBook]>([])
        self.saved = saved
        node = try await RunningSwitch.start(key, persistent: persistent) { sw in
            let book = AddressBook(selfID: sw.nodeID, strict: false)
            box.withLockedValue {
                $0 = PexReactor(
                    p2p: sw, book: book, configuration: .init(seeds: seeds, ensurePeersPeriod: period),
                    persist: { b in saved.withLockedValue { $0.append(b) } })
            }
        }
        guard let pex = box.withLockedValue({ $0 }) else { fatalError("configure runs before start returns") }
        self.pex = pex
        task = Task { try await pex.run() }
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        await node.stop()
    }
}

@Suite(.serialized) struct PexTests {
    @Test func aNodeThatKnowsOnlyASeedLearnsAndDialsTheSeedsOtherPeers() async throws {
        let a = try await PexNode(21)
        // B (no peer exchange of its own) dials A, so A learns B's listen address from B's node info.
        let b = try await RunningSwitch.start(22, persistent: [a.node.peerAddress])
        #expect(await eventually { a.node.peerIDs.contains(b.id) })
        #expect(a.pex.book.entries[b.id]?.address.port == UInt16(b.address.port))
        // C knows only A, as a seed: it dials A, asks for addresses, learns B and dials it.
        let c = try await PexNode(23, seeds: [a.node.peerAddress])
        #expect(await eventually { c.node.peerIDs == [a.id, b.id] })
        let entry = c.pex.book.entries[b.id]
        #expect(entry?.source == a.id, "B's address came from A")
        #expect(entry?.isGood == true, "and C connected to it")
        #expect(c.node.sw.peerStatuses.allSatisfy { $0.direction == .outbound })
        #expect(c.pex.book.entries[c.id] == nil, "never itself")
        // The book was handed to persistence with B in it.
        #expect(await eventually { c.saved.withLockedValue { $0.last?.entries[b.id]?.isGood == true } })
        await c.stop()
        await b.stop()
        await a.stop()
    }

    @Test func aPeerThatFloodsRequestsIsDisconnectedBannedAndMarkedBad() async throws {
        // A long period: at most one request per 10 s from each peer.
        let a = try await PexNode(24, period: .seconds(30))
        let replies = RecordingReactor(.pex)
        let flooder = try await RunningSwitch.start(25, persistent: [a.node.peerAddress], reactors: [replies])
        #expect(await eventually { a.node.peerIDs.contains(flooder.id) && flooder.peerIDs.contains(a.id) })
        // CometBFT's leniency: the first two requests are answered whatever their spacing.
        #expect(flooder.sw.send(PexMessage.request.canonicalBytes, on: .pex, to: a.id))
        #expect(flooder.sw.send(PexMessage.request.canonicalBytes, on: .pex, to: a.id))
        #expect(await eventually { replies.messages.count == 2 }, "the first two requests are answered")
        let reply = try #require(replies.messages.first)
        #expect(try PexMessage(canonicalBytes: reply.1) == .addrs([]), "A knows no one but the asker")
        #expect(!a.node.sw.isBanned(flooder.id))
        #expect(flooder.sw.send(PexMessage.request.canonicalBytes, on: .pex, to: a.id))
        #expect(await eventually { a.node.sw.isBanned(flooder.id) && !a.node.peerIDs.contains(flooder.id) })
        #expect(a.pex.book.isBanned(flooder.id, nowMs: Int64(Date.now.timeIntervalSince1970 * 1000)))
        await flooder.stop()
        await a.stop()
    }

    @Test func unsolicitedOrUndecodableAddrsBanTheSender() async throws {
        let a = try await PexNode(26, period: .seconds(30))
        let bad: [(Int, [UInt8])] = [
            (27, PexMessage.addrs([]).canonicalBytes),  // never asked for
            (28, [0x02, 0, 0, 1, 0]),  // 256 addresses: over the limit
            (29, [0x07]),
        ]
        for (key, payload) in bad {
            let peer = try await RunningSwitch.start(key, persistent: [a.node.peerAddress])
            #expect(await eventually { a.node.peerIDs.contains(peer.id) && peer.peerIDs.contains(a.id) })
            #expect(peer.sw.send(payload, on: .pex, to: a.id))
            #expect(await eventually { a.node.sw.isBanned(peer.id) }, "payload \(payload.prefix(5))")
            await peer.stop()
        }
        #expect(a.node.peerIDs.isEmpty)
        await a.stop()
    }
}
