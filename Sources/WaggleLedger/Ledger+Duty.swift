import WaggleCore

// Validator duty (../shared/DESIGN.md, "Reputation"): every commit a block includes counts, for
// each member of the commit's set, as one expected signature in the block's epoch; at the end of
// the epoch each member of the epoch's set that signed at least `min_signed_per_epoch_bps` of its
// expected commits earns `validator_duty_credit` for its operator, and one that signed fewer is
// jailed for `jail_epochs` epochs and its operator loses `downtime_reputation_cut_bps` of its
// reputation. `unjail` ends the jail after that.

extension Ledger {
    public func liveness(_ validator: Address, in state: StateOverlay) throws(LedgerError) -> LivenessRecord? {
        try read(LivenessRecord.self, .liveness(validator), state)
    }

    /// The first epoch in which a validator jailed for downtime may unjail; nil when not jailed for downtime.
    public func jailRelease(_ validator: Address, in state: StateOverlay) throws(LedgerError) -> UInt64? {
        guard let raw = try readRaw(.jailRelease(validator), state) else { return nil }
        do { return try UInt64(canonicalBytes: raw) } catch {
            throw LedgerError(.corruptState, "state entry \(StateKey.jailRelease(validator)) does not decode: \(error)")
        }
    }

    /// Counts `commit` (already checked to have one slot per member of `set`) for the epoch of
    /// block `height`, the block that includes it.
    func recordLiveness(_ commit: Commit, set: ValidatorSet, height: UInt64, state: inout StateOverlay) throws(LedgerError) {
        let e = epoch(of: height)
        for (v, sig) in zip(set.validators, commit.signatures) {
            var r = try liveness(v.address, in: state) ?? LivenessRecord(epoch: e, signed: 0, expected: 0)
            if r.epoch != e { r = LivenessRecord(epoch: e, signed: 0, expected: 0) }
            r.expected += 1
            if case .commit = sig { r.signed += 1 }
            put(r, .liveness(v.address), &state)
        }
    }

    /// At the end of epoch `epoch`: duty credit or downtime jail for every member of `set` (the
    /// epoch's set) with at least one expected commit in the epoch; their counters are cleared.
    func applyDuty(set: ValidatorSet, epoch e: UInt64, state: inout StateOverlay) throws(LedgerError) {
        for v in set.validators {
            guard let r = try liveness(v.address, in: state) else { continue }
            state.set(.liveness(v.address), nil)
            guard r.epoch == e, r.expected > 0, var record = try validatorRecord(v.address, in: state), !record.tombstoned else {
                continue
            }
            // signed / expected ≥ bps / 10,000, exactly (both sides far below 2^64).
            let (lhs, o1) = r.signed.multipliedReportingOverflow(by: 10_000)
            let (rhs, o2) = r.expected.multipliedReportingOverflow(by: params.minSignedPerEpochBps)
            guard !o1, !o2 else { throw LedgerError(.overflow, "liveness counters overflow") }
            if lhs >= rhs {
                if params.validatorDutyCredit > 0 {
                    try creditReputation(record.operator, params.validatorDutyCredit, epoch: e, state: &state)
                }
            } else {
                record.jailed = true
                put(record, .validator(v.address), &state)
                put(e + 1 + params.jailEpochs, .jailRelease(v.address), &state)  // epochs < 2^62, jail_epochs ≤ 10^6
                var op = try account(record.operator, in: state) ?? .empty
                op.reputation = reputation(op.reputation, atEpoch: e)
                op.reputation.points -= Self.cut(op.reputation.points, bps: params.downtimeReputationCutBps)
                put(op, .account(record.operator), &state)
            }
        }
    }

    /// floor(points · bps / 10,000), bps ≤ 10,000.
    static func cut(_ points: UInt64, bps: UInt64) -> UInt64 {
        let (hi, lo) = points.multipliedFullWidth(by: min(bps, 10_000))
        return UInt64(10_000).dividingFullWidth((high: hi, low: lo)).quotient
    }

    func unjail(sender: Address, validator: Address, height: UInt64, state: inout StateOverlay) throws(LedgerError) {
        guard var record = try validatorRecord(validator, in: state) else {
            throw LedgerError(.unknownValidator, "validator \(validator) does not exist")
        }
        guard record.operator == sender else {
            throw LedgerError(.notValidatorOperator, "only the operator \(record.operator) may unjail validator \(validator)")
        }
        guard !record.tombstoned else {
            throw LedgerError(.validatorTombstoned, "validator \(validator) is tombstoned for double-signing")
        }
        guard record.jailed, let release = try jailRelease(validator, in: state) else {
            throw LedgerError(.notJailed, "validator \(validator) is not jailed")
        }
        guard epoch(of: height) >= release else {
            throw LedgerError(.jailPeriodNotOver, "validator \(validator) is jailed until epoch \(release)")
        }
        record.jailed = false
        put(record, .validator(validator), &state)
        state.set(.jailRelease(validator), nil)
    }
}
