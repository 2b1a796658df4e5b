import Foundation

/// Finds ../shared/vectors by walking up from this file (and from its resolved path, since dev
/// packages reach the tests through symlinks). Returns nil when the vectors are not there.
enum VectorFiles {
    static func directory(_ name: String, filePath: String = #filePath) -> URL? {
        let start = URL(fileURLWithPath: filePath)
        for origin in [start, start.resolvingSymlinksInPath()] {
            var dir = origin.deletingLastPathComponent()
            while dir.path != "/" && !dir.path.isEmpty {
                let candidate = dir.appendingPathComponent("shared/vectors/\(name)")
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), isDir.boolValue {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }

    static func load<T: Decodable>(_ type: T.Type, _ folder: String, _ file: String) throws -> T? {
        guard let dir = directory(folder) else { return nil }
        let data = try Data(contentsOf: dir.appendingPathComponent(file))
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// A raw byte-string key, ordered like Go's `bytes.Compare` (a shorter prefix sorts first): the
/// vectors use 1-, 3- and 20-byte addresses.
struct ByteKey: Comparable, Hashable, Sendable, CustomStringConvertible {
    let bytes: [UInt8]
    init(hex: String) {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)
        if chars.count % 2 == 1 { chars.insert(UInt8(ascii: "0"), at: 0) }
        var i = 0
        while i + 1 < chars.count {
            out.append(UInt8(Self.nibble(chars[i]) << 4 | Self.nibble(chars[i + 1])))
            i += 2
        }
        bytes = out
    }
    init(ascii: String) { bytes = Array(ascii.utf8) }
    static func < (a: ByteKey, b: ByteKey) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
    var description: String { bytes.map { String($0, radix: 16) }.joined() }
    private static func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: 0
        }
    }
}
