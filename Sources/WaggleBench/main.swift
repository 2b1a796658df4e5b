import Foundation

// `make bench` (waggle-bench): every figure beside a reference measured in the same run, because
// these machines are noisy. `--quick` runs smaller sizes.
let quick = CommandLine.arguments.contains("--quick")
print("Waggle benchmarks (\(ProcessInfo.processInfo.activeProcessorCount) cores, \(quick ? "quick" : "full") run)\n")
var rows: [BenchmarkRow] = []
do {
    rows += try await NodeBenchmarks(quick: quick).run()
} catch {
    FileHandle.standardError.write(Data("node benchmarks failed: \(error)\n".utf8))
    exit(1)
}
printTable(rows)
