import Foundation
import Testing

@testable import WaggleConsensus

/// Every expectation in ../shared/vectors/cometbft-proposer (see its README section).
@Suite struct ProposerSelectionVectorTests {
    typealias Selection = ProposerSelection<ByteKey>
    static let folder = "cometbft-proposer"

    struct NamedValidator: Decodable {
        let name: String
        let address_hex: String
        let power: Int64
    }

    struct Selection1: Decodable {
        let validators: [NamedValidator]
        let expected: [String]
    }

    struct Selection2: Decodable {
        struct Scenario: Decodable {
            let name: String
            let validators: [NamedValidator]
            let expected: [String]?
            let elections: Int?
            let expected_counts: [String: Int]?
        }
        let scenarios: [Scenario]
    }

    static func newSet(_ vals: [NamedValidator]) throws -> (Selection, [ByteKey: String]) {
        var names: [ByteKey: String] = [:]
        for v in vals { names[ByteKey(hex: v.address_hex)] = v.name }
        let set = try Selection(newSet: vals.map { (key: ByteKey(hex: $0.address_hex), votingPower: $0.power) })
        return (set, names)
    }

    @Test func newValidatorSetSequenceMatchesTestProposerSelection1() throws {
        guard let v = try VectorFiles.load(Selection1.self, Self.folder, "proposer_selection_1.json") else {
            print("skipped: shared/vectors/\(Self.folder) not found")
            return
        }
        var (set, names) = try Self.newSet(v.validators)
        var got: [String] = []
        for _ in v.expected {
            got.append(set.proposer.flatMap { names[$0] } ?? "?")
            set.incrementProposerPriority(times: 1)
        }
        #expect(got == v.expected)
    }

    @Test func sequencesAndCountsMatchTestProposerSelection2() throws {
        guard let v = try VectorFiles.load(Selection2.self, Self.folder, "proposer_selection_2.json") else {
            print("skipped: shared/vectors/\(Self.folder) not found")
            return
        }
        #expect(v.scenarios.count == 4)
        for s in v.scenarios {
            var (set, names) = try Self.newSet(s.validators)
            if let expected = s.expected {
                var got: [String] = []
                for _ in expected {
                    got.append(set.proposer.flatMap { names[$0] } ?? "?")
                    set.incrementProposerPriority(times: 1)
                }
                #expect(got == expected, "scenario \(s.name)")
            }
            if let elections = s.elections, let counts = s.expected_counts {
                var got: [String: Int] = [:]
                for _ in 0..<elections {
                    got[set.proposer.flatMap { names[$0] } ?? "?", default: 0] += 1
                    set.incrementProposerPriority(times: 1)
                }
                #expect(got == counts, "scenario \(s.name)")
            }
        }
    }

    struct IncrementCases: Decodable {
        struct PoweredValidator: Decodable {
            let name: String
            let address_hex: String
            let power: Int64
            let priority: Int64
        }
        struct PoweredCase: Decodable {
            let times: UInt32
            let expected_priorities: [Int64]
            let expected_proposer: String
        }
        struct WithVotingPower: Decodable {
            let validators: [PoweredValidator]
            let cases: [PoweredCase]
        }
        struct ZeroValidator: Decodable {
            let address_hex: String
            let priority: Int64
        }
        struct ZeroCase: Decodable {
            let validators: [ZeroValidator]
            let times: UInt32
            let avg: Int64
            let expected_priorities: [Int64]
        }
        struct Zero: Decodable { let cases: [ZeroCase] }
        struct AverageCase: Decodable {
            let priorities: [String]
            let avg: String
        }
        struct Average: Decodable { let cases: [AverageCase] }
        let with_voting_power: WithVotingPower
        let zero_voting_power: Zero
        let average: Average
    }

