import Foundation
import Synchronization
import WaggleConsensus
import WaggleCore

/// The consensus write-ahead log, `data/cs.wal/wal` (CometBFT's path): framed `WALRecord`s
/// (`WALFraming`), appended in order. A message this validator signed is appended with `sync:
/// true` (fsynced) before it leaves the process; inputs from peers and timers may be appended
/// without a sync (a crash that loses them loses nothing signed). `endHeight` marks a committed
/// height: a restart replays only the records after the last marker.
///
/// Opening the log scans it and truncates a torn or corrupt tail (the frames after the first
/// incomplete or invalid one), reporting what it cut so the node logs it; it never refuses to
/// start over a damaged tail and never needs a manual repair. A failed write, truncate, sync or
/// rotation marks the log failed: every later call throws, and the host must stop, as on a failed
/// guard write. Every call blocks on disk I/O: call it off Swift's cooperative pool.
///
/// For the host (the consensus driver): write `endHeight(h)` only after height h is committed to
/// the store, and on open replay only when `lastEndedHeight` is below the store's next height;
/// persist a block it built before answering `proposeValue` (the log holds ids, not blocks); log
/// only inputs the engine accepted, so a flood of refused messages cannot grow the log.
public final class ConsensusWAL: Sendable {
    public let path: String
    /// Past this size the log is rewritten to its last marker at the next `endHeight`.
    public let rotateBytes: Int
    private let state: Mutex<State>

    private struct State {
        var fd: Int32
        var size: Int
        /// Set after a write, truncate, sync or reopen failed: the log may no longer say what was
        /// sent, so every later call fails and the host must stop (as on a failed guard write).
        var failure: String?
    }

    /// What opening found: the records to replay and any tail it cut.
    public struct Recovery: Sendable {
        /// Records after the last `endHeight` marker, in order.
        public var replay: [WALRecord]
        /// The height of the last marker, if any.
        public var lastEndedHeight: UInt64?
        /// Bytes removed from the end of the file, and why (nil when the log was intact).
        public var truncatedBytes: Int
        public var truncationReason: String?
    }

    public static func defaultPath(home: String) -> String { "\(home)/data/cs.wal/wal" }

    /// Opens (creating it and its directory if needed) and recovers the log.
    public static func open(path: String, rotateBytes: Int = 64 << 20) throws(NodeError) -> (ConsensusWAL, Recovery) {
        let dir = (path as NSString).deletingLastPathComponent
        try FileIO.makeDirectory(dir, mode: 0o700)
        let existing: [UInt8] = FileIO.exists(path) ? try FileIO.read(path) : []
        let scan = WALFraming.scan(existing)
        let created = !FileIO.exists(path)
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw NodeError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        if created {
            // The new directory entry is durable only once the directory is synced.
            let dfd = Foundation.open(dir, O_RDONLY | O_CLOEXEC)
            let synced = dfd >= 0 && FileIO.fullSync(dfd)
            if dfd >= 0 { close(dfd) }
            guard synced else {
                close(fd)
                throw NodeError(.io, "cannot sync \(dir): \(String(cString: strerror(errno)))")
            }
        }
        if scan.validLength < existing.count {
            guard ftruncate(fd, off_t(scan.validLength)) == 0, FileIO.fullSync(fd) else {
                let why = String(cString: strerror(errno))
                close(fd)
                throw NodeError(.io, "cannot truncate the torn tail of \(path): \(why)")
            }
        }
        var replay: [WALRecord] = []
        var lastEnded: UInt64?
        for record in scan.records {
            if case .endHeight(let h) = record {
                replay = []
                lastEnded = h
            } else {
                replay.append(record)
            }
        }
        let wal = ConsensusWAL(path: path, rotateBytes: rotateBytes, fd: fd, size: scan.validLength)
        let recovery = Recovery(
            replay: replay, lastEndedHeight: lastEnded, truncatedBytes: existing.count - scan.validLength,
            truncationReason: scan.validLength < existing.count ? scan.problem : nil)
        return (wal, recovery)
    }

    private init(path: String, rotateBytes: Int, fd: Int32, size: Int) {
        self.path = path
        self.rotateBytes = rotateBytes
        self.state = Mutex(State(fd: fd, size: size))
    }

    deinit { state.withLock { _ = close($0.fd) } }

    /// Appends one record; with `sync`, returns only once it is on disk.
    public func append(_ record: WALRecord, sync: Bool) throws(NodeError) {
        let frame = WALFraming.frame(record)
        try state.withLock { (s: inout State) throws(NodeError) in
            try Self.checkUsable(s, path)
            try Self.append(frame, sync: sync, &s, path)
        }
    }

    /// Marks height `h` committed (synced). When the log has grown past `rotateBytes`, it is
    /// replaced atomically by a log holding only this marker.
    public func endHeight(_ h: UInt64) throws(NodeError) {
        let marker = WALFraming.frame(.endHeight(h))
        try state.withLock { (s: inout State) throws(NodeError) in
            try Self.checkUsable(s, path)
            try Self.append(marker, sync: true, &s, path)
            guard s.size > rotateBytes else { return }
            do throws(NodeError) {
                try FileIO.writeAtomically(marker, to: path, mode: 0o600)
            } catch {
                // The old file may or may not have been replaced: nothing later may be appended
                // to a file that is no longer the log.
                s.failure = "rotation failed: \(error)"
                throw error
            }
            let fd = Foundation.open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else {
                s.failure = "cannot reopen \(path) after rotation: \(String(cString: strerror(errno)))"
                throw NodeError(.io, s.failure ?? "")
            }
            close(s.fd)
            s.fd = fd
            s.size = marker.count
        }
    }

    /// The log's size in bytes.
    public var size: Int { state.withLock { $0.size } }

    private static func checkUsable(_ s: State, _ path: String) throws(NodeError) {
        if let failure = s.failure { throw NodeError(.io, "the consensus WAL \(path) failed earlier (\(failure)); restart the node") }
    }

    /// Writes one frame; on any failure the log is marked failed (a partial frame is cut first,
    /// so a torn frame is only ever at the end; after a failed fsync Linux may have dropped the
    /// dirty pages, so nothing later is trusted).
    private static func append(_ frame: [UInt8], sync: Bool, _ s: inout State, _ path: String) throws(NodeError) {
        do throws(NodeError) {
            try writeAll(s.fd, frame, path)
        } catch {
            if ftruncate(s.fd, off_t(s.size)) != 0 { s.failure = "a partial frame could not be cut: \(String(cString: strerror(errno)))" }
            throw error
        }
        s.size += frame.count
        if sync, !FileIO.fullSync(s.fd) {
            s.failure = "fsync failed: \(String(cString: strerror(errno)))"
            throw NodeError(.io, "cannot sync \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(NodeError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw NodeError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }
}
