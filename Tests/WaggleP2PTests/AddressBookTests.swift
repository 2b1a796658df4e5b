import Testing
import WaggleCore
import WaggleTesting

@testable import WaggleP2P

@Suite struct AddressBookTests {
    static let me = NodeID(publicKey: TestKeys.signer(9).publicKey)
    static func id(_ i: Int) -> NodeID { NodeID(publicKey: TestKeys.signer(i).publicKey) }
    static func addr(_ i: Int, _ ip: String = "8.8.4.4", port: UInt16 = 26656) -> PexAddress {
        PexMessageTests.address(id(i), ip, port)
    }

    @Test func ownIDInvalidAndUnroutableAddressesAreRefusedAsStrictSays() {
        var strict = AddressBook(selfID: Self.me, strict: true)
        #expect(strict.add(PexMessageTests.address(Self.me, "8.8.8.8", 1), source: nil, nowMs: 0) == .refused("our own node id"))
        #expect(strict.add(Self.addr(1, "0.0.0.0"), source: nil, nowMs: 0) != .added)
        #expect(strict.add(Self.addr(1, "127.0.0.1"), source: nil, nowMs: 0) != .added)
        #expect(strict.add(Self.addr(1, "192.168.0.7"), source: nil, nowMs: 0) != .added)
        #expect(strict.add(Self.addr(1), source: nil, nowMs: 0) == .added)
        #expect(strict.count == 1)
        var lax = AddressBook(selfID: Self.me, strict: false)
        #expect(lax.add(Self.addr(1, "127.0.0.1"), source: nil, nowMs: 0) == .added)
        #expect(lax.add(Self.addr(2, "0.0.0.0"), source: nil, nowMs: 0) != .added, "invalid even when not strict")
    }

    @Test func dialAttemptsBackOffAGoodAddressComesFirstAndFailuresEventuallyDropIt() {
        var book = AddressBook(selfID: Self.me, strict: false, backoff: DialBackoff(initialMs: 1_000, maxMs: 8_000))
        book.add(Self.addr(1, "1.1.1.1"), source: Self.id(5), nowMs: 0)
        book.add(Self.addr(2, "2.2.2.2"), source: Self.id(5), nowMs: 0)
        #expect(book.candidates(nowMs: 0, excluding: [], limit: 10).map(\.id) == [Self.id(1), Self.id(2)].sorted())
        #expect(book.candidates(nowMs: 0, excluding: [Self.id(1)], limit: 10).map(\.id) == [Self.id(2)])
        book.markAttempt(Self.id(1), nowMs: 100)
        // Backoff after one attempt: 1 s with jitter 0.5 → 750 ms.
        #expect(!book.candidates(nowMs: 500, excluding: [], limit: 10).map(\.id).contains(Self.id(1)))
        #expect(book.candidates(nowMs: 900, excluding: [], limit: 10).map(\.id).contains(Self.id(1)))
        book.markGood(Self.addr(1, "1.1.1.1"), nowMs: 1_000)
        book.markAttempt(Self.id(2), nowMs: 1_000)
        #expect(book.candidates(nowMs: 60_000, excluding: [], limit: 10).first?.id == Self.id(1), "good first")
        for t in 0..<AddressBook.maxAttempts { book.markAttempt(Self.id(2), nowMs: 2_000 + Int64(t)) }
        #expect(book.entries[Self.id(2)] == nil, "never connected after maxAttempts: dropped")
        for t in 0..<(AddressBook.maxAttempts + 3) { book.markAttempt(Self.id(1), nowMs: 3_000 + Int64(t)) }
        #expect(book.entries[Self.id(1)] != nil, "an address that once connected stays")
    }