    @Test func incrementWithVotingPowerMatchesEveryTimesCase() throws {
        guard let v = try VectorFiles.load(IncrementCases.self, Self.folder, "increment_priority_cases.json") else {
            print("skipped: shared/vectors/\(Self.folder) not found")
            return
        }
        let wv = v.with_voting_power
        #expect(wv.cases.count == 11)
        for c in wv.cases {
            var set = Selection(
                members: wv.validators.map { .init(key: ByteKey(hex: $0.address_hex), votingPower: $0.power, priority: $0.priority) })
            set.incrementProposerPriority(times: c.times)
            let prios = wv.validators.map { set.priority(of: ByteKey(hex: $0.address_hex)) }
            #expect(prios == c.expected_priorities.map { Optional($0) }, "times \(c.times)")
            let name = wv.validators.first { ByteKey(hex: $0.address_hex) == set.proposer }?.name
            #expect(name == c.expected_proposer, "times \(c.times)")
        }
    }

    @Test func zeroPowerSetsOnlyCenterPriorities() throws {
        guard let v = try VectorFiles.load(IncrementCases.self, Self.folder, "increment_priority_cases.json") else {
            print("skipped: shared/vectors/\(Self.folder) not found")
            return
        }
        #expect(v.zero_voting_power.cases.count == 3)
        for c in v.zero_voting_power.cases {
            #expect(Selection.floorAverage(c.validators.map(\.priority)) == c.avg)
            var set = Selection(members: c.validators.map { .init(key: ByteKey(hex: $0.address_hex), votingPower: 0, priority: $0.priority) })
            set.incrementProposerPriority(times: c.times)
            #expect(c.validators.map { set.priority(of: ByteKey(hex: $0.address_hex)) } == c.expected_priorities.map { Optional($0) })
        }
    }

    @Test func averageIsExactFloorEvenAtInt64Extremes() throws {
        guard let v = try VectorFiles.load(IncrementCases.self, Self.folder, "increment_priority_cases.json") else {
            print("skipped: shared/vectors/\(Self.folder) not found")
            return
        }
        #expect(v.average.cases.count == 5)
        for c in v.average.cases {
            let values = c.priorities.compactMap { Int64($0) }
            #expect(values.count == c.priorities.count)
            #expect(Selection.floorAverage(values) == Int64(c.avg))
        }
    }

    struct SpecExamples: Decodable {
        struct Val: Decodable {
            let name: String
            let power: Int64
            let priority: Int64?
        }
        struct Run: Decodable {
            let proposer: String
            let priorities_after: [String: Int64]
        }
        struct Example: Decodable {
            let name: String
            let validators: [Val]
            let runs: [Run]?
            let expected: [String]?
            let runs_as_in_code_floor_avg: [Run]?
            let runs_as_in_spec_truncating_avg: [Run]?
        }
        let examples: [Example]
    }

    @Test func specExamplesMatchTheCodeRules() throws {
        guard let v = try VectorFiles.load(SpecExamples.self, Self.folder, "spec_examples.json") else {
            print("skipped: shared/vectors/\(Self.folder) not found")
            return
        }
        #expect(v.examples.count == 5)
        var checkedRuns = 0
        for ex in v.examples {
            let raw = Selection(
                members: ex.validators.map { .init(key: ByteKey(ascii: $0.name), votingPower: $0.power, priority: $0.priority ?? 0) })
            // The code floors the average; the spec's truncating table is documented, not followed.
            if let runs = ex.runs ?? ex.runs_as_in_code_floor_avg {
                var set = raw
                for run in runs {
                    set.incrementProposerPriority(times: 1)
                    #expect(set.proposer == ByteKey(ascii: run.proposer), "\(ex.name)")
                    for (name, prio) in run.priorities_after {
                        #expect(set.priority(of: ByteKey(ascii: name)) == prio, "\(ex.name) \(name)")
                    }
                    checkedRuns += 1
                }
            }
            if let truncated = ex.runs_as_in_spec_truncating_avg {
                var set = raw
                set.incrementProposerPriority(times: 1)
                // Same proposer as the spec's table; priorities differ by the floor/truncate step.
                #expect(set.proposer == ByteKey(ascii: truncated[0].proposer))
                #expect(set.priority(of: ByteKey(ascii: "p1")) != truncated[0].priorities_after["p1"])
            }
            if let expected = ex.expected {
                var set = raw
                var fromZero: [String] = []
                for _ in expected {
                    set.incrementProposerPriority(times: 1)
                    fromZero.append(set.proposer.map { String(decoding: $0.bytes, as: UTF8.self) } ?? "?")
                }
                #expect(fromZero == expected, "\(ex.name) from raw zero priorities")
                var fresh = try Selection(newSet: ex.validators.map { (key: ByteKey(ascii: $0.name), votingPower: $0.power) })
                var viaConstructor: [String] = []
                for _ in expected {
                    viaConstructor.append(fresh.proposer.map { String(decoding: $0.bytes, as: UTF8.self) } ?? "?")
                    fresh.incrementProposerPriority(times: 1)
                }
                #expect(viaConstructor == expected, "\(ex.name) via NewValidatorSet")
            }
        }
        #expect(checkedRuns == 7)
    }

