import Foundation
import Logging
import WaggleCore

/// Log lines on stderr, plain or JSON, with stable metadata keys (module, height, round, peer...).
public struct WaggleLogHandler: LogHandler {
    public enum Format: String, Sendable { case plain, json }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: Format

    public init(label: String, format: Format, level: Logger.Level) {
        self.label = label
        self.format = format
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Installs the handler for every logger of the process.
    public static func bootstrap(format: Format, level: Logger.Level) {
        LoggingSystem.bootstrap { WaggleLogHandler(label: $0, format: format, level: level) }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let ms = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let time = Timestamp.formatRFC3339(ms: ms)
        var line: String
        switch format {
        case .plain:
            line = "\(time) \(event.level.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)) [\(label)] \(event.message)"
            for k in all.keys.sorted() { line += " \(k)=\(all[k]!)" }
        case .json:
            var o: [String: JSONValue] = ["ts": .string(time), "level": .string(event.level.rawValue), "module": .string(label), "msg": .string("\(event.message)")]
            for (k, v) in all where k != "module" { o[k] = .string("\(v)") }
            line = JSONValue.object(o).text
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
