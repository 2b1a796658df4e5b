import Testing
import WaggleP2P

@Suite struct PeerAddressTests {
    let id = String(repeating: "9f", count: 20)

    @Test func parsesCometBFTFormsAndPrintsThemBack() throws {
        let p = try PeerAddress(parsing: " \(id.uppercased())@node-1.example.org:26656 ")
        #expect(p.id.hex == id && p.address == NetAddress(host: "node-1.example.org", port: 26656))
        #expect(p.description == "\(id)@node-1.example.org:26656")
        #expect(try PeerAddress(parsing: "\(id)@tcp://127.0.0.1:1").address.port == 1)
        #expect(try NetAddress(parsing: "[::1]:26656").description == "[::1]:26656")
        #expect(try NetAddress(parsing: "tcp://0.0.0.0:0", allowPortZero: true).port == 0)
        #expect(try PeerAddress.parseList("").isEmpty)
        #expect(try PeerAddress.parseList("\(id)@a:1, ,").count == 1)
    }

    @Test func refusesEachMalformedPartWithAPreciseReason() {
        let cases: [(String, String)] = [
            ("a:1", "node id is missing"),
            ("0x\(id.dropFirst(2))@a:1", "40 hex digits"),
            ("\(id)x@a:1", "40 hex digits"),
            ("\(id)@a", "HOST:PORT"),
            ("\(id)@:1", "host is empty"),
            ("\(id)@a:0", "port 0"),
            ("\(id)@a:65536", "port"),
            ("\(id)@a:+1", "port"),
            ("\(id)@a b:1", "not a host name"),
            ("\(id)@[::1:1", "brackets"),
            ("\(id)@[zz]:1", "IPv6"),
            ("\(id)@::1:1", "not a host name"),
            ("\(id)@http://a:1", "unsupported scheme"),
        ]
        for (text, fragment) in cases {
            do {
                _ = try PeerAddress(parsing: text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.reason.contains(fragment), "\(text): \(error)")
            }
        }
        #expect(throws: PeerAddressError.self) { try PeerAddress.parseList("\(id)@a:1,\(id)@b:2") }
    }
}
