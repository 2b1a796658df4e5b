import Foundation
import Logging
import WaggleCore
import WaggleP2P

/// data/addrbook.json: the peer-exchange address book on disk. Loading never stops the node: a
/// missing file is an empty book, and a truncated or corrupt one is logged once and replaced by
/// an empty book at once. Saves are atomic (`FileIO.writeAtomically`) and run one at a time on a
/// serial queue, off the event loops and the cooperative pool.
public struct AddressBookFile: Sendable {
    public let path: String
    private let logger: Logger
    private let queue: DispatchQueue

    public init(path: String, logger: Logger = Logger(label: "pex")) {
        self.path = path
        self.logger = logger
        queue = DispatchQueue(label: "waggle.addrbook")
    }

    /// The book in the file, or an empty one (see the type's comment).
    public func load(selfID: NodeID, strict: Bool) -> AddressBook {
        guard FileIO.exists(path) else { return AddressBook(selfID: selfID, strict: strict) }
        do {
            let bytes = try FileIO.read(path)
            return try AddressBook(json: try JSONValue.parse(bytes), selfID: selfID, strict: strict)
        } catch {
            let empty = AddressBook(selfID: selfID, strict: strict)
            logger.warning("address book is unreadable; starting with an empty one", metadata: ["file": "\(path)", "reason": "\(error)"])
            write(empty)
            return empty
        }
    }

    /// Queues an atomic write of `book`; writes happen in call order.
    public func save(_ book: AddressBook) {
        queue.async { write(book) }
    }

    /// Waits until every queued save has been written.
    public func flush() { queue.sync {} }

    private func write(_ book: AddressBook) {
        do { try FileIO.writeAtomically(book.json.serialized(pretty: true) + [0x0a], to: path, mode: 0o600) } catch {
            logger.warning("cannot save the address book", metadata: ["file": "\(path)", "reason": "\(error)"])
        }
    }
}
