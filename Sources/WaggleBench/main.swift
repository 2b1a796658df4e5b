import Foundation
import Logging

// `make bench` (waggle-bench [--quick] [--only node|p2p|sync|zk|work|consensus]): every figure beside a reference
// measured in the same run, because these machines are noisy.
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let only: String? = arguments.firstIndex(of: "--only").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
func wanted(_ group: String) -> Bool { only == nil || only == group }

print("Waggle benchmarks (\(ProcessInfo.processInfo.activeProcessorCount) cores, \(quick ? "quick" : "full") run)\n")
var rows: [BenchmarkRow] = []
/// Runs a group that measures real components; a failure ends the run with its reason.
func required(_ group: String, _ body: () async throws -> [BenchmarkRow]) async -> [BenchmarkRow] {
    do { return try await body() } catch {
        FileHandle.standardError.write(Data("\(group) benchmarks failed: \(error)\n".utf8))
        exit(1)
    }
}
if wanted("node") { rows += await required("node") { try await NodeBenchmarks(quick: quick).run() } }
if wanted("p2p") { rows += await required("p2p") { try await TransportBenchmarks(quick: quick).run() } }
if wanted("sync") { rows += await required("sync") { try await SyncBenchmarks(quick: quick).run() } }
if wanted("zk") {
    rows += runZKBenchmarks(quick: quick).map {
        BenchmarkRow(group: "zk", name: $0.name, value: $0.value, unit: $0.unit, reference: $0.reference, ratio: $0.ratio)
    }
}
if wanted("work") { rows += await required("useful-work") { try await WorkBenchmarks(quick: quick).run() } }
if wanted("consensus") {
    rows += runConsensusBenchmarks(quick: quick).map {
        BenchmarkRow(group: "consensus", name: $0.name, value: $0.value, unit: $0.unit)
    }
}
printTable(rows)