    @Test func newValidatorJoinsAtMinusOnePointOneTwoFiveTotalThenIsCentered() throws {
        // The spec's new-validator example through UpdateWithChangeSet: p1 (1, prio 2) and p2 (3,
        // prio -2) gain p3 (8): it starts at -(12 + 12>>3) = -13, then the update centres (avg of
        // 2, -2, -13 is floor(-13/3) = -5).
        var set = Selection(members: [
            .init(key: ByteKey(ascii: "p1"), votingPower: 1, priority: 2),
            .init(key: ByteKey(ascii: "p2"), votingPower: 3, priority: -2),
        ])
        try set.update(with: [(key: ByteKey(ascii: "p3"), votingPower: 8)])
        #expect(set.priority(of: ByteKey(ascii: "p1")) == 7)
        #expect(set.priority(of: ByteKey(ascii: "p2")) == 3)
        #expect(set.priority(of: ByteKey(ascii: "p3")) == -8)
        #expect(set.members.map(\.key) == [ByteKey(ascii: "p3"), ByteKey(ascii: "p2"), ByteKey(ascii: "p1")])
    }

    @Test func equalPowersRepeatWithPeriodFourEvenWhenIncrementingManyTimesAtOnce() throws {
        // TestProposerSelection3's property, with deterministic keys.
        let keys = (0..<4).map { ByteKey(hex: String(repeating: "ab", count: 19) + String(format: "%02x", $0 * 37)) }
        var stepwise = try Selection(newSet: keys.map { (key: $0, votingPower: 10) })
        var order: [ByteKey] = []
        for _ in 0..<4 {
            order.append(try #require(stepwise.proposer))
            stepwise.incrementProposerPriority(times: 1)
        }
        #expect(Set(order).count == 4)
        for i in 0..<40 {
            #expect(stepwise.proposer == order[i % 4])
            stepwise.incrementProposerPriority(times: 1)
        }
        var jumping = try Selection(newSet: keys.map { (key: $0, votingPower: 10) })
        for times in [UInt32(1), 2, 3, 5, 7] {
            let before = order.firstIndex(of: try #require(jumping.proposer)) ?? 0
            jumping.incrementProposerPriority(times: times)
            #expect(jumping.proposer == order[(before + Int(times)) % 4])
        }
    }

    @Test func removingUnknownMemberOrDuplicatingAKeyIsRejected() {
        var set = Selection(members: [.init(key: ByteKey(ascii: "a"), votingPower: 1)])
        #expect(throws: Selection.Failure.removalOfUnknownMember) { try set.update(with: [(key: ByteKey(ascii: "z"), votingPower: 0)]) }
        #expect(throws: Selection.Failure.duplicateKey) {
            try set.update(with: [(key: ByteKey(ascii: "b"), votingPower: 1), (key: ByteKey(ascii: "b"), votingPower: 2)])
        }
        #expect(throws: Selection.Failure.empty) { try set.update(with: [(key: ByteKey(ascii: "a"), votingPower: 0)]) }
    }

    @Test func saturatingArithmeticClipsAtInt64Bounds() {
        #expect(Selection.addClip(.max, 1) == .max)
        #expect(Selection.addClip(.min, -1) == .min)
        #expect(Selection.subClip(.min, 1) == .min)
        #expect(Selection.subClip(.max, -1) == .max)
    }
}
