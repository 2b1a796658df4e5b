import WaggleCore
import WaggleZK

extension Ledger {
    /// Runs the start of block `height`: returns matured unbondings to their delegators and pays
    /// the previous block's signers (issuance plus the fees of the previous block) by voting power.
    /// `lastCommit` must already be verified against `chainInfo.lastValidators`.
    public func beginBlock(height: UInt64, lastCommit: Commit?, state: inout StateOverlay) throws(LedgerError) {
        var validatorsWithMatured: [Address] = []
        for entry in try unbondingQueue(height: height, in: state) {
            var acct = try account(entry.delegator, in: state) ?? .empty
            acct.balance += entry.amount
            put(acct, .account(entry.delegator), &state)
            if !validatorsWithMatured.contains(entry.validator) { validatorsWithMatured.append(entry.validator) }
        }
        state.set(.unbondingQueue(height: height), nil)
        for v in validatorsWithMatured {
            var heights = HeightList(try unbondingHeights(of: v, in: state))
            heights.remove(height)
            setUnbondingHeights(heights, of: v, &state)
        }
        if let lastCommit {
            let set = try chainInfo(in: state).lastValidators
            try distributeRewards(lastCommit, state: &state)  // checks one slot per member of the set
            try recordLiveness(lastCommit, set: set, height: height, state: &state)
        }
    }

    private func distributeRewards(_ commit: Commit, state: inout StateOverlay) throws(LedgerError) {
        var info = try chainInfo(in: state)
        let set = info.lastValidators
        guard commit.signatures.count == set.count else {
            throw LedgerError(.invalidBlock, "last commit has \(commit.signatures.count) slots, the validator set has \(set.count)")
        }
        let signers = zip(set.validators, commit.signatures).compactMap { v, s -> Validator? in
            if case .commit = s { return v }
            return nil
        }
        let signedPower = signers.reduce(UInt64(0)) { $0 + $1.votingPower }
        guard signedPower > 0 else { return }
        // Issuance stops at the supply cap, which keeps M · supply, and so the total voting
        // power, below 2^60 forever.
        let cap = Self.maxSupply(reputationMultiplier: params.reputationMultiplier)
        let issuance = info.totalSupply >= cap ? 0 : min(params.blockReward, cap - info.totalSupply)
        let pool = info.pendingFees + issuance
        var paid: UInt64 = 0
        var shares: [(Address, UInt64)] = []
        for v in signers {
            // floor(pool * power / signedPower) in 128-bit arithmetic.
            let (hi, lo) = pool.multipliedFullWidth(by: v.votingPower)
            let share = signedPower.dividingFullWidth((high: hi, low: lo)).quotient
            shares.append((v.address, share))
            paid += share
        }
        // The rounding remainder goes to the first signer in canonical order.
        shares[0].1 += pool - paid
        for (validator, share) in shares where share > 0 {
            let recipient = try validatorRecord(validator, in: state)?.operator ?? validator
            var acct = try account(recipient, in: state) ?? .empty
            acct.balance += share
            put(acct, .account(recipient), &state)
        }
        info.totalSupply += issuance
        info.pendingFees = 0
        put(info, .chainInfo, &state)
    }

    /// Punishes proven double-signing: 5% of every bond to the validator, and of every pending
    /// unbonding from it that started at or after the evidence height, is burned; the operator's
    /// reputation drops to zero, and the validator is tombstoned (never in a set again).
    /// `evidence` must already be verified and within its age limit.
    public func punishDoubleSign(_ evidence: DuplicateVoteEvidence, state: inout StateOverlay) throws(LedgerError) {
        let address = evidence.validator
        guard var record = try validatorRecord(address, in: state) else {
            throw LedgerError(.unknownValidator, "evidence names unknown validator \(address)")
        }
        guard !record.tombstoned else {
            throw LedgerError(.validatorTombstoned, "validator \(address) was already punished")
        }
        do { try evidence.verify(chainID: chainID, publicKey: record.publicKey) } catch {
            throw LedgerError(.invalidBlock, "invalid evidence: \(error)")
        }
        var burned: UInt64 = 0
        for delegator in try addressList(.delegators(of: address), state).addresses {
            let amount = try bond(delegator: delegator, validator: address, in: state)
            let slash = Self.doubleSignSlash(amount)
            try setBond(amount - slash, delegator: delegator, validator: address, &state)
            burned += slash
        }
        record.totalBond -= burned
        // Stake that started unbonding at or after the infraction height was bonded when the
        // validator equivocated, so it is slashed too (Cosmos SDK x/slashing does the same); stake
        // that was already unbonding before it, or has matured, is out of reach. Completion
        // height = start height + unbonding period.
        let (firstSlashable, overflow) = evidence.height.addingReportingOverflow(params.unbondingPeriod)
        if !overflow {
            for completion in try unbondingHeights(of: address, in: state) where completion >= firstSlashable {
                var queue = try unbondingQueue(height: completion, in: state)
                for i in queue.indices where queue[i].validator == address {
                    let slash = Self.doubleSignSlash(queue[i].amount)
                    queue[i].amount -= slash
                    burned += slash
                }
                setUnbondingQueue(queue, height: completion, &state)
            }
        }
        record.tombstoned = true
        put(record, .validator(address), &state)
        if var op = try account(record.operator, in: state) {
            op.reputation.points = 0
            put(op, .account(record.operator), &state)
        }
        var info = try chainInfo(in: state)
        info.totalSupply -= burned
        put(info, .chainInfo, &state)
    }

