import WaggleLedger

/// Why the mempool refused a transaction. Every refusal reaches the client with its reason and
/// an application error code (Docs/RPC.md).
public struct MempoolError: Error, Equatable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let name: String
        public let rpcCode: Int
        public static let full = Code(name: "mempool_full", rpcCode: 2001)
        public static let duplicate = Code(name: "already_in_mempool", rpcCode: 2002)
        public static let tooLarge = Code(name: "tx_too_large", rpcCode: 2003)
        public static let invalidSignature = Code(name: "invalid_signature", rpcCode: 2004)
        public static let malformed = Code(name: "malformed_tx", rpcCode: 2005)
        public static let alreadyCommitted = Code(name: "already_committed", rpcCode: 2006)
        public static let ledger = Code(name: "rejected_by_ledger", rpcCode: 0)
        /// Neither committed nor pooled any more (reported to a client waiting for inclusion).
        public static let notPooled = Code(name: "not_in_mempool", rpcCode: 2007)
        /// The node could not read its own database: not the transaction's fault.
        public static let storage = Code(name: "internal_error", rpcCode: -32603)
    }

    public let code: Code
    public let reason: String
    /// Set when the ledger rejected the transaction: its own code.
    public let ledgerError: LedgerError?

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
        ledgerError = nil
    }

    public init(_ ledgerError: LedgerError) {
        code = .ledger
        reason = ledgerError.reason
        self.ledgerError = ledgerError
    }

    /// The application error code a client sees.
    public var rpcCode: Int { ledgerError?.code.rpcCode ?? code.rpcCode }
    public var name: String { ledgerError?.code.name ?? code.name }

    public static func == (a: MempoolError, b: MempoolError) -> Bool { a.code == b.code && a.ledgerError == b.ledgerError }
    public var description: String { reason }
}
