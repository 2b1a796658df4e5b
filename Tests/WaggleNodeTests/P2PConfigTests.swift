import Foundation
import Testing
import WaggleCore
import WaggleNode
import WaggleP2P
import WaggleTesting

@Suite struct P2PConfigTests {
    let idA = String(repeating: "ab", count: 20)
    let idB = String(repeating: "0c", count: 20)

    @Test func defaultsAreCometBFTs() {
        let p = NodeConfig().p2p
        #expect(p.listenAddress == NetAddress(host: "0.0.0.0", port: 26656))
        #expect(p.maxInboundPeers == 40 && p.maxOutboundPeers == 10)
        #expect(p.handshakeTimeoutMs == 20_000 && p.dialTimeoutMs == 3_000)
        #expect(p.sendRate == 5_120_000 && p.recvRate == 5_120_000)
        #expect(p.persistentPeers.isEmpty && p.externalAddress == nil)
        #expect(p.pex && p.addrBookStrict && p.seeds.isEmpty)
    }

    @Test func everyP2PKeyParsesAndTheWrittenConfigRoundTrips() throws {
        let c = try NodeConfig.parse(
            """
            [p2p]
            laddr = "tcp://127.0.0.1:0"
            external_address = "tcp://203.0.113.7:26656"
            persistent_peers = "\(idA)@10.0.0.1:26656, \(idB)@[::1]:26657,"
            seeds = "\(idB)@seed.example.org:26656"
            pex = false
            addr_book_strict = false
            max_num_inbound_peers = 2
            max_num_outbound_peers = 3
            handshake_timeout = "1500ms"
            dial_timeout = "1m"
            send_rate = 2048
            recv_rate = 4096
            max_packet_msg_payload_size = 1024
            """)
        #expect(c.p2p.listenAddress == NetAddress(host: "127.0.0.1", port: 0))
        #expect(c.p2p.externalAddress == NetAddress(host: "203.0.113.7", port: 26656))
        #expect(c.p2p.persistentPeers.map(\.description) == ["\(idA)@10.0.0.1:26656", "\(idB)@[::1]:26657"])
        #expect(c.p2p.seeds.map(\.address.host) == ["seed.example.org"])
        #expect(!c.p2p.pex && !c.p2p.addrBookStrict && c.p2p.maxInboundPeers == 2 && c.p2p.maxOutboundPeers == 3)
        #expect(c.p2p.handshakeTimeoutMs == 1_500 && c.p2p.dialTimeoutMs == 60_000)
        #expect(c.p2p.sendRate == 2048 && c.p2p.recvRate == 4096 && c.p2p.maxPacketMsgPayloadSize == 1024)
        #expect(try NodeConfig.parse(c.tomlText) == c)
        #expect(try NodeConfig.parse(NodeConfig().tomlText) == NodeConfig())
    }

    func expectFailure(_ text: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try NodeConfig.parse(text)
            Issue.record("accepted bad config", sourceLocation: sourceLocation)
        } catch {
            for f in fragments { #expect(error.description.contains(f), "\(error)", sourceLocation: sourceLocation) }
        }
    }

    @Test func badP2PValuesNameTheKeyAndTheReason() {
        expectFailure("[p2p]\nladdr = \"udp://1.2.3.4:5\"\n", ["p2p.laddr", "unsupported scheme"])
        expectFailure("[p2p]\nladdr = \"tcp://:26656\"\n", ["p2p.laddr", "host is empty"])
        expectFailure("[p2p]\nladdr = \"tcp://0.0.0.0:99999\"\n", ["p2p.laddr", "port"])
        expectFailure("[p2p]\npersistent_peers = \"10.0.0.1:26656\"\n", ["p2p.persistent_peers", "node id is missing"])
        expectFailure("[p2p]\npersistent_peers = \"abcd@10.0.0.1:26656\"\n", ["p2p.persistent_peers", "40 hex digits", "abcd"])
        expectFailure("[p2p]\npersistent_peers = \"\(idA)@10.0.0.1\"\n", ["p2p.persistent_peers", "HOST:PORT"])
        expectFailure("[p2p]\npersistent_peers = \"\(idA)@10.0.0.1:0\"\n", ["p2p.persistent_peers", "port 0"])
        expectFailure("[p2p]\npersistent_peers = \"\(idA)@a:1,\(idA)@b:2\"\n", ["listed twice"])
        expectFailure("[p2p]\nseeds = \"\(idA)@bad host:1\"\n", ["p2p.seeds", "not a host name"])
        expectFailure("[p2p]\nmax_num_inbound_peers = 10001\n", ["max_num_inbound_peers", "between 0 and 10000"])
        expectFailure("[p2p]\nmax_num_outbound_peers = 5000\n", ["max_num_outbound_peers"])
        expectFailure("[p2p]\nhandshake_timeout = \"20\"\n", ["handshake_timeout", "duration"])
        expectFailure("[p2p]\ndial_timeout = \"1h\"\n", ["dial_timeout"])
        expectFailure("[p2p]\ndial_timeout = \"11m\"\n", ["dial_timeout"])
        expectFailure("[p2p]\nsend_rate = 10\n", ["send_rate"])
        expectFailure("[p2p]\nrecv_rate = \"fast\"\n", ["recv_rate"])
        expectFailure("[p2p]\nmax_packet_msg_payload_size = 65520\n", ["max_packet_msg_payload_size"])
        expectFailure("[p2p]\npex = \"yes\"\n", ["p2p.pex"])
        expectFailure("[p2p]\naddr_book_strict = 1\n", ["p2p.addr_book_strict"])
        expectFailure("[p2p]\nlistener = 1\n", ["unknown field \"listener\""])
    }

    @Test func initWritesAPrivateNodeKeyWhoseIDIsTheHashOfItsPublicKey() throws {
        let dir = TempDir()
        let home = NodeHome(dir.path + "/home")
        _ = try home.initialise(chainID: "c-1", moniker: "m", force: false, genesisTimeMs: 0)
        #expect(FileIO.permissions(home.nodeKeyFile) == 0o600)
        let key = try KeyFile.load(home.nodeKeyFile)
        let id = try home.nodeID()
        #expect(id.bytes == Array(Hash256.sha256(key.signer.publicKey.bytes).bytes.prefix(20)))
        #expect(id.hex.count == 40)
        #expect(key.signer.publicKey != (try KeyFile.load(home.validatorKeyFile)).signer.publicKey, "the node key is not the validator key")
    }

    @Test func aNodeKeyReadableByOthersIsRefused() throws {
        let dir = TempDir()
        let home = NodeHome(dir.path + "/home")
        _ = try home.initialise(chainID: "c-1", moniker: "m", force: false, genesisTimeMs: 0)
        try KeyFile(name: "node", signer: TestKeys.signer(3)).write(to: home.nodeKeyFile)
        #expect(try home.nodeID() == NodeID(publicKey: TestKeys.signer(3).publicKey))
        #expect(chmod(home.nodeKeyFile, 0o644) == 0)
        #expect(throws: NodeError(.keys, "")) { try home.nodeID() }
    }
}
