import Foundation
import Testing
import WaggleCore
import WaggleLedger
@testable import WaggleNode
import WaggleStore
import WaggleTesting

@Suite struct StateHistoryPruningTests {
    /// Every state-history entry stored for `key`, oldest first.
    func historyHeights(_ store: ChainStore, _ key: StateKey) throws -> [UInt64] {
        var upper = ChainStore.historyKey(key, 0)
        upper.removeLast(8)
        upper.append(contentsOf: [UInt8](repeating: 0xff, count: 8))
        return try store.db.entries(in: ChainStore.CF.stateHistory, lowerBound: ChainStore.historyKey(key, 0), upperBound: upper)
            .map { try UInt64(canonicalBytes: Array($0.key.suffix(8))) }
    }

    @Test func pruningKeepsRetainedHeightsExactAndRejectsOlderOnes() async throws {
        let f = try ChainFixture()
        let to = TestKeys.signer(67).address
        let delegator = TestKeys.signer(50)
        func tx(_ signer: Signer, _ body: TransactionBody, nonce: UInt64) -> Transaction {
            Transaction.sign(chainID: f.chainID, signer: signer, nonce: nonce, fee: 1, body: body)
        }
        // Height 1..6: `to` is credited at every height; a bond appears at 2 and is removed at 3.
        for h in UInt64(1)...6 {
            _ = try await f.chain.submit(f.transfer(f.validator, to: to, amount: h, nonce: h - 1))
            if h == 2 { _ = try await f.chain.submit(tx(delegator, .bond(validator: f.validator.address, amount: 100), nonce: 0)) }
            if h == 3 { _ = try await f.chain.submit(tx(delegator, .unbond(validator: f.validator.address, amount: 100), nonce: 1)) }
            try await f.produce()
        }
        let keys: [StateKey] = [.account(to), .bond(delegator: delegator.address, validator: f.validator.address), .account(f.validator.address)]
        let before: [[[UInt8]?]] = try await f.chain.read { s, _ in
            try keys.map { k in try (UInt64(0)...6).map { try s.stateValue(k, atHeight: $0) } }
        }
        #expect(before[1][2] != nil && before[1][3] == nil, "the bond exists at height 2 and is gone at 3")

        let deleted = try await f.chain.read { s, _ in try s.pruneHistory(upToHeight: 4) }
        #expect(deleted > 0)
        let store = try await f.chain.read { s, _ in s }
        #expect(try store.historyRetainedFrom() == 4)
        for (i, k) in keys.enumerated() {
            for h in UInt64(4)...6 { #expect(try store.stateValue(k, atHeight: h) == before[i][Int(h)], "\(k) at \(h)") }
            for h in UInt64(0)..<4 {
                #expect(throws: NodeError(.pruned, "")) { try store.stateValue(k, atHeight: h) }
            }
        }
        // `to` changed at 1…6: only the entries heights ≥ 4 read are left (4, 5, 6).
        #expect(try historyHeights(store, .account(to)) == [4, 5, 6])
        // The bond was deleted at 3 ≤ 4: neither its value nor its deletion record is kept.
        #expect(try historyHeights(store, keys[1]).isEmpty)
        // The latest state is untouched.
        #expect(try store.get(.account(to)) == before[0][6])

        // Idempotent; a later, higher mark prunes further; a lower one never re-opens heights.
        #expect(try store.pruneHistory(upToHeight: 4) == 0)
        try store.pruneHistory(upToHeight: 6)
        #expect(try historyHeights(store, .account(to)) == [6])
        #expect(try store.stateValue(.account(to), atHeight: 6) == before[0][6])
        try store.pruneHistory(upToHeight: 2)
        #expect(try store.historyRetainedFrom() == 6)
    }

    @Test func boundedPruningResumesAfterItsCursorAndEndsWhereUnboundedPruningDoes() async throws {
        let f = try ChainFixture()
        let to = TestKeys.signer(72).address
        for h in UInt64(1)...6 {
            _ = try await f.chain.submit(f.transfer(f.validator, to: to, amount: h, nonce: h - 1))
            try await f.produce()
        }
        let store = try await f.chain.read { s, _ in s }
        func pendingChanges() throws -> Int {
            try store.db.entries(in: ChainStore.CF.stateChanges, upperBound: ChainStore.heightKey(5)).count
        }
        let before = try pendingChanges()
        #expect(before > 3)
        var calls = 0
        var lastCursor: [UInt8]? = nil
        while try pendingChanges() > 0 {
            try store.pruneHistory(upToHeight: 4, batchSize: 1, maxBatches: 1)
            calls += 1
            #expect(try pendingChanges() == before - calls, "each call handles exactly one change")
            let cursor = try store.db.get(ChainStore.MetaKey.historyPruneCursor, in: ChainStore.CF.meta)
            #expect(cursor != nil && (lastCursor.map { $0.lexicographicallyPrecedes(cursor!) } ?? true), "the cursor advances")
            lastCursor = cursor
        }
        // Scans start after the cursor: an entry planted below it is never visited again.
        let planted = ChainStore.heightKey(1) + StateKey.account(to).bytes + [0xff]
        try store.db.put(planted, [], in: ChainStore.CF.stateChanges)
        try store.pruneHistory(upToHeight: 4)
        #expect(try store.db.get(planted, in: ChainStore.CF.stateChanges) != nil)
        #expect(try historyHeights(store, .account(to)) == [4, 5, 6])
        #expect(try store.stateValue(.account(to), atHeight: 4).map { try Account(canonicalBytes: $0).balance } == 10)
    }

    @Test func aChainWithRetentionPrunesHistoryAsItCommits() async throws {
        let dir = TempDir()
        let f = try ChainFixture(dir: dir, retainVersions: 2)
        let to = TestKeys.signer(68).address
        for h in UInt64(1)...5 {
            _ = try await f.chain.submit(f.transfer(f.validator, to: to, amount: 10, nonce: h - 1))
            try await f.produce()
        }
        let (store, head) = try await f.chain.read { s, head in (s, head) }
        #expect(head.height == 5)
        #expect(try store.historyRetainedFrom() == 3)
        #expect(try historyHeights(store, .account(to)) == [3, 4, 5])
        #expect(try store.stateValue(.account(to), atHeight: 3).map { try Account(canonicalBytes: $0).balance } == 30)
        #expect(throws: NodeError(.pruned, "")) { try store.stateValue(.account(to), atHeight: 2) }
    }
}
