import CFuzzDriver
import Foundation

/// libFuzzer's entry points. One executable holds every harness; WAGGLE_FUZZ_TARGET names the
/// one to run (`make fuzz` runs each in turn). With WAGGLE_FUZZ_WRITE_SEEDS=DIR it writes each
/// harness's seed corpus to DIR/NAME/ and exits instead.
enum Entry {
    nonisolated(unsafe) static var selected: Harness?

    static func initialise() {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["WAGGLE_FUZZ_WRITE_SEEDS"] {
            for h in Harness.all {
                let sub = "\(dir)/\(h.name)"
                try? FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
                for (i, seed) in h.seeds().enumerated() {
                    FileManager.default.createFile(atPath: "\(sub)/seed-\(i)", contents: Data(seed))
                }
            }
            print("wrote seeds for \(Harness.all.count) harnesses to \(dir)")
            exit(0)
        }
        guard let name = env["WAGGLE_FUZZ_TARGET"], let h = Harness.all.first(where: { $0.name == name }) else {
            let names = Harness.all.map(\.name).joined(separator: " ")
            FileHandle.standardError.write(Data("set WAGGLE_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        selected = h
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    Entry.initialise()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let harness = Entry.selected else { return 0 }
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    harness.run(bytes)
    return 0
}

/// The process's main (SwiftPM links an executable target's entry point as `TARGET_main`):
/// libFuzzer's driver parses the flags, calls `LLVMFuzzerInitialize`, then runs the harness.
@_cdecl("WaggleFuzz_main")
public func waggleFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzerTestOneInput(data, size) }
}
