import Foundation
import Testing
@testable import WaggleZK

/// Locates the shared vectors folder by walking up from this file (repo/../shared/vectors).
enum Vectors {
    static let root: URL? = {
        var dir = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<8 {
            for candidate in ["shared/vectors", "../shared/vectors"] {
                let c = dir.appendingPathComponent(candidate)
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: c.path, isDirectory: &isDir), isDir.boolValue {
                    return c.standardizedFileURL
                }
            }
            dir.deleteLastPathComponent()
        }
        return nil
    }()

    static var available: Bool { root != nil }

    static func url(_ relative: String) -> URL? { root?.appendingPathComponent(relative) }

    static func data(_ relative: String) throws -> Data {
        guard let u = url(relative) else { throw VectorsMissing() }
        return try Data(contentsOf: u)
    }

    static func json(_ relative: String) throws -> Any {
        try JSONSerialization.jsonObject(with: data(relative))
    }

    /// Subfolders of a vector folder (sorted).
    static func subfolders(_ relative: String) -> [String] {
        guard let u = url(relative),
            let items = try? FileManager.default.contentsOfDirectory(atPath: u.path)
        else { return [] }
        return items.filter { name in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: u.appendingPathComponent(name).path, isDirectory: &isDir)
                && isDir.boolValue
        }.sorted()
    }
}

struct VectorsMissing: Error, CustomStringConvertible {
    var description: String { "shared/vectors not found (tests that need it skip)" }
}

func hexBytes(_ s: String) -> [UInt8] {
    var out = [UInt8]()
    var it = s.utf8.makeIterator()
    func nib(_ c: UInt8) -> UInt8 {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return 0
        }
    }
    while let a = it.next(), let b = it.next() { out.append(nib(a) << 4 | nib(b)) }
    return out
}

func hexString(_ b: [UInt8]) -> String {
    b.map { String(format: "%02x", $0) }.joined()
}

/// A tiny deterministic generator for test data (SplitMix64).
struct TestRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func fr() -> Fr { Fr(reducing: UInt256(next(), next(), next(), next() >> 3)) }
    mutating func fp() -> Fp { Fp(reducing: UInt256(next(), next(), next(), next() >> 3)) }
}
