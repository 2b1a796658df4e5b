/// Why the ledger rejected a transaction, a block or a genesis file. Equality compares the code,
/// so tests assert the kind of rejection; `reason` is the sentence a client sees.
public struct LedgerError: Error, Equatable, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        /// The JSON-RPC application error code reported for this rejection (Docs/RPC.md).
        public let rpcCode: Int

        public static let invalidSignature = Code(name: "invalid_signature", rpcCode: 1001)
        public static let badNonce = Code(name: "bad_nonce", rpcCode: 1002)
        public static let insufficientFunds = Code(name: "insufficient_funds", rpcCode: 1003)
        public static let feeTooLow = Code(name: "fee_too_low", rpcCode: 1004)
        public static let unknownAccount = Code(name: "unknown_account", rpcCode: 1005)
        public static let zeroAmount = Code(name: "zero_amount", rpcCode: 1006)
        public static let unknownValidator = Code(name: "unknown_validator", rpcCode: 1007)
        public static let validatorExists = Code(name: "validator_exists", rpcCode: 1008)
        public static let bondTooSmall = Code(name: "bond_too_small", rpcCode: 1009)
        public static let insufficientBond = Code(name: "insufficient_bond", rpcCode: 1010)
        public static let validatorTombstoned = Code(name: "validator_tombstoned", rpcCode: 1011)
        public static let overflow = Code(name: "overflow", rpcCode: 1012)
        public static let corruptState = Code(name: "corrupt_state", rpcCode: 1013)
        public static let invalidGenesis = Code(name: "invalid_genesis", rpcCode: 1014)
        public static let invalidBlock = Code(name: "invalid_block", rpcCode: 1015)
        public static let tooManyDelegators = Code(name: "too_many_delegators", rpcCode: 1016)
        public static let unknownCircuit = Code(name: "unknown_circuit", rpcCode: 1017)
        public static let circuitExists = Code(name: "circuit_exists", rpcCode: 1018)
        public static let invalidVerifyingKey = Code(name: "invalid_verifying_key", rpcCode: 1019)
        public static let forgeableKey = Code(name: "forgeable_key", rpcCode: 1020)
        public static let invalidBindingInput = Code(name: "invalid_binding_input", rpcCode: 1021)
        public static let circuitAlreadyApproved = Code(name: "circuit_already_approved", rpcCode: 1022)
        public static let notValidatorOperator = Code(name: "not_validator_operator", rpcCode: 1023)
        public static let duplicateApproval = Code(name: "duplicate_approval", rpcCode: 1024)
        public static let unknownDataset = Code(name: "unknown_dataset", rpcCode: 1025)
        public static let unknownModel = Code(name: "unknown_model", rpcCode: 1026)
        public static let unknownTask = Code(name: "unknown_task", rpcCode: 1027)
        public static let invalidTask = Code(name: "invalid_task", rpcCode: 1028)
        public static let taskClosed = Code(name: "task_closed", rpcCode: 1029)
        public static let taskExpired = Code(name: "task_expired", rpcCode: 1030)
        public static let taskExhausted = Code(name: "task_exhausted", rpcCode: 1031)
        public static let taskStillOpen = Code(name: "task_still_open", rpcCode: 1032)
        public static let notTaskSponsor = Code(name: "not_task_sponsor", rpcCode: 1033)
        public static let wrongInputCount = Code(name: "wrong_input_count", rpcCode: 1034)
        public static let fixedInputMismatch = Code(name: "fixed_input_mismatch", rpcCode: 1035)
        public static let bindingMismatch = Code(name: "binding_mismatch", rpcCode: 1036)
        public static let duplicateContribution = Code(name: "duplicate_contribution", rpcCode: 1037)
        public static let invalidProof = Code(name: "invalid_proof", rpcCode: 1038)
        public static let proofRejected = Code(name: "proof_rejected", rpcCode: 1039)
        public static let invalidName = Code(name: "invalid_name", rpcCode: 1040)
        public static let invalidDataset = Code(name: "invalid_dataset", rpcCode: 1041)
        public static let notJailed = Code(name: "not_jailed", rpcCode: 1042)
        public static let jailPeriodNotOver = Code(name: "jail_period_not_over", rpcCode: 1043)
        public static let tooManyPendingApprovals = Code(name: "too_many_pending_approvals", rpcCode: 1044)

        public var description: String { name }
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (a: LedgerError, b: LedgerError) -> Bool { a.code == b.code }
    public var description: String { reason }
}
