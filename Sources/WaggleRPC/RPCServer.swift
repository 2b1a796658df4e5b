import Hummingbird
import Logging
import NIOCore
import WaggleCore

/// The HTTP face of JSON-RPC: POST / for calls and batches, GET /health and GET /status for
/// probes. Bodies over the limit get HTTP 413 with a JSON-RPC error, and nothing runs.
///
/// Hardening: at most `maxConnections` open connections (further ones wait in the kernel's
/// backlog), idle connections closed after `idleTimeout`, a whole body must arrive within
/// `bodyTimeout`, and a POST must say `Content-Type: application/json` (HTTP 415 otherwise), so a
/// web page cannot reach a loopback node with a "simple" cross-origin request.
public struct RPCServer: Sendable {
    public let host: String
    public let port: Int
    public let maxBodyBytes: Int
    public var maxConnections = 256
    public var idleTimeout: Duration = .seconds(30)
    public var bodyTimeout: Duration = .seconds(30)
    public let dispatcher: JSONRPCDispatcher
    /// The `status` result, for GET /status.
    public let status: @Sendable () async throws -> JSONValue
    public let logger: Logger

    public init(
        host: String, port: Int, maxBodyBytes: Int, dispatcher: JSONRPCDispatcher, logger: Logger,
        status: @escaping @Sendable () async throws -> JSONValue
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.dispatcher = dispatcher
        self.logger = logger
        self.status = status
    }

    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        json(bytes: value.serialized(), status: status)
    }

    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: jsonHeaders, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The router, exposed so tests can drive it in process.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let dispatcher = self.dispatcher
        let limit = maxBodyBytes
        let bodyTimeout = self.bodyTimeout
        let status = self.status
        router.post("/") { request, _ -> Response in
            guard Self.isJSON(request.headers[.contentType]) else {
                let err = RPCError.invalidRequest("Content-Type must be application/json")
                return Self.json(JSONRPCDispatcher.errorResponse(err, id: .null), status: .unsupportedMediaType)
            }
            let body: ByteBuffer
            do {
                body = try await Self.withDeadline(bodyTimeout) { [request] in
                    var request = request
                    return try await request.collectBody(upTo: limit)
                }
            } catch is BodyTimeout {
                let err = RPCError.invalidRequest("the request body did not arrive within \(bodyTimeout)")
                return Self.json(JSONRPCDispatcher.errorResponse(err, id: .null), status: .requestTimeout)
            } catch {
                let err = RPCError.invalidRequest("request body exceeds the limit of \(limit) bytes")
                return Self.json(JSONRPCDispatcher.errorResponse(err, id: .null), status: .contentTooLarge)
            }
            guard let reply = await dispatcher.handle(body: Array(buffer: body)) else {
                return Response(status: .noContent)
            }
            return Self.json(bytes: reply)
        }
        router.get("/health") { _, _ -> Response in Self.json(.object([:])) }
        router.get("/status") { _, _ -> Response in
            do { return Self.json(try await status()) } catch {
                return Self.json(.object(["error": .string("\(error)")]), status: .serviceUnavailable)
            }
        }
        return router
    }

    /// `application/json`, with or without parameters such as `; charset=utf-8`.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return media == "application/json"
    }

    struct BodyTimeout: Error {}

    /// `body`'s result, or `BodyTimeout` once `limit` has passed (the body is then cancelled).
    static func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw BodyTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// The Hummingbird application; `onRunning` receives the bound port (useful with port 0).
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let idle = idleTimeout.components
        return Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000))),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "waggle",
                availableConnectionsDelegate: .maximum(maxConnections, logger: logger)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
