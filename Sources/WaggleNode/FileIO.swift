import Foundation

/// File operations that either complete or leave the old file in place: write to a temporary
/// file in the same directory, fsync it, rename over the target, fsync the directory.
public enum FileIO {
    public static func read(_ path: String) throws(NodeError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw NodeError(.io, "cannot read \(path)") }
            throw NodeError(.io, "\(path) does not exist")
        }
        return Array(data)
    }

    public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Atomically replaces `path` with `bytes`, created with the given permissions. With
    /// `noReplace`, fails instead when `path` already exists (checked by the kernel at the moment
    /// of linking, so two writers cannot both succeed).
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644, noReplace: Bool = false) throws(NodeError) {
        let dir = (path as NSString).deletingLastPathComponent
        var suffix: UInt64 = 0
        arc4random_buf(&suffix, MemoryLayout<UInt64>.size)
        let tmp = "\(path).tmp-\(getpid())-\(String(suffix, radix: 16))"
        // O_EXCL | O_NOFOLLOW: never write through a file or link someone placed at this name.
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw NodeError(.io, "cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = fchmod(fd, mode) == 0
        var offset = 0
        while ok, offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { ok = false } else { offset += n }
        }
        ok = ok && fullSync(fd)
        let closeOK = close(fd) == 0
        guard ok, closeOK else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw NodeError(.io, "cannot write \(path): \(why)")
        }
        if noReplace {
            // link(2) fails with EEXIST when the target exists; the temporary name goes either way.
            let linked = link(tmp, path) == 0
            let why = String(cString: strerror(errno))
            unlink(tmp)
            guard linked else {
                throw NodeError(.io, errno == EEXIST ? "\(path) already exists" : "cannot write \(path): \(why)")
            }
        } else {
            guard rename(tmp, path) == 0 else {
                let why = String(cString: strerror(errno))
                unlink(tmp)
                throw NodeError(.io, "cannot write \(path): \(why)")
            }
        }
        // The new directory entry is durable only once the directory itself is synced.
        let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_CLOEXEC)
        guard dfd >= 0 else { throw NodeError(.io, "cannot open \(dir) to sync it: \(String(cString: strerror(errno)))") }
        let synced = fullSync(dfd)
        close(dfd)
        guard synced else { throw NodeError(.io, "cannot sync \(dir): \(String(cString: strerror(errno)))") }
    }

    /// fsync, or on Darwin F_FULLFSYNC (plain fsync there does not flush the drive's cache).
    static func fullSync(_ fd: Int32) -> Bool {
        #if canImport(Darwin)
        if fcntl(fd, F_FULLFSYNC) == 0 { return true }
        #endif
        return fsync(fd) == 0
    }

    public static func makeDirectory(_ path: String, mode: Int = 0o755) throws(NodeError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        } catch {
            throw NodeError(.io, "cannot create directory \(path): \(error.localizedDescription)")
        }
    }

    /// The permission bits of the file `path` names, following symbolic links (a key file
    /// mounted as a link is judged by its target).
    public static func permissions(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_mode & 0o7777)
    }

    /// Whether `path` is a symbolic link whose target does not exist.
    public static func isDanglingLink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK && stat(path, &st) != 0
    }
}
