import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import WaggleCore
import WaggleRPC

@Suite struct RPCServerTests {
    func server(maxBody: Int = 200) -> RPCServer {
        RPCServer(
            host: "127.0.0.1", port: 0, maxBodyBytes: maxBody,
            dispatcher: JSONRPCDispatcher(methods: ["ping": { _ in "pong" }]),
            logger: Logger(label: "test"), status: { ["ok": true] })
    }

    @Test func postRootRunsJSONRPC() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .post, body: ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json")
                let v = try JSONValue.parse(Array(buffer: r.body))
                #expect(v["result"] == "pong")
            }
        }
    }

    @Test func oversizedBodyIsRefusedWith413AndAJSONRPCError() async throws {
        let app = Application(router: server(maxBody: 50).router())
        let big = #"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":""# + String(repeating: "x", count: 500) + #""}}"#
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .post, body: ByteBuffer(string: big)) { r in
                #expect(r.status == .contentTooLarge)
                let v = try JSONValue.parse(Array(buffer: r.body))
                #expect(v["error"]?["code"] == .int(-32600))
            }
        }
    }

    @Test func healthAndStatusAnswerGET() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/status", method: .get) { r in
                let v = try JSONValue.parse(Array(buffer: r.body))
                #expect(v["ok"] == true)
            }
        }
    }

    @Test func garbageBodyGetsAParseErrorNotACrash() async throws {
        let app = Application(router: server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .post, body: ByteBuffer(bytes: [0xff, 0x00, 0x13, 0x37])) { r in
                #expect(r.status == .ok)
                let v = try JSONValue.parse(Array(buffer: r.body))
                #expect(v["error"]?["code"] == .int(-32700))
            }
        }
    }
}
