import Foundation

/// A small HTTP/1.1 client over a POSIX socket, for the CLI and the integration tests talking
/// to a node on this machine. One request per connection (`Connection: close`); it runs on a
/// dispatch thread, never on Swift's cooperative pool.
public struct HTTPClient: Sendable {
    public struct Response: Sendable {
        public let status: Int
        public let body: [UInt8]
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let host: String
    public let port: Int
    public let timeoutSeconds: Int

    public init(host: String, port: Int, timeoutSeconds: Int = 30) {
        self.host = host
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    public func post(_ path: String, body: [UInt8]) async throws -> Response {
        try await request("POST", path, body: body)
    }

    public func get(_ path: String) async throws -> Response {
        try await request("GET", path, body: nil)
    }

    public func request(_ method: String, _ path: String, body: [UInt8]?) async throws -> Response {
        let client = self
        return try await withCheckedThrowingContinuation { cont in
            DispatchQueue.global().async {
                cont.resume(with: Result { try client.requestBlocking(method, path, body: body) })
            }
        }
    }

    func requestBlocking(_ method: String, _ path: String, body: [UInt8]?) throws -> Response {
        let fd = try connectSocket()
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nUser-Agent: waggle\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        try sendAll(fd, Array(head.utf8) + (body ?? []))
        var raw: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "reading from \(host):\(port) failed: \(String(cString: strerror(errno)))")
            }
            raw.append(contentsOf: buf[0..<n])
            if raw.count > 256 << 20 { throw Failure(description: "response from \(host):\(port) is too large") }
        }
        return try Self.parse(raw)
    }

    private func connectSocket() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var res: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(res) }
        var lastError = "no address"
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if fd >= 0 {
                var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                if connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return fd }
                lastError = String(cString: strerror(errno))
                close(fd)
            }
            ai = a.pointee.ai_next
        }
        throw Failure(description: "cannot reach the node at \(host):\(port) (\(lastError)); is it running?")
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "sending to \(host):\(port) failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    static func parse(_ raw: [UInt8]) throws -> Response {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard let end = raw.firstRange(of: sep) else { throw Failure(description: "malformed HTTP response") }
        let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "malformed HTTP status line") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try dechunk(body)
        } else if let text = headers["content-length"] {
            guard let len = Int(text), len >= 0 else { throw Failure(description: "malformed Content-Length \"\(text)\"") }
            guard len <= body.count else { throw Failure(description: "truncated HTTP body (\(body.count) of \(len) bytes)") }
            body = Array(body[0..<len])
        }
        return Response(status: status, body: body)
    }

    static func dechunk(_ data: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            guard let lineEnd = data[i...].firstRange(of: [13, 10]) else { throw Failure(description: "malformed chunked body") }
            let sizeText = String(decoding: data[i..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw Failure(description: "malformed chunk size")
            }
            i = lineEnd.upperBound
            if size == 0 { return out }
            guard size <= data.count - i else { throw Failure(description: "truncated chunk") }
            out.append(contentsOf: data[i..<i + size])
            i += size
            guard data.count - i >= 2, data[i] == 13, data[i + 1] == 10 else { throw Failure(description: "malformed chunk end") }
            i += 2
        }
        throw Failure(description: "truncated chunked body (no final chunk)")
    }
}
