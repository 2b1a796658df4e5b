import Testing
import WaggleConsensus
import WaggleCore

/// Deterministic validators for engine tests: signers in the validator set's canonical order.
struct ConsensusFixture {
    let chainID = "waggle-test"
    let signers: [Signer]
    let set: ValidatorSet

    init(powers: [UInt64]) throws {
        var raw: [Signer] = []
        for (i, _) in powers.enumerated() {
            var seed = [UInt8](repeating: 0, count: 32)
            seed[0] = UInt8(i + 1)
            seed[31] = 0x5A
            raw.append(try #require(Signer(seed: seed)))
        }
        let set = try ValidatorSet(zip(raw, powers).map { Validator(publicKey: $0.publicKey, votingPower: $1) })
        self.set = set
        signers = set.validators.map { v in raw.first { $0.publicKey == v.publicKey }! }
    }

    var selection: ProposerSelection<Address> { ProposerSelection(genesis: set) }

    func start(_ height: UInt64 = 1, checkpoint: ConsensusCheckpoint? = nil) -> ConsensusInput {
        .startHeight(HeightStart(height: height, validators: set, proposerSelection: selection, checkpoint: checkpoint))
    }

    func index(of address: Address?) -> Int? { address.flatMap { set.index(of: $0) } }

    func proposerIndex(round: UInt32) -> Int { index(of: selection.proposer(forRound: round)) ?? -1 }

    /// A validator that is not the proposer of `round`.
    func nonProposer(round: UInt32) -> Int { proposerIndex(round: round) == 0 ? 1 : 0 }

    func machine(_ i: Int, config: ConsensusConfig = ConsensusConfig()) -> ConsensusStateMachine {
        ConsensusStateMachine(chainID: chainID, config: config, signer: UnguardedSigner(signers[i]))
    }

    func vote(_ i: Int, _ type: VoteType, height: UInt64 = 1, round: UInt32, _ blockID: Hash256?) -> Vote {
        Vote.sign(chainID: chainID, type: type, height: height, round: round, blockID: blockID, signer: signers[i])
    }

    func proposal(round: UInt32, polRound: UInt32? = nil, _ blockID: Hash256, height: UInt64 = 1) -> Proposal {
        Proposal.sign(
            chainID: chainID, height: height, round: round, polRound: polRound, blockID: blockID, signer: signers[proposerIndex(round: round)])
    }

    static func block(_ n: UInt8) -> Hash256 { Hash256.sha256([n]) }
}

extension ConsensusStateMachine {
    /// Handles `input` as a host does: each signed message the engine returns is handed back to
    /// it (after the host would have logged it), until the engine has nothing left to do. Returns
    /// every action in order.
    mutating func drive(_ input: ConsensusInput) -> [ConsensusAction] {
        var all: [ConsensusAction] = []
        var next: [ConsensusInput] = [input]
        while !next.isEmpty, all.count < 10_000 {
            let out = handle(next.removeFirst())
            all += out
            for action in out {
                switch action {
                case .broadcastVote(let v): next.append(.vote(v))
                case .broadcastProposal(let p): next.append(.proposal(p, blockIsValid: true))
                default: break
                }
            }
        }
        return all
    }
}

extension [ConsensusAction] {
    var votes: [Vote] {
        compactMap {
            if case .broadcastVote(let v) = $0 { return v }
            return nil
        }
    }
    var proposals: [Proposal] {
        compactMap {
            if case .broadcastProposal(let p) = $0 { return p }
            return nil
        }
    }
    var timeouts: [(ConsensusTimeout, UInt64)] {
        compactMap {
            if case .scheduleTimeout(let t, let d) = $0 { return (t, d) }
            return nil
        }
    }
    var decisions: [(Hash256, Commit)] {
        compactMap {
            if case .decide(_, _, let id, let c) = $0 { return (id, c) }
            return nil
        }
    }
    var evidence: [DuplicateVoteEvidence] {
        compactMap {
            if case .evidence(let e) = $0 { return e }
            return nil
        }
    }
}
