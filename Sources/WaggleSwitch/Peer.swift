import NIOConcurrencyHelpers
import NIOCore
import WaggleP2P

/// One connection to another node, from the socket's accept or connect until it closes. Its id
/// is known once the handshake has authenticated it.
public final class Peer: Sendable, CustomStringConvertible {
    public let direction: PeerSet.Direction
    /// `host:port` of the other end of the socket.
    public let remoteAddress: String
    /// For a dial: the id in `ID@host:port`, which the handshake insists on.
    public let expectedID: NodeID?
    let channel: any Channel
    private let state = NIOLockedValueBox(Mutable())
    private let handler: NIOLockedValueBox<NIOLoopBound<PeerHandler>?> = NIOLockedValueBox(nil)

    struct Mutable {
        var id: NodeID?
        var nodeInfo: NodeInfo?
        var bytesSent: UInt64 = 0
        var bytesReceived: UInt64 = 0
    }

    /// `dialled`: the address of a dial (the socket has no remote address before it connects).
    init(channel: any Channel, direction: PeerSet.Direction, expectedID: NodeID?, dialled: NetAddress?) {
        self.channel = channel
        self.direction = direction
        self.expectedID = expectedID
        remoteAddress = dialled?.description ?? channel.remoteAddress.map(Self.format) ?? "unknown"
    }

    static func format(_ a: SocketAddress) -> String {
        guard let ip = a.ipAddress, let port = a.port else { return "\(a)" }
        return NetAddress(host: ip, port: port).description
    }

    public var id: NodeID? { state.withLockedValue { $0.id } }
    public var nodeInfo: NodeInfo? { state.withLockedValue { $0.nodeInfo } }
    public var bytesSent: UInt64 { state.withLockedValue { $0.bytesSent } }
    public var bytesReceived: UInt64 { state.withLockedValue { $0.bytesReceived } }

    public var description: String { "\(id.map { "\($0)" } ?? expectedID.map { "\($0)?" } ?? "unauthenticated")@\(remoteAddress)" }

    func authenticated(as id: NodeID, info: NodeInfo) {
        state.withLockedValue {
            $0.id = id
            $0.nodeInfo = info
        }
    }

    func count(sent: Int = 0, received: Int = 0) {
        state.withLockedValue {
            $0.bytesSent &+= UInt64(sent)
            $0.bytesReceived &+= UInt64(received)
        }
    }

    func attach(_ handler: NIOLoopBound<PeerHandler>) { self.handler.withLockedValue { $0 = handler } }

    /// Queues a message for this peer (dropped once the connection is closing).
    func send(_ frame: Frame) {
        guard let handler = handler.withLockedValue({ $0 }) else { return }
        channel.eventLoop.execute { handler.value.enqueue(frame) }
    }

    /// Closes the connection; `reason` is what the log line says.
    func close(reason: String, banned: Bool = false) {
        guard let handler = handler.withLockedValue({ $0 }) else {
            channel.close(promise: nil)
            return
        }
        channel.eventLoop.execute { handler.value.close(reason: reason, banned: banned) }
    }
}

/// A snapshot of one admitted peer, for `net_info`.
public struct PeerStatus: Sendable, Hashable {
    public let id: NodeID
    public let remoteAddress: String
    public let listenAddress: String
    public let moniker: String
    public let direction: PeerSet.Direction
    public let bytesSent: UInt64
    public let bytesReceived: UInt64
}
