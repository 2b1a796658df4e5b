/// What a transaction does. The one-byte tag is part of the signed encoding; new kinds take new
/// tags and old tags never change meaning.
public enum TransactionBody: Hashable, Sendable, CanonicalCodable {
    /// Move `amount` from the sender to `to`.
    case transfer(to: Address, amount: UInt64)
    /// Register a validator with consensus key `publicKey`, bonding `selfBond` from the sender.
    case createValidator(publicKey: PublicKey, selfBond: UInt64)
    /// Bond `amount` of the sender's balance to `validator`.
    case bond(validator: Address, amount: UInt64)
    /// Start unbonding `amount` of the sender's bond from `validator`; the amount returns to the
    /// sender's balance after the unbonding period.
    case unbond(validator: Address, amount: UInt64)

    public enum Tag: UInt8, Sendable {
        case transfer = 0x01
        case createValidator = 0x02
        case bond = 0x03
        case unbond = 0x04
    }

    public var tag: Tag {
        switch self {
        case .transfer: .transfer
        case .createValidator: .createValidator
        case .bond: .bond
        case .unbond: .unbond
        }
    }

    public func encode(to e: inout CanonicalEncoder) {
        e.u8(tag.rawValue)
        switch self {
        case .transfer(let to, let amount):
            e.encode(to)
            e.u64(amount)
        case .createValidator(let pk, let bond):
            e.encode(pk)
            e.u64(bond)
        case .bond(let v, let amount), .unbond(let v, let amount):
            e.encode(v)
            e.u64(amount)
        }
    }

    public init(from d: inout CanonicalDecoder) throws {
        let raw = try d.u8()
        guard let tag = Tag(rawValue: raw) else { throw CodecError(.unknownTag, "unknown transaction type \(raw)") }
        switch tag {
        case .transfer: self = .transfer(to: try d.decode(), amount: try d.u64())
        case .createValidator: self = .createValidator(publicKey: try d.decode(), selfBond: try d.u64())
        case .bond: self = .bond(validator: try d.decode(), amount: try d.u64())
        case .unbond: self = .unbond(validator: try d.decode(), amount: try d.u64())
        }
    }
}

/// A signed transaction. The signature covers
/// `tx_domain || chain_id || sender || nonce || fee || body` (Docs/PROTOCOL.md), and the
/// transaction hash is SHA-256(0x11 || canonical bytes), signature included.
public struct Transaction: Hashable, Sendable, CanonicalCodable {
    /// Upper bound on an encoded transaction accepted anywhere (mempool, blocks, RPC).
    public static let maxEncodedSize = 128 * 1024

    public var sender: PublicKey
    public var nonce: UInt64
    public var fee: UInt64
    public var body: TransactionBody
    public var signature: Signature

    public init(sender: PublicKey, nonce: UInt64, fee: UInt64, body: TransactionBody, signature: Signature) {
        self.sender = sender
        self.nonce = nonce
        self.fee = fee
        self.body = body
        self.signature = signature
    }

    public var senderAddress: Address { sender.address }

    public static func signBytes(chainID: String, sender: PublicKey, nonce: UInt64, fee: UInt64, body: TransactionBody) -> [UInt8] {
        var e = SignDomain.transaction.prefix(chainID: chainID)
        e.encode(sender)
        e.u64(nonce)
        e.u64(fee)
        e.encode(body)
        return e.bytes
    }

    public func signBytes(chainID: String) -> [UInt8] {
        Self.signBytes(chainID: chainID, sender: sender, nonce: nonce, fee: fee, body: body)
    }

    public static func sign(chainID: String, signer: Signer, nonce: UInt64, fee: UInt64, body: TransactionBody) -> Transaction {
        let sig = signer.sign(signBytes(chainID: chainID, sender: signer.publicKey, nonce: nonce, fee: fee, body: body))
        return Transaction(sender: signer.publicKey, nonce: nonce, fee: fee, body: body, signature: sig)
    }

    public func verifySignature(chainID: String) -> Bool {
        sender.verify(signature, over: signBytes(chainID: chainID))
    }

    public var hash: Hash256 { HashDomain.hash(HashDomain.transaction, canonicalBytes) }

    public func encode(to e: inout CanonicalEncoder) {
        e.encode(sender)
        e.u64(nonce)
        e.u64(fee)
        e.encode(body)
        e.encode(signature)
    }

    public init(from d: inout CanonicalDecoder) throws {
        sender = try d.decode()
        nonce = try d.u64()
        fee = try d.u64()
        body = try d.decode()
        signature = try d.decode()
    }
}