    /// Ends block `height`: records it as executed and, after the last block of an epoch, derives
    /// the next validator set from bonds. Returns the set that signs block `height + 1`.
    public func endBlock(height: UInt64, state: inout StateOverlay) throws(LedgerError) -> ValidatorSet {
        var info = try chainInfo(in: state)
        info.lastValidators = info.currentValidators
        info.lastHeight = height
        if isEpochEnd(height) {
            try applyDuty(set: info.lastValidators, epoch: epoch(of: height), state: &state)
            try countApprovals(set: info.lastValidators, epoch: epoch(of: height), state: &state)
            if let next = try computeValidatorSet(state: state, epoch: epoch(of: height + 1)) {
                info.currentValidators = next
            }
        }
        put(info, .chainInfo, &state)
        return info.currentValidators
    }

    /// Whether `height` is the last block of an epoch (epochs count from the initial height).
    public func isEpochEnd(_ height: UInt64) -> Bool {
        height >= initialHeight && (height - initialHeight + 1) % params.epochLength == 0
    }

    /// The epoch a height belongs to, starting at 0.
    public func epoch(of height: UInt64) -> UInt64 {
        height < initialHeight ? 0 : (height - initialHeight) / params.epochLength
    }

    /// The validator set derived from current bonds and reputation: every validator that is
    /// neither jailed nor tombstoned and has at least the minimum stake, by voting power (ties by
    /// address), at most `maxValidators`. Nil when no validator qualifies (the old set stays).
    /// Reputation counts decayed to `epoch`, the epoch the set signs in.
    public func computeValidatorSet(state: StateOverlay, epoch: UInt64 = 0) throws(LedgerError) -> ValidatorSet? {
        var candidates: [Validator] = []
        for address in try addressList(.validatorIndex, state).addresses {
            guard let record = try validatorRecord(address, in: state), !record.jailed, !record.tombstoned,
                record.totalBond >= params.minSelfBond
            else { continue }
            let points = try account(record.operator, in: state).map { self.reputation($0.reputation, atEpoch: epoch).points } ?? 0
            let power = VotingPower.compute(
                stake: record.totalBond, reputation: points, maxReputation: params.maxReputation,
                multiplier: params.reputationMultiplier)
            candidates.append(Validator(publicKey: record.publicKey, votingPower: power))
        }
        candidates.sort { $0.votingPower != $1.votingPower ? $0.votingPower > $1.votingPower : $0.address < $1.address }
        let chosen = Array(candidates.prefix(Int(params.maxValidators)))
        guard !chosen.isEmpty else { return nil }
        do { return try ValidatorSet(chosen) } catch {
            throw LedgerError(.overflow, "validator set is invalid: \(error)")
        }
    }

    /// Executes a whole block on `state`: begin-block (unbondings, rewards), evidence, the
    /// transactions in order (all must succeed), end-block. Signatures must already be verified.
    ///
    /// The proofs of the block's contributions are verified in one batch (Docs/PROTOCOL.md, "Batch
    /// verification of a block's proofs"): each contribution runs every other check in order and
    /// leaves its pairing pending; the pending proofs are batch-verified after the last
    /// transaction, or as soon as a transaction fails. A proof's validity does not depend on
    /// state, and a transaction whose proof is pending sees exactly the state single verification
    /// would have given it as long as every earlier proof is valid, so the first bad proof (in
    /// transaction order) or the first failing transaction, whichever comes first, is the error:
    /// the verdict, and the error, of verifying each proof on its own in order. Prepared keys come
    /// from `keys` (the node's cache; a fresh one by default).
    public func executeBlock(
        height: UInt64, lastCommit: Commit?, evidence: [DuplicateVoteEvidence], transactions: [Transaction],
        state: inout StateOverlay, keys: PreparedVerifyingKeyCache = PreparedVerifyingKeyCache()
    ) throws(LedgerError) -> ValidatorSet {
        try beginBlock(height: height, lastCommit: lastCommit, state: &state)
        for ev in evidence { try punishDoubleSign(ev, state: &state) }
        var fees: UInt64 = 0
        var proofs = ProofChecks(deferringWith: keys)
        for (i, tx) in transactions.enumerated() {
            proofs.currentTransaction = i
            proofs.currentTransactionHash = tx.hash
            do { fees += try applyDeferringFee(tx, height: height, state: &state, proofs: &proofs) } catch {
                // An early settlement failed: its error names the earlier transaction.
                if let failure = proofs.settlementFailure { throw failure }
                // A bad proof pending from this or an earlier transaction is where single
                // verification in order would have stopped.
                try proofs.settle()
                throw LedgerError(error.code, "transaction \(i) (\(tx.hash)): \(error.reason)")
            }
        }
        try proofs.settle()
        if fees > 0 {
            var info = try chainInfo(in: state)
            info.pendingFees += fees
            put(info, .chainInfo, &state)
        }
        state.discardJournal()
        return try endBlock(height: height, state: &state)
    }
}
