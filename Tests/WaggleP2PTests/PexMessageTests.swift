import Testing
import WaggleCore
import WaggleTesting

@testable import WaggleP2P

@Suite struct PexMessageTests {
    static let idA = NodeID(publicKey: TestKeys.signer(1).publicKey)
    static let idB = NodeID(publicKey: TestKeys.signer(2).publicKey)

    static func address(_ id: NodeID, _ ip: String, _ port: UInt16) -> PexAddress {
        guard let parsed = IPAddress(parsing: ip) else { fatalError("bad IP in a test: \(ip)") }
        return PexAddress(id: id, ip: parsed, port: port)
    }

    @Test func requestAndAddrsHaveTheDocumentedBytes() throws {
        #expect(PexMessage.request.canonicalBytes == [0x01])
        let v4 = Self.address(Self.idA, "1.2.3.4", 26656)
        let v6 = Self.address(Self.idB, "2001:4860::8888", 443)
        let bytes = PexMessage.addrs([v4, v6]).canonicalBytes
        let expected: [UInt8] =
            [0x02, 0, 0, 0, 2] + Self.idA.bytes + [0x04, 1, 2, 3, 4, 0x68, 0x20] + Self.idB.bytes
            + [0x06, 0x20, 0x01, 0x48, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x88, 0x01, 0xbb]
        #expect(bytes == expected)
        #expect(try PexMessage(canonicalBytes: bytes) == .addrs([v4, v6]))
        #expect(try PexMessage(canonicalBytes: [0x02, 0, 0, 0, 0]) == .addrs([]))
        #expect(v6.description == "\(Self.idB)@[2001:4860::8888]:443")
    }

    @Test func malformedMessagesAreRefusedWithTheirReason() {
        let one = Self.address(Self.idA, "1.2.3.4", 1).canonicalBytes
        func code(_ bytes: [UInt8]) -> CodecError? {
            do {
                _ = try PexMessage(canonicalBytes: bytes)
                return nil
            } catch { return error as? CodecError }
        }
        #expect(code([]) == CodecError(.truncated, ""))
        #expect(code([0x03]) == CodecError(.unknownTag, ""))
        #expect(code([0x01, 0x00]) == CodecError(.trailingBytes, ""))
        #expect(code([0x02, 0, 0, 0, 1]) == CodecError(.truncated, ""))
        #expect(code([0x02, 0, 0, 0, 1] + one.dropLast()) == CodecError(.truncated, ""))
        #expect(code([0x02, 0, 0, 0, 1] + one + [0]) == CodecError(.trailingBytes, ""))
        // More than 250 addresses: refused at the count, before reading them.
        #expect(code([0x02, 0, 0, 0, 251]) == CodecError(.lengthOverLimit, ""))
        #expect(code([0x02, 0xff, 0xff, 0xff, 0xff]) == CodecError(.lengthOverLimit, ""))
        // Port 0, an unknown family, an IPv4-mapped IPv6 address (IPv4 has one encoding).
        var port0 = one
        port0[port0.count - 1] = 0
        #expect(code([0x02, 0, 0, 0, 1] + port0) == CodecError(.invalidValue, ""))
        var family = one
        family[20] = 0x05
        #expect(code([0x02, 0, 0, 0, 1] + family) == CodecError(.unknownTag, ""))
        let mapped = Self.idA.bytes + [0x06] + [UInt8](repeating: 0, count: 10) + [0xff, 0xff, 1, 2, 3, 4] + [0, 1]
        #expect(code([0x02, 0, 0, 0, 1] + mapped) == CodecError(.nonCanonical, ""))
    }

    @Test func randomAndMutatedBytesNeverCrashAndWhateverDecodesReencodesTheSame() {
        var rng = SplitMix64(seed: 0x5eed_0e0e)
        let honest = PexMessage.addrs((0..<5).map { i in Self.address(Self.idA, "10.0.0.\(i + 1)", UInt16(1000 + i)) }).canonicalBytes
        var decoded = 0
        for i in 0..<4000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = honest
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[at] = UInt8.random(in: 0...255, using: &rng)
                }
                if Bool.random(using: &rng) { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
            } else {
                bytes = rng.bytes(Int.random(in: 0...80, using: &rng))
            }
            guard let message = try? PexMessage(canonicalBytes: bytes) else { continue }
            decoded += 1
            #expect(message.canonicalBytes == bytes)
        }
        #expect(decoded > 0, "some mutations keep a valid message (a changed id or IP byte)")
    }

    @Test func ipAddressesParseFormatAndClassifyAsCometBFTDoes() {
        #expect(IPAddress(parsing: "::ffff:1.2.3.4")?.bytes == [1, 2, 3, 4])
        #expect(IPAddress(parsing: "2001:DB8:0:0:0:0:0:1")?.description == "2001:db8::1")
        for bad in ["", "example.org", "1.2.3", "1.2.3.256", "[::1]", "::1%eth0", " 1.2.3.4"] {
            #expect(IPAddress(parsing: bad) == nil, "\(bad)")
        }
        let routable = ["1.2.3.4", "8.8.8.8", "172.32.0.1", "2001:4860::8888"]
        let unroutableButValid = [
            "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.0.1", "::1", "fe80::1",
            "fc00::1", "fd12::1", "2001:10::1",
        ]
        let invalid = ["0.0.0.0", "::", "255.255.255.255", "224.0.0.1", "2001:db8::1", "ff02::1"]
        for a in routable { #expect(IPAddress(parsing: a)?.isRoutable == true, "\(a)") }
        for a in unroutableButValid {
            #expect(IPAddress(parsing: a)?.isValid == true, "\(a)")
            #expect(IPAddress(parsing: a)?.isRoutable == false, "\(a)")
        }
        for a in invalid { #expect(IPAddress(parsing: a)?.isValid == false, "\(a)") }
    }
}
