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
