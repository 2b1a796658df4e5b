import Foundation

/// One measured figure, optionally beside a reference measured in the same run.
struct BenchmarkRow {
    let group: String
    let name: String
    let value: Double
    let unit: String
    var reference: String? = nil
    var ratio: Double? = nil
}

func formatNumber(_ v: Double) -> String {
    if v >= 100 { return String(format: "%.0f", v) }
    if v >= 10 { return String(format: "%.1f", v) }
    return String(format: "%.3f", v)
}

/// Prints rows as a Markdown table (pasteable into Docs/PERFORMANCE.md).
func printTable(_ rows: [BenchmarkRow]) {
    let header = ["group", "benchmark", "value", "unit", "reference", "ratio"]
    let cells = rows.map { r in
        [r.group, r.name, formatNumber(r.value), r.unit, r.reference ?? "", r.ratio.map { String(format: "%.2f", $0) } ?? ""]
    }
    var widths = header.map(\.count)
    for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
    func line(_ cols: [String]) -> String {
        "| " + cols.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
    }
    print(line(header))
    print("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|")
    for row in cells { print(line(row)) }
}

/// Seconds taken by `body`, best of `repeats` (the machine is noisy; the minimum is the figure
/// least disturbed by other work).
func measure(repeats: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        try body()
        let d = ContinuousClock.now - start
        best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
    return best
}

func measureAsync(repeats: Int = 1, _ body: () async throws -> Void) async rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        try await body()
        let d = ContinuousClock.now - start
        best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
    return best
}
