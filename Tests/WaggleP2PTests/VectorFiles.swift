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
