import WaggleCore

/// One record of the consensus write-ahead log: a message this validator signed (logged and
/// synced before it leaves the process), an input that moved the engine, or the end of a height.
/// On restart the node replays the records written after the last `endHeight` into a fresh engine
/// (own messages as the inputs the host hands back), the effect CometBFT gets from its WAL.
///
/// Canonical encoding: a tag byte, then the fields with WaggleCore's canonical codec.
/// 0x01 own proposal, 0x02 own vote, 0x03 proposal (then a boolean: the host's verdict on its
/// block), 0x04 vote, 0x05 timeout (u64 height, u32 round, u8 step), 0x06 proposed value (u64
/// height, u32 round, 32-byte block id), 0x07 end of height (u64 height).
public enum WALRecord: Hashable, Sendable, CanonicalCodable {
    case ownProposal(Proposal)
    case ownVote(Vote)
    case proposal(Proposal, blockIsValid: Bool)
    case vote(Vote)
    case timeout(ConsensusTimeout)
    case proposeValue(height: UInt64, round: UInt32, blockID: Hash256)
    /// Height `h` is committed (with its block, in the same store batch): records before this
    /// marker are never replayed again.
    case endHeight(UInt64)

    /// The engine input a replay feeds for this record (nil for the end-of-height marker).
    public var input: ConsensusInput? {
        switch self {
        case .ownProposal(let p): .proposal(p, blockIsValid: true)
        case .ownVote(let v): .vote(v)
        case .proposal(let p, let valid): .proposal(p, blockIsValid: valid)
        case .vote(let v): .vote(v)
        case .timeout(let t): .timeout(t)
        case .proposeValue(let h, let r, let id): .proposeValue(height: h, round: r, blockID: id)
        case .endHeight: nil
        }
    }

    /// The height the record belongs to.
    public var height: UInt64 {
        switch self {
        case .ownProposal(let p), .proposal(let p, _): p.height
        case .ownVote(let v), .vote(let v): v.height
        case .timeout(let t): t.height
        case .proposeValue(let h, _, _): h
        case .endHeight(let h): h
        }
    }

    public func encode(to e: inout CanonicalEncoder) {
        switch self {
        case .ownProposal(let p):
            e.u8(0x01)
            e.encode(p)
        case .ownVote(let v):
            e.u8(0x02)
            e.encode(v)
        case .proposal(let p, let valid):
            e.u8(0x03)
            e.encode(p)
            e.bool(valid)
        case .vote(let v):
            e.u8(0x04)
            e.encode(v)
        case .timeout(let t):
            e.u8(0x05)
            e.u64(t.height)
            e.u32(t.round)
            e.u8(t.step.rawValue)
        case .proposeValue(let h, let r, let id):
            e.u8(0x06)
            e.u64(h)
            e.u32(r)
            e.encode(id)
        case .endHeight(let h):
            e.u8(0x07)
            e.u64(h)
        }
    }

    public init(from d: inout CanonicalDecoder) throws {
        let tag = try d.u8()
        switch tag {
        case 0x01: self = .ownProposal(try d.decode())
        case 0x02: self = .ownVote(try d.decode())
        case 0x03:
            let p: Proposal = try d.decode()
            self = .proposal(p, blockIsValid: try d.bool())
        case 0x04: self = .vote(try d.decode())
        case 0x05:
            let h = try d.u64()
            let r = try d.u32()
            let raw = try d.u8()
            guard let step = ConsensusStep(rawValue: raw) else { throw CodecError(.invalidValue, "timeout step \(raw) is not 1, 2 or 3") }
            self = .timeout(ConsensusTimeout(height: h, round: r, step: step))
        case 0x06:
            let h = try d.u64()
            let r = try d.u32()
            self = .proposeValue(height: h, round: r, blockID: try d.decode())
        case 0x07: self = .endHeight(try d.u64())
        default: throw CodecError(.unknownTag, "unknown WAL record tag \(tag)")
        }
    }
}

/// The write-ahead log's framing: each record is `u32 length ‖ u32 CRC-32C(payload) ‖ payload`
/// (big-endian; CometBFT's WAL frames its records the same way), so a torn or corrupt tail is
/// found by reading forward until a frame is short, too long or fails its checksum.
public enum WALFraming {
    /// No record is larger (proposals and votes are a few hundred bytes).
    public static let maxPayload = 1 << 20
    public static let headerSize = 8

    public static func frame(_ record: WALRecord) -> [UInt8] {
        let payload = record.canonicalBytes
        var out = [UInt8]()
        out.reserveCapacity(headerSize + payload.count)
        for v in [UInt32(payload.count), CRC32C.checksum(payload)] {
            out += [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
        }
        return out + payload
    }

    /// The records of a log, up to the first frame that is incomplete or invalid.
    public struct Scan: Sendable {
        public var records: [WALRecord] = []
        /// Bytes of complete, valid frames from the start; the rest is a torn or corrupt tail.
        public var validLength = 0
        /// Why the scan stopped before the end, if it did.
        public var problem: String?
    }

    public static func scan(_ bytes: [UInt8]) -> Scan {
        var scan = Scan()
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= headerSize else {
                scan.problem = "torn frame header at offset \(offset) (\(bytes.count - offset) bytes)"
                break
            }
            let length = Int(be32(bytes, offset))
            let checksum = be32(bytes, offset + 4)
            guard length <= maxPayload else {
                scan.problem = "frame at offset \(offset) claims \(length) bytes, more than \(maxPayload)"
                break
            }
            guard bytes.count - offset - headerSize >= length else {
                scan.problem = "torn frame at offset \(offset): \(length) bytes announced, \(bytes.count - offset - headerSize) present"
                break
            }
            let payload = Array(bytes[(offset + headerSize)..<(offset + headerSize + length)])
            guard CRC32C.checksum(payload) == checksum else {
                scan.problem = "checksum mismatch in the frame at offset \(offset)"
                break
            }
            guard let record = try? WALRecord(canonicalBytes: payload) else {
                scan.problem = "undecodable record at offset \(offset)"
                break
            }
            scan.records.append(record)
            offset += headerSize + length
            scan.validLength = offset
        }
        return scan
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum CometBFT's WAL uses.
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 == 1 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
