import ArgumentParser
import Foundation
import WaggleNode

@main
struct Waggle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waggle",
        abstract: "A full node for the Waggle chain: proof-of-stake amplified by reputation earned with verified ML work.",
        version: WaggleNode.softwareVersion,
        subcommands: [
            Init.self, Start.self, ShowNodeID.self, Keys.self, Tx.self, Contribute.self, Query.self, Status.self, Version.self,
            ZKCommand.self, MLCommand.self, Prove.self,
        ])

    /// ArgumentParser's own entry point, except that a command-line error (an unknown flag, a
    /// missing or malformed value) is one line, `error: …`, like every other failure; help and
    /// --version print as usual.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch let e as ExitCode {
            exit(withError: e)
        } catch {
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }  // help, --version
            let line = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("error: \(line) (see waggle --help)\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// Options every command takes.
struct HomeOption: ParsableArguments {
    @Option(name: .long, help: "The node's home directory.")
    var home: String = NodeHome.defaultPath

    var nodeHome: NodeHome { NodeHome(home) }
}

/// Runs a command body, printing any failure as one line on stderr and exiting non-zero.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

func printJSON(_ value: some Sequence<UInt8>) {
    FileHandle.standardOutput.write(Data(value) + Data([0x0a]))
}
