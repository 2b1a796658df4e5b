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
/// start over a damaged tail and never needs a manual repair. Every call blocks on disk I/O: call
/// it off Swift's cooperative pool.
public final class ConsensusWAL: Sendable {
    public let path: String
    /// Past this size the log is rewritten to its last marker at the next `endHeight`.
    public let rotateBytes: Int
    private let state: Mutex<State>

    private struct State {
        var fd: Int32
        var size: Int
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
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw NodeError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
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
            do throws(NodeError) {
                try Self.writeAll(s.fd, frame, path)
            } catch {
                // Never leave a partial frame in the middle of the log: later records would sit
                // behind a torn one and be cut at the next recovery.
                _ = ftruncate(s.fd, off_t(s.size))
                throw error
            }
            s.size += frame.count
            if sync, !FileIO.fullSync(s.fd) { throw NodeError(.io, "cannot sync \(path): \(String(cString: strerror(errno)))") }
        }
    }

    /// Marks height `h` committed (synced). When the log has grown past `rotateBytes`, it is
    /// replaced atomically by a log holding only this marker.
    public func endHeight(_ h: UInt64) throws(NodeError) {
        let marker = WALFraming.frame(.endHeight(h))
        try state.withLock { (s: inout State) throws(NodeError) in
            do throws(NodeError) {
                try Self.writeAll(s.fd, marker, path)
            } catch {
                _ = ftruncate(s.fd, off_t(s.size))
                throw error
            }
            s.size += marker.count
            guard FileIO.fullSync(s.fd) else { throw NodeError(.io, "cannot sync \(path): \(String(cString: strerror(errno)))") }
            guard s.size > rotateBytes else { return }
            try FileIO.writeAtomically(marker, to: path, mode: 0o600)
            let fd = Foundation.open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw NodeError(.io, "cannot reopen \(path): \(String(cString: strerror(errno)))") }
            close(s.fd)
            s.fd = fd
            s.size = marker.count
        }
    }

    /// The log's size in bytes.
    public var size: Int { state.withLock { $0.size } }

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
