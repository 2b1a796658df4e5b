import WaggleConsensus
import WaggleCore

/// A decided height as a node stores it: the block, the proposal that carried it, the commit.
public struct DecidedHeight: Hashable, Sendable {
    public let block: SimBlock
    public let proposal: Proposal
    public let commit: Commit
}

/// What travels between simulated nodes.
enum SimMessage: Sendable {
    /// A proposal with its block and, when it re-proposes a valid value, the prevotes of its
    /// polRound (CometBFT's proposal POL), so a node that lost those prevotes can still accept it.
    case proposal(Proposal, SimBlock, pol: [Vote])
    case vote(Vote)
    /// Block-sync style catch-up for a peer at a lower height.
    case decided([DecidedHeight])
    /// Round catch-up for a peer at a lower round of the same height: the votes that brought the
    /// sender to its round, enough for the f+1 skip.
    case roundVotes([Vote])

    var height: UInt64 {
        switch self {
        case .proposal(let p, _, _): p.height
        case .vote(let v): v.height
        case .decided(let list): list.first?.block.height ?? 0
        case .roundVotes(let votes): votes.first?.height ?? 0
        }
    }
}

struct VoteKey: Hashable, Sendable {
    let validator: Address
    let height: UInt64
    let round: UInt32
    let type: VoteType
    init(_ v: Vote) {
        validator = v.validator
        height = v.height
        round = v.round
        type = v.type
    }
}

struct RoundBlock: Hashable, Sendable {
    let round: UInt32
    let blockID: Hash256
}

/// One simulated validator: what survives a crash ("disk") and what does not ("memory").
struct SimNode {
    let index: Int
    let signer: Signer
    let behaviour: SimBehaviour

    // Disk: the chain, the ledger and the next height's consensus inputs, the consensus
    // checkpoint, the guard's last sign state, the proposal blocks seen at the current height.
    var chain: [DecidedHeight] = []
    var ledger: SimLedger
    var validators: ValidatorSet
    var selection: ProposerSelection<Address>
    var checkpoint: ConsensusCheckpoint?
    let signDisk = InMemorySignStatePersistence()
    var knownBlocks: [Hash256: SimBlock] = [:]
    var proposals: [RoundBlock: Proposal] = [:]
    var evidencePool: [DuplicateVoteEvidence] = []
    var committedEvidence: Set<VoteKey> = []

    var engine: ConsensusStateMachine?
    var incarnation = 0
    /// This node's own latest messages of the current height: re-sent by the gossip tick and
    /// replayed into the engine after a restart (the node's write-ahead log).
    var ownVotes: [Vote] = []
    var ownProposal: (Proposal, SimBlock, [Vote])?
    /// The rest of the write-ahead log: every proposal and vote handed to the engine at the
    /// current height, in order (the host contract: inputs that moved the state machine are
    /// logged too, so a restarted validator gets back the polka behind a lock its guard restores).
    var walInputs: [ConsensusInput] = []
    /// The highest (height, round, step) this engine incarnation signed and released.
    var releasedThisIncarnation: LastSignStateKey?

    mutating func noteReleased(_ key: LastSignStateKey) {
        guard behaviour == .honest || behaviour == .invalidProposer else { return }
        if let m = releasedThisIncarnation, (m.height, m.round, m.step) >= (key.height, key.round, key.step) { return }
        releasedThisIncarnation = key
    }

    // Memory.
    var futureBuffer: [(from: Int, message: SimMessage)] = []
    var lastCatchUp: [Int: (key: UInt64, atMs: UInt64)] = [:]
    var lastRoundCatchUp: [Int: (height: UInt64, round: UInt32, atMs: UInt64)] = [:]

    // Invariant bookkeeping for the current height (reset on a new height and on restart).
    var firstVote: [VoteKey: Hash256?] = [:]
    var emittedEvidence: Set<VoteKey> = []

    init(index: Int, signer: Signer, behaviour: SimBehaviour, ledger: SimLedger, validators: ValidatorSet) {
        self.index = index
        self.signer = signer
        self.behaviour = behaviour
        self.ledger = ledger
        self.validators = validators
        selection = ProposerSelection(genesis: validators)
    }

    var height: UInt64 { UInt64(chain.count) + 1 }
    var isAlive: Bool { engine != nil }

    mutating func addEvidence(_ e: DuplicateVoteEvidence) {
        let key = VoteKey(e.voteA)
        guard !committedEvidence.contains(key), !evidencePool.contains(where: { VoteKey($0.voteA) == key }) else { return }
        evidencePool.append(e)
    }

    /// The block's time at `height` (for evidence expiry), if decided.
    func blockTime(at height: UInt64) -> UInt64? {
        guard height >= 1, height <= UInt64(chain.count) else { return nil }
        return chain[Int(height - 1)].block.timeMs
    }

    /// Whether evidence may go into a block at `height` with time `timeMs`.
    func evidenceAdmissible(_ e: DuplicateVoteEvidence, chainID: String, params: EvidenceParams, height: UInt64, timeMs: UInt64) -> Bool {
        guard e.height < height, let evTime = blockTime(at: e.height),
            !params.isExpired(evidenceHeight: e.height, evidenceTimeMs: evTime, currentHeight: height, currentTimeMs: timeMs),
            let i = ledger.index(of: e.validator), !ledger.members[i].tombstoned,
            !committedEvidence.contains(VoteKey(e.voteA))
        else { return false }
        return (try? e.verify(chainID: chainID, publicKey: ledger.members[i].publicKey)) != nil
    }

    /// The application's verdict on a proposed block for the current height.
    func validate(_ block: SimBlock, chainID: String, params: EvidenceParams) -> Bool {
        guard block.isValid, block.height == height, block.evidence.count <= Block.maxEvidence else { return false }
        var offenders = Set<Address>()
        for e in block.evidence {
            guard offenders.insert(e.validator).inserted,
                evidenceAdmissible(e, chainID: chainID, params: params, height: block.height, timeMs: block.timeMs)
            else { return false }
        }
        return true
    }

    /// Applies a decided block: punishments now, the validator set only at the epoch boundary.
    mutating func apply(_ decided: DecidedHeight, epochLength: UInt64) {
        chain.append(decided)
        for e in decided.block.evidence {
            ledger.punishDoubleSign(validator: e.validator, evidenceHeight: e.height)
            committedEvidence.insert(VoteKey(e.voteA))
        }
        evidencePool.removeAll { committedEvidence.contains(VoteKey($0.voteA)) || ledger.isTombstoned($0.validator) }
        let h = decided.block.height
        if epochLength > 0, h % epochLength == 0 {
            ledger.endEpoch()
            let next = ledger.validatorSet() ?? validators
            selection = selection.advanced(to: next)
            validators = next
        } else {
            selection = selection.advanced()
        }
        checkpoint = nil
        walInputs = []
        knownBlocks = knownBlocks.filter { $0.value.height > h }
        proposals = proposals.filter { $0.value.height > h }
        firstVote = [:]
        emittedEvidence = []
    }

    /// The precommits a commit carries, as votes (for catch-up).
    func precommits(of commit: Commit) -> [Vote] {
        zip(validators.validators, commit.signatures).compactMap { v, s in
            switch s {
            case .absent: nil
            case .commit(let sig):
                Vote(type: .precommit, height: commit.height, round: commit.round, blockID: commit.blockID, validator: v.address, signature: sig)
            case .nil(let sig):
                Vote(type: .precommit, height: commit.height, round: commit.round, blockID: nil, validator: v.address, signature: sig)
            }
        }
    }
}
