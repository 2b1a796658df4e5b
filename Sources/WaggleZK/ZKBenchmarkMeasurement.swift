/// One benchmark figure.
public struct ZKBenchmarkMeasurement: Sendable {
    public let name: String
    public let value: Double
    public let unit: String
    /// How many timed runs produced the expected result (verifications that returned true…).
    public let checksPassed: Int
    public let runs: Int
}
