/// A quantized labelled dataset: features at the fixed-point scale, labels as class indices
/// (plain integers 0..<classes, not scaled).
public struct QuantizedDataset: Sendable, Hashable {
    public struct Sample: Sendable, Hashable {
        public let features: [Int64]
        public let label: Int
        public init(features: [Int64], label: Int) {
            self.features = features
            self.label = label
        }
    }

    public let fixedPoint: FixedPoint
    public let featureNames: [String]
    public let samples: [Sample]

    public init(fixedPoint: FixedPoint, featureNames: [String], samples: [Sample]) throws(MLError) {
        guard !samples.isEmpty else { throw .invalidInput("the dataset has no samples") }
        for (i, s) in samples.enumerated() {
            guard s.features.count == featureNames.count else {
                throw .shapeMismatch("sample \(i) has \(s.features.count) features, the dataset \(featureNames.count)")
            }
            guard s.label >= 0 else { throw .invalidInput("sample \(i) has a negative label") }
            for v in s.features { try fixedPoint.check(v, "a feature of sample \(i)") }
        }
        self.fixedPoint = fixedPoint
        self.featureNames = featureNames
        self.samples = samples
    }

    public var features: Int { featureNames.count }

    /// Reads CSV text with a header row: one column named `label` holds the class (an integer
    /// ≥ 0), every other column is a numeric feature, quantized at `fixedPoint`. Cells are plain
    /// numbers (no quotes); blank lines at the end are ignored. Errors name the line (1 = header).
    public static func fromCSV(_ text: String, label: String, fixedPoint: FixedPoint) throws(MLError) -> QuantizedDataset {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        while let last = lines.last, last.allSatisfy({ $0 == " " }) { lines.removeLast() }
        guard let header = lines.first else { throw .invalidInput("CSV line 1: no header row") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        guard let labelColumn = names.firstIndex(of: label) else {
            throw .invalidInput("CSV line 1: no column named \"\(label)\" (columns: \(names.joined(separator: ", ")))")
        }
        guard Set(names).count == names.count else { throw .invalidInput("CSV line 1: duplicate column names") }
        guard names.count >= 2 else { throw .invalidInput("CSV line 1: need at least one feature column besides the label") }
        var samples = [Sample]()
        for (n, line) in lines.enumerated().dropFirst() {
            let lineNumber = n + 1
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            guard cells.count == names.count else {
                throw .invalidInput("CSV line \(lineNumber): \(cells.count) cells, the header has \(names.count)")
            }
            var features = [Int64]()
            var y = 0
            for (c, cell) in cells.enumerated() {
                if c == labelColumn {
                    guard let v = Int(cell), v >= 0 else {
                        throw .invalidInput("CSV line \(lineNumber): label \"\(cell)\" is not a class index (an integer ≥ 0)")
                    }
                    y = v
                } else {
                    guard let v = Double(cell), v.isFinite else {
                        throw .invalidInput("CSV line \(lineNumber), column \"\(names[c])\": \"\(cell)\" is not a number")
                    }
                    do { features.append(try fixedPoint.quantize(v, "line \(lineNumber), column \"\(names[c])\"")) } catch {
                        throw .outOfRange("CSV line \(lineNumber), column \"\(names[c])\": \(v) does not fit scale \(fixedPoint.scale) in \(fixedPoint.valueBits) bits")
                    }
                }
            }
            samples.append(Sample(features: features, label: y))
        }
        var featureNames = names
        featureNames.remove(at: labelColumn)
        return try QuantizedDataset(fixedPoint: fixedPoint, featureNames: featureNames, samples: samples)
    }

    /// How many samples `model` classifies correctly, with the circuit's arithmetic.
    public func correctCount(_ model: QuantizedModel) throws(MLError) -> Int {
        guard model.features == features else { throw .shapeMismatch("the model takes \(model.features) features, the dataset has \(features)") }
        guard model.fixedPoint == fixedPoint else { throw .shapeMismatch("the model and the dataset use different fixed-point scales") }
        var correct = 0
        for s in samples {
            if try model.predict(s.features) == s.label { correct += 1 }
        }
        return correct
    }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
