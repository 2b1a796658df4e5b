import WaggleCore

/// Everything the engine needs to start a height. The host computes it from the ledger: the
/// validator set of the height's epoch and the proposer-selection state of the height
/// (`ProposerSelection.advanced(to:)` from the previous height's).
public struct HeightStart: Sendable {
    public var height: UInt64
    public var validators: ValidatorSet
    public var proposerSelection: ProposerSelection<Address>
    /// The checkpoint persisted before a crash; used only when its height is `height`.
    public var checkpoint: ConsensusCheckpoint?

    public init(height: UInt64, validators: ValidatorSet, proposerSelection: ProposerSelection<Address>, checkpoint: ConsensusCheckpoint? = nil) {
        self.height = height
        self.validators = validators
        self.proposerSelection = proposerSelection
        self.checkpoint = checkpoint
    }
}

/// Inputs to `ConsensusStateMachine.handle(_:)`.
public enum ConsensusInput: Sendable {
    case startHeight(HeightStart)
    /// A signed proposal together with the host's verdict on the full block it names. The host
    /// validates the block before it hands the proposal in (and holds the proposal until the block
    /// has arrived); the engine never sees block bodies, only ids.
    case proposal(Proposal, blockIsValid: Bool)
    case vote(Vote)
    case timeout(ConsensusTimeout)
    /// The host's answer to `ConsensusAction.requestValue`: the id of the block it built.
    case proposeValue(height: UInt64, round: UInt32, blockID: Hash256)
}

/// Outputs of `ConsensusStateMachine.handle(_:)`, to be carried out in order.
public enum ConsensusAction: Hashable, Sendable {
    /// It is this node's turn to propose a new block: build one and answer with `proposeValue`.
    case requestValue(height: UInt64, round: UInt32)
    case broadcastProposal(Proposal)
    case broadcastVote(Vote)
    case scheduleTimeout(ConsensusTimeout, durationMs: UInt64)
    /// Make this durable before carrying out the actions after it.
    case persistCheckpoint(ConsensusCheckpoint)
    /// The block is final; `commit` is the certificate for the next block's last commit. The
    /// engine waits for the next `startHeight`.
    case decide(height: UInt64, round: UInt32, blockID: Hash256, commit: Commit)
    case evidence(DuplicateVoteEvidence)
    /// The signer (the double-sign guard) refused; the engine moved on without that message
    /// (unless the reason is `persistenceFailed`, which is followed by `halted`).
    case signingRefused(height: UInt64, round: UInt32, step: SignStep, reason: SignRefusal)
    /// The engine dropped the proposal for `blockID` (its proposer flooded the round with others)
    /// and a quorum has since formed for that block: hand it in again if the host holds it.
    case proposalNeeded(height: UInt64, round: UInt32, blockID: Hash256)
    /// The guard could not persist a signature. The engine has stopped and ignores every later
    /// input: stop the node, or restart the engine from the persisted state. Never carry on
    /// without the message it could not sign.
    case halted(reason: SignRefusal)
}
