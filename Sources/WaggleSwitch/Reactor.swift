import WaggleP2P

/// A protocol that runs over the switch on its own channels (CometBFT's reactor): mempool gossip
/// today, consensus and block sync later. The switch calls these on the peer's event loop, in
/// order for one peer; they must not block (hand work to a task or queue).
public protocol Reactor: AnyObject, Sendable {
    /// The channels whose messages go to this reactor; one reactor per channel.
    var channels: [ChannelID] { get }
    /// A peer was admitted; messages may be sent to it.
    func peerAdded(_ peer: Peer)
    /// An admitted peer's connection closed. (A connection that loses a simultaneous-dial
    /// tie-break to a newer one for the same id reports no removal: the id stays connected.)
    func peerRemoved(_ peer: Peer)
    /// A message arrived on one of `channels`. A message that breaks the reactor's protocol
    /// should end with `PeerSwitch.disconnect(_:banningFor:)`.
    func receive(_ payload: [UInt8], on channel: ChannelID, from peer: Peer)
}

extension Reactor {
    public func peerAdded(_ peer: Peer) {}
    public func peerRemoved(_ peer: Peer) {}
}
