import Testing
import WaggleConsensus
import WaggleCore
import WaggleSimulation

/// Reputation in the loop: one validator's reputation grows each epoch in the simulator's ledger;
/// its voting power, and with it its share of proposer slots, grows in proportion, and stops at
/// M times its stake.
@Suite struct ReputationProposerShareTests {
    @Test func proposerShareFollowsVotingPowerAsReputationGrowsAndStopsAtTheMultiplier() throws {
        let keys = try (0..<4).map { try #require(Simulation.signer($0)).publicKey }
        var ledger = SimLedger(
            publicKeys: keys, stakes: [100, 100, 100, 100], reputations: [0, 0, 0, 0], maxReputation: 1000, multiplier: 3,
            growth: [250, 0, 0, 0])
        let climber = keys[0].address
        let epochLength = 120
        var set = try #require(ledger.validatorSet())
        var selection = ProposerSelection(genesis: set)
        var shares: [(power: UInt64, total: UInt64, proposed: Int)] = []
        for _ in 0..<7 {
            var proposed = 0
            for _ in 0..<epochLength {
                if selection.proposer == climber { proposed += 1 }
                selection = selection.advanced()
            }
            shares.append((set.validator(climber)?.votingPower ?? 0, set.totalVotingPower, proposed))
            // Epoch boundary: reputation grows, the new set takes effect with carried priorities.
            ledger.endEpoch()
            set = try #require(ledger.validatorSet())
            selection = selection.advanced(to: set).advanced()
        }
        #expect(shares.map(\.power) == [100, 150, 200, 250, 300, 300, 300])
        for s in shares {
            let expected = Double(epochLength) * Double(s.power) / Double(s.total)
            #expect(abs(Double(s.proposed) - expected) <= 3, "share \(s.proposed) vs expected \(expected)")
        }
        // Bounded by M: at most 3x the stake of each of the others, so at most 3/6 of the slots.
        #expect(shares.last.map { $0.proposed <= epochLength / 2 + 3 } == true)
        #expect(shares.first.map { $0.proposed < shares.last?.proposed ?? 0 } == true)
    }

    @Test func votingPowerUsesTheCoreFormula() {
        #expect(VotingPower.compute(stake: 100, reputation: 500, maxReputation: 1000, multiplier: 3) == 200)
        #expect(VotingPower.compute(stake: 100, reputation: 5000, maxReputation: 1000, multiplier: 3) == 300)
        #expect(VotingPower.compute(stake: 0, reputation: 1000, maxReputation: 1000, multiplier: 3) == 0)
    }
}
