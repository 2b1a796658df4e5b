import Testing
import WaggleCore
import WaggleTesting

@testable import WaggleP2P

@Suite struct NodeInfoTests {
    static let id = NodeID(publicKey: TestKeys.signer(1).publicKey)

    static func info(
        chainID: String = "waggle-test", p2p: UInt32 = NodeInfo.currentP2PVersion, block: UInt32 = 1,
        channels: [ChannelID] = ChannelDescriptor.all.map(\.id)
    ) -> NodeInfo {
        guard
            let info = NodeInfo(
                p2pVersion: p2p, blockVersion: block, chainID: chainID, nodeID: id,
                listenAddress: "tcp://127.0.0.1:26656", moniker: "node-1", channels: channels)
        else { fatalError("valid node info") }
        return info
    }

    @Test func encodingIsByteExactAndRoundTrips() throws {
        let info = Self.info(channels: [.votes, .control, .pex, .votes])
        #expect(info.channels == [.pex, .control, .votes])
        var expected: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1]
        expected += [0, 0, 0, 11] + Array("waggle-test".utf8)
        expected += Self.id.bytes
        expected += [0, 0, 0, 21] + Array("tcp://127.0.0.1:26656".utf8)
        expected += [0, 0, 0, 6] + Array("node-1".utf8)
        expected += [0, 0, 0, 3, 0x00, 0x01, 0x22]
        #expect(info.canonicalBytes == expected)
        #expect(try NodeInfo(canonicalBytes: expected) == info)
        #expect(expected.count <= NodeInfo.maxEncodedSize)
    }

    @Test func decodingRefusesTrailingTruncatedOversizedAndNonCanonicalInput() throws {
        let bytes = Self.info().canonicalBytes
        #expect(throws: CodecError(.trailingBytes, "")) { try NodeInfo(canonicalBytes: bytes + [0]) }
        for cut in [0, 3, 8, 20, bytes.count - 1] {
            #expect(throws: CodecError(.truncated, ""), "cut \(cut)") { try NodeInfo(canonicalBytes: Array(bytes.prefix(cut))) }
        }
        // A chain id one byte over its limit.
        var long = CanonicalEncoder()
        long.u32(1); long.u32(1); long.string(String(repeating: "c", count: 51))
        #expect(throws: CodecError(.lengthOverLimit, "")) { try NodeInfo(canonicalBytes: long.bytes) }
        // Channels out of order, or repeated.
        for channels: [UInt8] in [[0x22, 0x00], [0x01, 0x01]] {
            var e = CanonicalEncoder()
            e.u32(1); e.u32(1); e.string("c"); e.fixed(Self.id.bytes); e.string(""); e.string(""); e.bytes(channels)
            #expect(throws: CodecError(.nonCanonical, "")) { try NodeInfo(canonicalBytes: e.bytes) }
        }
        // A control character in the moniker.
        var e = CanonicalEncoder()
        e.u32(1); e.u32(1); e.string("c"); e.fixed(Self.id.bytes); e.string(""); e.string("evil\nline"); e.bytes([])
        #expect(throws: CodecError(.invalidValue, "")) { try NodeInfo(canonicalBytes: e.bytes) }
    }

    @Test func initialiserRefusesValuesTheDecoderWouldRefuse() {
        #expect(NodeInfo(chainID: String(repeating: "c", count: 51), nodeID: Self.id, listenAddress: "", moniker: "", channels: []) == nil)
        #expect(
            NodeInfo(chainID: "c", nodeID: Self.id, listenAddress: String(repeating: "a", count: 257), moniker: "", channels: []) == nil)
        #expect(NodeInfo(chainID: "c", nodeID: Self.id, listenAddress: "", moniker: String(repeating: "m", count: 65), channels: []) == nil)
        #expect(NodeInfo(chainID: "c", nodeID: Self.id, listenAddress: "", moniker: "tab\there", channels: []) == nil)
        #expect(
            NodeInfo(chainID: "c", nodeID: Self.id, listenAddress: "", moniker: "", channels: (0..<65).map { ChannelID(UInt8($0)) }) == nil)
        #expect(
            NodeInfo(chainID: "c", nodeID: Self.id, listenAddress: "", moniker: "", channels: (0..<64).map { ChannelID(UInt8($0)) }) != nil)
    }

    @Test func compatibilityNamesTheFirstMismatch() {
        let ours = Self.info()
        #expect(ours.incompatibility(with: Self.info(), authenticatedAs: Self.id) == nil)
        #expect(
            ours.incompatibility(with: Self.info(chainID: "other"), authenticatedAs: Self.id)
                == .chainID(ours: "waggle-test", theirs: "other"))
        #expect(ours.incompatibility(with: Self.info(p2p: 2), authenticatedAs: Self.id) == .p2pVersion(ours: 1, theirs: 2))
        #expect(ours.incompatibility(with: Self.info(block: 9), authenticatedAs: Self.id) == .blockVersion(ours: 1, theirs: 9))
        #expect(ours.incompatibility(with: Self.info(channels: [ChannelID(0x77)]), authenticatedAs: Self.id) == .noCommonChannels)
        let other = NodeID(publicKey: TestKeys.signer(2).publicKey)
        #expect(ours.incompatibility(with: Self.info(), authenticatedAs: other) == .nodeIDMismatch(authenticated: other, claimed: Self.id))
        let line = ours.incompatibility(with: Self.info(chainID: "other"), authenticatedAs: Self.id)?.description ?? ""
        #expect(line.contains("waggle-test") && line.contains("other"))
    }
}

@Suite struct ChannelAndControlTests {
    @Test func everyChannelDesignNamesIsDescribedOnceWithPositiveLimits() {
        let ids = ChannelDescriptor.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in [ChannelID.consensusState, .proposals, .votes, .mempool, .evidence, .blockSync, .pex, .control] {
            #expect(ids.contains(id), "\(id)")
        }
        for c in ChannelDescriptor.all {
            #expect(c.maxMessageSize > 0 && c.maxMessageSize <= ChannelDescriptor.absoluteMaxMessageSize)
            #expect(c.sendQueueCapacity > 0)
        }
        let blockSync = ChannelDescriptor.all.first { $0.id == .blockSync }
        #expect((blockSync?.maxMessageSize ?? 0) > Block.maxEncodedSize)
        let control = ChannelDescriptor.all.first { $0.id == .control }
        #expect((control?.maxMessageSize ?? 0) >= ControlMessage.ping(0).canonicalBytes.count)
    }

    @Test func pingAndPongEncodeExactlyAndPingAsksForPong() throws {
        #expect(ControlMessage.ping(0x0102_0304_0506_0708).canonicalBytes == [1, 1, 2, 3, 4, 5, 6, 7, 8])
        #expect(ControlMessage.pong(5).canonicalBytes == [2, 0, 0, 0, 0, 0, 0, 0, 5])
        #expect(try ControlMessage(canonicalBytes: [2, 0, 0, 0, 0, 0, 0, 0, 5]) == .pong(5))
        #expect(ControlMessage.ping(9).reply == .pong(9))
        #expect(ControlMessage.pong(9).reply == nil)
        #expect(throws: CodecError(.unknownTag, "")) { try ControlMessage(canonicalBytes: [3, 0, 0, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: CodecError(.truncated, "")) { try ControlMessage(canonicalBytes: [1, 0]) }
        #expect(throws: CodecError(.trailingBytes, "")) { try ControlMessage(canonicalBytes: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }
    }
}
