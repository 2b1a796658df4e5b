import ArgumentParser
import WaggleNode

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the keyring: named Ed25519 keys stored as files of mode 0600 in HOME/keyring.",
        subcommands: [Add.self, Show.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a new key.")
        @OptionGroup var options: HomeOption
        @Argument(help: "Name of the key ([A-Za-z0-9._-], at most 64 characters).") var name: String

        func run() async throws {
            try await runReportingErrors {
                let key = try options.nodeHome.keyring.add(name)
                print(key.signer.address.hex)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a key's address.")
        @OptionGroup var options: HomeOption
        @Argument(help: "Name of the key.") var name: String
        @Flag(name: .customLong("pubkey"), help: "Print the public key instead of the address.") var publicKey = false

        func run() async throws {
            try await runReportingErrors {
                let key = try options.nodeHome.keyring.get(name)
                print(publicKey ? key.signer.publicKey.hex : key.signer.address.hex)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys: name and address.")
        @OptionGroup var options: HomeOption

        func run() async throws {
            try await runReportingErrors {
                for key in try options.nodeHome.keyring.list() {
                    print("\(key.name)\t\(key.signer.address.hex)")
                }
            }
        }
    }
}
