import Testing
@testable import WaggleNode

/// The CLI's HTTP client must turn any response a server sends into a response or an error.
@Suite struct HTTPClientParsingTests {
    func raw(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func wellFormedResponsesParse() throws {
        let plain = try HTTPClient.parse(raw("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef"))
        #expect(plain.status == 200 && plain.body == raw("abc"))
        let chunked = try HTTPClient.parse(raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"))
        #expect(chunked.body == raw("abcde"))
    }

    @Test func hostileLengthsAreErrorsNotTraps() {
        for bad in [
            "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nab\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nab\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
            "HTTP/1.1 OK\r\n\r\n",
            "no header end",
        ] {
            #expect(throws: (any Error).self, "\(bad.debugDescription)") { try HTTPClient.parse(raw(bad)) }
        }
    }
}
