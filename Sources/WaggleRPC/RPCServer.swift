import Hummingbird
import Logging
import NIOCore
import WaggleCore

/// The HTTP face of JSON-RPC: POST / for calls and batches, GET /health and GET /status for
/// probes. Bodies over the limit get HTTP 413 with a JSON-RPC error, and nothing runs.
public struct RPCServer: Sendable {
    public let host: String
    public let port: Int
    public let maxBodyBytes: Int
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
        let status = self.status
        router.post("/") { request, _ -> Response in
            var request = request
            let body: ByteBuffer
            do { body = try await request.collectBody(upTo: limit) } catch {
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

    /// The Hummingbird application; `onRunning` receives the bound port (useful with port 0).
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "waggle"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
