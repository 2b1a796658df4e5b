import Foundation
import WaggleCore

/// An Ed25519 key stored as JSON in a file of mode 0600:
/// `{"name", "address", "pub_key", "priv_key"}` with hex values; `priv_key` is the 32-byte seed.
public struct KeyFile: Sendable {
    public let name: String
    public let signer: Signer

    public init(name: String, signer: Signer) {
        self.name = name
        self.signer = signer
    }

    public var json: JSONValue {
        [
            "name": .string(name),
            "address": .string(signer.address.hex),
            "pub_key": .string(signer.publicKey.hex),
            "priv_key": .string("0x" + Hex.encode(signer.privateKey.exportSeed())),
        ]
    }

    /// Writes the key file (mode 0600); with `noReplace`, refuses to overwrite an existing one.
    public func write(to path: String, noReplace: Bool = false) throws(NodeError) {
        try FileIO.writeAtomically(json.serialized(pretty: true) + [0x0a], to: path, mode: 0o600, noReplace: noReplace)
    }

    public static func load(_ path: String) throws(NodeError) -> KeyFile {
        let bytes = try FileIO.read(path)
        let r: JSONReader
        do { r = JSONReader(try JSONValue.parse(bytes), context: path) } catch {
            throw NodeError(.keys, "\(path): \(error)")
        }
        do {
            let name = try r.optionalField("name")?.string() ?? ""
            let seedField = try r.field("priv_key")
            guard let seed = Hex.decode(try seedField.string()), let signer = Signer(seed: seed) else {
                throw seedField.fail("expected a 32-byte hex seed")
            }
            if let pk = try r.optionalField("pub_key") {
                guard PublicKey(hex: try pk.string()) == signer.publicKey else { throw pk.fail("does not match priv_key") }
            }
            if let a = try r.optionalField("address") {
                guard try a.address() == signer.address else { throw a.fail("does not match priv_key") }
            }
            return KeyFile(name: name, signer: signer)
        } catch let e as JSONFieldError {
            throw NodeError(.keys, e.description)
        } catch {
            throw NodeError(.keys, "\(path): \(error)")
        }
    }
}

/// The named keys of a home directory: one file per key in `keyring/`, mode 0600.
public struct Keyring: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Key names are 1 to 64 characters from [A-Za-z0-9._-], so they are safe file names.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
            && name.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 46 || c == 95 || c == 45
            }
    }

    func path(_ name: String) -> String { "\(directory)/\(name).json" }

    public func add(_ name: String, signer: Signer = .generate()) throws(NodeError) -> KeyFile {
        guard Self.isValidName(name) else { throw NodeError(.keys, "invalid key name \"\(name)\": use 1 to 64 characters from [A-Za-z0-9._-]") }
        guard !FileIO.exists(path(name)) else { throw NodeError(.keys, "key \"\(name)\" already exists") }
        try FileIO.makeDirectory(directory, mode: 0o700)
        let key = KeyFile(name: name, signer: signer)
        // No replace: of two concurrent adds of one name, exactly one succeeds, and no key that
        // may already have received funds is ever overwritten.
        do { try key.write(to: path(name), noReplace: true) } catch {
            if FileIO.exists(path(name)) { throw NodeError(.keys, "key \"\(name)\" already exists") }
            throw error
        }
        return key
    }

    public func get(_ name: String) throws(NodeError) -> KeyFile {
        guard Self.isValidName(name), FileIO.exists(path(name)) else { throw NodeError(.keys, "no key named \"\(name)\" in \(directory)") }
        return try KeyFile.load(path(name))
    }

    public func list() throws(NodeError) -> [KeyFile] {
        guard FileIO.exists(directory) else { return [] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch { throw NodeError(.io, "cannot list \(directory)") }
        var keys: [KeyFile] = []
        for file in names.sorted() where file.hasSuffix(".json") {
            keys.append(try KeyFile.load("\(directory)/\(file)"))
        }
        return keys
    }
}
