import Foundation
import Testing
import WaggleCore
import WaggleNode
import WaggleP2P
import WaggleTesting

@Suite struct AddressBookFileTests {
    static let me = NodeID(publicKey: TestKeys.signer(9).publicKey)

    static func sampleBook() -> AddressBook {
        var book = AddressBook(selfID: me, strict: false)
        for i in 1...3 {
            let id = NodeID(publicKey: TestKeys.signer(i).publicKey)
            book.add(PexAddress(id: id, ip: IPAddress(bytes: [127, 0, 0, UInt8(i)])!, port: UInt16(26656 + i)), source: nil, nowMs: 1_000)
        }
        let first = NodeID(publicKey: TestKeys.signer(1).publicKey)
        book.markAttempt(first, nowMs: 2_000)
        book.markGood(PexAddress(id: NodeID(publicKey: TestKeys.signer(2).publicKey), ip: IPAddress(bytes: [127, 0, 0, 2])!, port: 26658), nowMs: 3_000)
        book.markBad(NodeID(publicKey: TestKeys.signer(3).publicKey), untilMs: 9_000)
        return book
    }

    @Test func theBookSurvivesARestart() throws {
        let dir = TempDir()
        let path = dir.path + "/addrbook.json"
        let book = Self.sampleBook()
        let file = AddressBookFile(path: path)
        file.save(book)
        file.flush()
        #expect(FileIO.permissions(path) == 0o600)
        // A new process: a new AddressBookFile reads what the old one wrote.
        let reloaded = AddressBookFile(path: path).load(selfID: Self.me, strict: false)
        #expect(reloaded == book)
        #expect(reloaded.count == 3)
        // No file yet: an empty book, and nothing is written.
        let missing = dir.path + "/none.json"
        #expect(AddressBookFile(path: missing).load(selfID: Self.me, strict: false).count == 0)
        #expect(!FileIO.exists(missing))
    }

    @Test func aTruncatedOrCorruptFileIsReplacedByAnEmptyBookNotARefusalToStart() throws {
        let dir = TempDir()
        let path = dir.path + "/addrbook.json"
        let good = Self.sampleBook().json.serialized(pretty: true)
        let corruptions: [[UInt8]] = [
            Array(good.prefix(good.count / 2)),  // torn write
            [],
            Array("not json at all".utf8),
            Array(#"{"addrs": [{"addr": 5}]}"#.utf8),
            [0xff, 0xfe, 0x00, 0x7b],
        ]
        for bytes in corruptions {
            try FileIO.writeAtomically(bytes, to: path)
            let book = AddressBookFile(path: path).load(selfID: Self.me, strict: false)
            #expect(book.count == 0)
            // The corrupt file was replaced at once by a readable empty book.
            let now = try FileIO.read(path)
            #expect(try AddressBook(json: try JSONValue.parse(now), selfID: Self.me, strict: false).count == 0)
        }
    }
}