    @Test func aBannedAddressIsNeitherDialledHandedOutNorReAddedUntilItsBanExpires() {
        var book = AddressBook(selfID: Self.me, strict: false)
        book.add(Self.addr(1), source: nil, nowMs: 0)
        book.add(Self.addr(2), source: nil, nowMs: 0)
        book.markBad(Self.id(1), untilMs: 10_000)
        var rng = SplitMix64(seed: 1)
        #expect(book.candidates(nowMs: 5_000, excluding: [], limit: 10).map(\.id) == [Self.id(2)])
        #expect(book.selection(excluding: Self.id(7), nowMs: 5_000, limit: 10, using: &rng).map(\.id) == [Self.id(2)])
        #expect(book.add(Self.addr(1, "9.9.9.9"), source: Self.id(3), nowMs: 5_000) == .refused("banned"))
        #expect(book.candidates(nowMs: 10_001, excluding: [], limit: 10).count == 2)
        // The requester never gets its own address back.
        #expect(book.selection(excluding: Self.id(1), nowMs: 20_000, limit: 10, using: &rng).map(\.id) == [Self.id(2)])
    }

    @Test func aFullBookReplacesTheWorstNeverConnectedEntryAndKeepsGoodOnes() {
        var book = AddressBook(selfID: Self.me, strict: false, capacity: 2)
        book.add(Self.addr(1, "1.1.1.1"), source: nil, nowMs: 0)
        book.add(Self.addr(2, "2.2.2.2"), source: nil, nowMs: 0)
        book.markAttempt(Self.id(2), nowMs: 0)
        #expect(book.add(Self.addr(3, "3.3.3.3"), source: nil, nowMs: 0) == .added)
        #expect(book.entries[Self.id(2)] == nil && book.count == 2)
        book.markGood(Self.addr(1, "1.1.1.1"), nowMs: 1)
        book.markGood(Self.addr(3, "3.3.3.3"), nowMs: 1)
        #expect(book.add(Self.addr(4, "4.4.4.4"), source: nil, nowMs: 2) == .refused("the address book is full"))
    }

    @Test func theBookRoundTripsThroughJSONAndMalformedFilesNameTheirField() throws {
        var book = AddressBook(selfID: Self.me, strict: false)
        book.add(Self.addr(1, "1.1.1.1", port: 1), source: Self.id(4), nowMs: 0)
        book.add(Self.addr(2, "2001:4860::1", port: 2), source: nil, nowMs: 0)
        book.markAttempt(Self.id(1), nowMs: 77)
        book.markGood(Self.addr(2, "2001:4860::1", port: 2), nowMs: 88)
        book.markBad(Self.id(1), untilMs: 99)
        let text = book.json.serialized()
        let back = try AddressBook(json: try JSONValue.parse(text), selfID: Self.me, strict: false)
        #expect(back == book)
        // Turning addr_book_strict on drops the unroutable entries it would refuse now.
        var local = AddressBook(selfID: Self.me, strict: false)
        local.add(Self.addr(1, "127.0.0.1"), source: nil, nowMs: 0)
        #expect(try AddressBook(json: local.json, selfID: Self.me, strict: true).count == 0)
        let bad: [(String, String)] = [
            (#"{"addrs": 3}"#, "addrs"),
            (#"{"addrs": [{"addr": "nope", "src": "", "attempts": 0, "last_attempt_ms": 0, "last_success_ms": 0, "banned_until_ms": 0}]}"#, "addr"),
            (#"{"addrs": [{"addr": "\#(Self.id(1))@example.org:1", "src": "", "attempts": 0, "last_attempt_ms": 0, "last_success_ms": 0, "banned_until_ms": 0}]}"#, "IP address"),
            (#"{"addrs": [{"addr": "\#(Self.id(1))@1.1.1.1:1", "src": "xyz", "attempts": 0, "last_attempt_ms": 0, "last_success_ms": 0, "banned_until_ms": 0}]}"#, "src"),
            (#"{"addrs": [{"addr": "\#(Self.id(1))@1.1.1.1:1", "src": "", "attempts": -1, "last_attempt_ms": 0, "last_success_ms": 0, "banned_until_ms": 0}]}"#, "attempts"),
            (#"{"addrs": [], "extra": 1}"#, "extra"),
        ]
        for (json, mention) in bad {
            #expect(throws: JSONFieldError.self) { try AddressBook(json: try JSONValue.parse(Array(json.utf8)), selfID: Self.me, strict: false) }
            do {
                _ = try AddressBook(json: try JSONValue.parse(Array(json.utf8)), selfID: Self.me, strict: false)
            } catch {
                #expect("\(error)".contains(mention), "\(error)")
            }
        }
    }
}
