import WaggleCore

/// A message on the block-sync channel (Docs/PROTOCOL.md, "P2P", block sync). The five messages
/// of CometBFT's blocksync protocol (spec/p2p/messages/block-sync.md: StatusRequest,
/// StatusResponse, BlockRequest, BlockResponse, NoBlockResponse), in the canonical encoding:
///
///     block_sync = 0x01                                  status request
///                | 0x02 base (u64) height (u64)          status response
///                | 0x03 height (u64)                     block request
///                | 0x04 block commit                     block response (canonical encodings)
///                | 0x05 height (u64)                     no-block response
///
/// Unlike CometBFT, whose response carries only the block (its commit arrives as the next
/// block's last commit), a block response carries the commit that finalised the block, so the
/// receiver verifies and commits block h without waiting for block h + 1.
public enum BlockSyncMessage: Hashable, Sendable, CanonicalCodable {
    /// "Which heights do you have?"
    case statusRequest
    /// The lowest height the sender serves and its latest committed height (a node that has
    /// committed nothing answers with `height` below `base`). Sent in answer to a request and
    /// to every peer after each commit.
    case statusResponse(base: UInt64, height: UInt64)
    case blockRequest(height: UInt64)
    case blockResponse(block: Block, commit: Commit)
    /// The sender has no block at `height`.
    case noBlockResponse(height: UInt64)

    public func encode(to e: inout CanonicalEncoder) {
        switch self {
        case .statusRequest:
            e.u8(0x01)
        case .statusResponse(let base, let height):
            e.u8(0x02)
            e.u64(base)
            e.u64(height)
        case .blockRequest(let height):
            e.u8(0x03)
            e.u64(height)
        case .blockResponse(let block, let commit):
            e.u8(0x04)
            block.encode(to: &e)
            commit.encode(to: &e)
        case .noBlockResponse(let height):
            e.u8(0x05)
            e.u64(height)
        }
    }

    public init(from d: inout CanonicalDecoder) throws {
        switch try d.u8() {
        case 0x01: self = .statusRequest
        case 0x02: self = .statusResponse(base: try d.u64(), height: try d.u64())
        case 0x03: self = .blockRequest(height: try d.u64())
        case 0x04: self = .blockResponse(block: try Block(from: &d), commit: try Commit(from: &d))
        case 0x05: self = .noBlockResponse(height: try d.u64())
        case let t: throw CodecError(.unknownTag, "unknown block sync message tag \(t)")
        }
    }
}
