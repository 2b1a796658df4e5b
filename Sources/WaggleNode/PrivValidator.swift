import Foundation
import WaggleConsensus
import WaggleCore

/// data/priv_validator_state.json: the consensus guard's last sign state, written atomically and
/// fsynced before the guard releases a signature.
public struct FileSignStatePersistence: SignStatePersistence {
    /// The file written: `path` itself, or the file a symbolic link at `path` points to (saving
    /// replaces the target, so the link and its target never part ways).
    public let path: String

    public init(path: String) throws(NodeError) {
        if FileIO.isDanglingLink(path) {
            throw NodeError(.keys, "\(path) is a symbolic link to a missing file; refusing to sign without knowing what was signed last")
        }
        var st = stat()
        if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = realpath(path, nil) else { throw NodeError(.keys, "cannot resolve the link \(path)") }
            self.path = String(cString: resolved)
            free(resolved)
        } else {
            self.path = path
        }
    }

    public func load() throws -> LastSignState? {
        guard FileIO.exists(path) else { return nil }
        let bytes = try FileIO.read(path)
        do { return try JSONDecoder().decode(LastSignState.self, from: Data(bytes)) } catch {
            throw NodeError(.keys, "\(path) is unreadable (\(error)); refusing to sign without knowing what was signed last")
        }
    }

    public func save(_ state: LastSignState) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .prettyPrinted]
        try FileIO.writeAtomically(Array(try enc.encode(state)) + [0x0a], to: path, mode: 0o600)
    }
}

/// This validator's signer for proposals and votes, guarded by WaggleConsensus's `SignGuard`
/// (which refuses anything conflicting with what was signed before, across restarts).
public final class PrivValidator: Sendable {
    let chainID: String
    public let address: Address
    private let guardState: SignGuard<FileSignStatePersistence>
    /// Signing fsyncs the sign state; async callers sign here, off Swift's cooperative pool.
    private let queue = DispatchQueue(label: "waggle.privval")

    public init(signer: Signer, chainID: String, persistence: FileSignStatePersistence) throws(NodeError) {
        self.chainID = chainID
        address = signer.address
        do { guardState = try SignGuard(signer: signer, persistence: persistence) } catch let e as NodeError {
            throw e
        } catch {
            throw NodeError(.keys, "cannot load the sign state: \(error)")
        }
    }

    /// The round to use at `height`: one past the last round signed at that height, else 0; nil
    /// when that round would not fit (a corrupt or hostile sign state).
    public func nextRound(at height: UInt64) -> UInt32? {
        guard let last = guardState.last, last.height == height else { return 0 }
        let (next, overflow) = last.round.addingReportingOverflow(1)
        return overflow ? nil : next
    }

    /// Whether the guard holds any sign state (false for a validator that never signed).
    public var hasSignState: Bool { guardState.last != nil }

    public func signProposal(height: UInt64, round: UInt32, polRound: UInt32?, blockID: Hash256) throws(NodeError) -> Proposal {
        let bytes = Proposal.signBytes(chainID: chainID, height: height, round: round, polRound: polRound, blockID: blockID)
        let sig = try sign(height: height, round: round, step: .proposal, bytes: bytes)
        return Proposal(height: height, round: round, polRound: polRound, blockID: blockID, proposer: address, signature: sig)
    }

    public func signVote(type: VoteType, height: UInt64, round: UInt32, blockID: Hash256?) throws(NodeError) -> Vote {
        let bytes = Vote.signBytes(chainID: chainID, type: type, height: height, round: round, blockID: blockID)
        let sig = try sign(height: height, round: round, step: SignStep(type), bytes: bytes)
        return Vote(type: type, height: height, round: round, blockID: blockID, validator: address, signature: sig)
    }

    /// `signProposal` on the validator's own queue (it writes and fsyncs the sign state).
    public func signProposalOffPool(height: UInt64, round: UInt32, polRound: UInt32?, blockID: Hash256) async throws -> Proposal {
        try await offPool { try $0.signProposal(height: height, round: round, polRound: polRound, blockID: blockID) }
    }

    /// `signVote` on the validator's own queue (it writes and fsyncs the sign state).
    public func signVoteOffPool(type: VoteType, height: UInt64, round: UInt32, blockID: Hash256?) async throws -> Vote {
        try await offPool { try $0.signVote(type: type, height: height, round: round, blockID: blockID) }
    }

    private func offPool<T: Sendable>(_ body: @escaping @Sendable (PrivValidator) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            queue.async { cont.resume(with: Result { try body(self) }) }
        }
    }

    func sign(height: UInt64, round: UInt32, step: SignStep, bytes: [UInt8]) throws(NodeError) -> Signature {
        do throws(SignRefusal) { return try guardState.sign(height: height, round: round, step: step, signBytes: bytes) } catch {
            throw NodeError(.keys, "refusing to sign: \(error)")
        }
    }
}
