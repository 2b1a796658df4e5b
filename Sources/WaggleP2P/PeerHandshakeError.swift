/// Why a peer handshake failed. Equality compares the code only (a Noise failure's code includes
/// the Noise code), so tests assert the kind of failure.
public struct PeerHandshakeError: Error, Equatable, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable {
            case noise(NoiseError.Code)
            case malformedPayload, invalidSignature, unexpectedNodeID, selfConnection, outOfOrder
        }
        let kind: Kind
        /// The Noise layer refused a message (length, decryption, order, key).
        public static func noise(_ code: NoiseError.Code) -> Code { Code(kind: .noise(code)) }
        /// A handshake payload that is not what this protocol puts there (an `AuthPayload`, or
        /// nothing in the first message).
        public static let malformedPayload = Code(kind: .malformedPayload)
        /// The node key's signature does not verify over the Noise static key of this session.
        public static let invalidSignature = Code(kind: .invalidSignature)
        /// The dialer reached a node whose id is not the one it dialled.
        public static let unexpectedNodeID = Code(kind: .unexpectedNodeID)
        /// The peer authenticated with this node's own id.
        public static let selfConnection = Code(kind: .selfConnection)
        /// A call the handshake does not expect now (dialer's `start` twice, input after failure).
        public static let outOfOrder = Code(kind: .outOfOrder)
        public var description: String {
            switch kind {
            case .noise(let c): "noise(\(c))"
            default: "\(kind)"
            }
        }
    }

    public let code: Code
    public let reason: String
    public let file: String
    public let line: Int

    public init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    init(_ noise: NoiseError) {
        self.init(.noise(noise.code), noise.reason, file: noise.file, line: noise.line)
    }

    public static func == (a: PeerHandshakeError, b: PeerHandshakeError) -> Bool { a.code == b.code }
    public var description: String { reason }
}
