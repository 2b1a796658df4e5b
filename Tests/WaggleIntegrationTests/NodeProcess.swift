import Foundation
import WaggleCore
import WaggleNode

/// The `waggle` binary built beside this test bundle (or $WAGGLE_BIN).
enum WaggleBinary {
    static var path: String? {
        if let env = ProcessInfo.processInfo.environment["WAGGLE_BIN"], FileManager.default.isExecutableFile(atPath: env) { return env }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("waggle").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}

struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `waggle ARGS` to completion.
func runWaggle(_ args: [String], timeout: TimeInterval = 60) throws -> CommandResult {
    guard let bin = WaggleBinary.path else { throw NodeError(.io, "the waggle binary was not built beside the tests") }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: bin)
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Drain both pipes before waiting so a chatty command cannot block on a full pipe.
    nonisolated(unsafe) var outData = Data(), errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning, Date() < deadline { usleep(10_000) }
    if p.isRunning { p.terminate() }
    p.waitUntilExit()
    group.wait()
    return CommandResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
}

/// Edits HOME/config/config.toml as `waggle init` wrote it: RPC and P2P on free loopback ports
/// (port 0; the node writes the bound ones to data/), a block every 100 ms.
func useFreeLoopbackPortsAndFastBlocks(home: String) throws {
    let configPath = home + "/config/config.toml"
    var config = try String(contentsOfFile: configPath, encoding: .utf8)
    config = config.replacingOccurrences(of: "laddr = \"127.0.0.1:26657\"", with: "laddr = \"127.0.0.1:0\"")
    config = config.replacingOccurrences(of: "laddr = \"tcp://0.0.0.0:26656\"", with: "laddr = \"tcp://127.0.0.1:0\"")
    config = config.replacingOccurrences(of: "block_interval_ms = 1000", with: "block_interval_ms = 100")
    try config.write(toFile: configPath, atomically: true, encoding: .utf8)
}

/// A `waggle start` process on a home directory, with its log in HOME/node.log.
final class NodeProcess: @unchecked Sendable {
    let home: String
    /// A Process runs once, so every start makes a new one.
    private(set) var process = Process()
    private(set) var port = 0

    /// Extra `waggle start` flags (`--p2p.persistent-peers …`).
    var arguments: [String] = []

    init(home: String, arguments: [String] = []) {
        self.home = home
        self.arguments = arguments
    }

    func start() throws {
        guard let bin = WaggleBinary.path else { throw NodeError(.io, "the waggle binary was not built beside the tests") }
        try? FileManager.default.removeItem(atPath: home + "/data/rpc_address")
        try? FileManager.default.removeItem(atPath: home + "/data/p2p_address")
        process = Process()
        // The shell `exec`s the node with its output appended to HOME/node.log, so the process
        // we signal is the node itself.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", "bin=\"$0\"; home=\"$1\"; shift; exec \"$bin\" start --home \"$home\" \"$@\" >> \"$home/node.log\" 2>&1", bin, home,
        ] + arguments
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw NodeError(.io, "cannot start \(bin): \(error)") }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: home + "/data/rpc_address", encoding: .utf8),
               let hp = HostPort(text.trimmingCharacters(in: .whitespacesAndNewlines)), hp.port > 0 {
                port = hp.port
                return
            }
            guard process.isRunning else { throw NodeError(.io, "node exited early:\n\(logTail())") }
            usleep(20_000)
        }
        kill()
        throw NodeError(.io, "node did not open its RPC port:\n\(logTail())")
    }

    /// The P2P address the node bound (data/p2p_address), waiting for it.
    func p2pAddress(timeout: TimeInterval = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: home + "/data/p2p_address", encoding: .utf8), !text.isEmpty {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            usleep(20_000)
        }
        throw NodeError(.io, "node did not write data/p2p_address:\n\(logTail())")
    }

    var client: RPCClient { RPCClient(host: "127.0.0.1", port: port, timeoutSeconds: 30) }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func terminate() -> Int32 {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func logTail() -> String {
        let text = (try? String(contentsOfFile: home + "/node.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }

    /// Waits until the node has committed at least `height`.
    func waitForHeight(_ height: UInt64, timeout: TimeInterval = 60) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = try? await client.call("status", .object([:])),
               let h = s["sync_info"]?["latest_block_height"]?.uint64Value, h >= height { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw NodeError(.io, "node did not reach height \(height):\n\(logTail())")
    }
}
