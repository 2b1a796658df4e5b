import Foundation
import Logging
import ServiceLifecycle
import WaggleCore

/// Produces blocks when this node's validator alone holds more than two thirds of the voting
/// power (a single-validator chain, or one that others joined with little stake), by the path a
/// multi-validator network uses: it builds and signs a proposal, validates the proposed block like
/// any received block, signs its prevote and precommit through the double-sign guard, and commits
/// with a commit that is verified like any other (the other validators' slots are absent).
public struct BlockProducer: Service {
    let chain: Chain
    let signer: Signer
    let privValidator: PrivValidator
    let interval: Duration
    let logger: Logger
    /// Whether block sync says to hold back (`BlockSyncReactor.holdsProduction`: behind its peers
    /// and catching up): a validator that is behind must not sign a block of its own at a height
    /// the network already finalised (a fork of its own making, and a second signature there).
    let holdBack: @Sendable () -> Bool

    public init(
        chain: Chain, signer: Signer, persistence: FileSignStatePersistence, interval: Duration, logger: Logger,
        holdBack: @escaping @Sendable () -> Bool = { false }
    ) throws(NodeError) {
        self.chain = chain
        self.signer = signer
        privValidator = try PrivValidator(signer: signer, chainID: chain.genesis.chainID, persistence: persistence)
        self.interval = interval
        self.logger = logger
        self.holdBack = holdBack
    }

    public func run() async throws {
        var warnedNotSole = false
        var warnedBehind = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await Task.sleep(for: interval) } catch { return }
            if Task.isShuttingDownGracefully { return }
            let head = await chain.head
            guard canCommitAlone(head) else {
                if !warnedNotSole {
                    if head.validators.validator(signer.address) == nil {
                        // A full node: it follows the chain through block sync.
                        logger.info("this node's key is not in the validator set: it produces no blocks and follows its peers",
                                    metadata: ["height": "\(head.height + 1)"])
                    } else {
                        logger.warning("this node's validator does not hold more than 2/3 of the voting power; block production needs the consensus network",
                                       metadata: ["height": "\(head.height + 1)"])
                    }
                    warnedNotSole = true
                }
                continue
            }
            warnedNotSole = false
            if holdBack() {
                if !warnedBehind {
                    logger.info("this validator is behind its peers: no block production until block sync has caught up",
                                metadata: ["height": "\(head.height + 1)"])
                    warnedBehind = true
                }
                continue
            }
            warnedBehind = false
            do {
                try await produceBlock(after: head)
            } catch {
                logger.error("block production failed", metadata: ["height": "\(head.height + 1)", "error": "\(error)"])
            }
        }
    }

    /// Whether this node's precommit alone is a quorum of the set that signs the block after `head`.
    public func canCommitAlone(_ head: ChainHead) -> Bool {
        guard let me = head.validators.validator(signer.address) else { return false }
        return head.validators.isQuorum(me.votingPower)
    }

    /// Produces and commits the block after `head`.
    public func produceBlock(after head: ChainHead) async throws {
        let chainID = chain.genesis.chainID
        let height = head.height + 1
        // A restart after signing at this height (but before the commit was written) moves to
        // the next round: the guard refuses to sign a different block in a round it signed in.
        guard let round = privValidator.nextRound(at: height) else {
            throw NodeError(.keys, "the sign state has used every round of height \(height); refusing to sign")
        }
        let lastCommit: Commit? = height == chain.genesis.initialHeight ? nil : try await chain.read { store, _ in try store.commit(at: head.height) }
        if height != chain.genesis.initialHeight, lastCommit == nil {
            throw NodeError(.chain, "the commit of block \(head.height) is missing")
        }
        let nowMs = wallClockMs()
        let block = try await chain.buildBlock(proposer: signer.address, timeMs: nowMs, lastCommit: lastCommit)

        let proposal = try await privValidator.signProposalOffPool(height: height, round: round, polRound: nil, blockID: block.id)
        guard proposal.verify(chainID: chainID, publicKey: signer.publicKey) else { throw NodeError(.chain, "own proposal does not verify") }
        _ = try await chain.validate(block)
        let prevote = try await privValidator.signVoteOffPool(type: .prevote, height: height, round: round, blockID: block.id)
        let precommit = try await privValidator.signVoteOffPool(type: .precommit, height: height, round: round, blockID: block.id)
        guard prevote.verify(chainID: chainID, publicKey: signer.publicKey) else { throw NodeError(.chain, "own prevote does not verify") }
        let commit = Commit(height: height, round: round, blockID: block.id, precommits: [precommit], validators: head.validators)
        try await chain.commit(block, commit: commit)
    }
}

func wallClockMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

