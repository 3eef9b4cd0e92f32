import Formats
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What stops a run directory from being used, naming the directory and, for a lock, its holder.
public enum RunDirectoryError: Error, Equatable, CustomStringConvertible {
    /// Another process holds the directory's lock (`holder`: pid, host, start time, command).
    case locked(path: String, holder: String)
    /// The directory holds a run and `--force` was not given.
    case holdsRun(path: String, file: String)
    /// The path cannot be a run directory (empty, or the root).
    case invalidPath(path: String, reason: String)

    public var description: String {
        switch self {
        case .locked(let p, let h):
            "run directory \(p) is in use by another run (\(h)); wait for it to finish, or choose another --out"
        case .holdsRun(let p, let f):
            "run directory \(p): it already holds a run (\(f)); choose another --out, --resume it, or pass --force to replace it"
        case .invalidPath(let p, let r):
            "run directory '\(p)': \(r)"
        }
    }
}

/// A run directory held by this process: locked, cleaned of what killed runs left behind, and, when a
/// new run replaces an old one (`--force`), staged beside it.
///
/// - **Lock.** `.<name>.lock` beside the directory holds an exclusive `flock` for as long as the run
///   lives, with the holder's pid, host, start time and command written in it. The kernel releases a
///   `flock` when its process dies, so a lock file left by a killed run is stale by construction: it is
///   taken over (with a note naming the dead holder), never waited on.
/// - **Replacing a run.** With `overwrite` and an existing run, the new run is written into
///   `.<name>.new-<pid>-<id>` beside the old one, and `commit()` swaps it in only once the new run has
///   its first outputs (its first checkpoint, or its end). Until then the old run is untouched: a
///   `--force --init D/params.npz` reads the old parameters, and a new run that fails (a bad data set,
///   a divergence, a kill) leaves the old run as it was. A failed staged run is kept as `<name>.failed`
///   for inspection (`abandon()`). The swap is two renames; a kill between them is repaired by the next
///   start (the old directory is put back).
/// - **Clean-up.** Under the lock, every `.*.tmp-*` file that an atomic write of a killed process left in
///   the directory (and in `figures/`), and every stale staging directory, is removed.
public final class RunSlot: @unchecked Sendable {
    /// The directory the user named.
    public let target: URL
    /// Where the run's files go now: the staging directory until `commit()`, then `target`.
    public private(set) var directory: RunDirectory
    /// Notes for the user (a stale lock taken over, orphans removed).
    public private(set) var notes: [String] = []
    private var staging: URL?
    private var lockFD: Int32 = -1
    private let lockPath: String

    /// Whether the recorder's `run()` keeps the lock when it returns (the command line sets it, so that
    /// the figures and index.html written after the run are still under the lock, then releases it).
    public var keepsLockAfterRun = false

    /// Whether the run is still being written beside an old run it will replace.
    public var isStaged: Bool { staging != nil }

    private init(target: URL) {
        self.target = target
        directory = RunDirectory(target)
        lockPath = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).lock").path
    }

    deinit { release() }

    /// Takes a directory for a new run. `runFiles` are the names whose presence means "holds a run".
    /// Creates the directory (or the staging directory beside an old run with `overwrite`) only after
    /// the lock is held; call it after everything that can fail without touching the disk has been checked.
    public static func create(_ url: URL, runFiles: [String], overwrite: Bool, command: String) throws -> RunSlot {
        let slot = try RunSlot(locking: url, command: command)
        let fm = FileManager.default
        let existing = runFiles.filter { fm.fileExists(atPath: url.appendingPathComponent($0).path) }
        if let first = existing.first {
            guard overwrite else { throw RunDirectoryError.holdsRun(path: url.path, file: first) }
            let stage = url.deletingLastPathComponent()
                .appendingPathComponent(".\(url.lastPathComponent).new-\(getpid())-\(UUID().uuidString.prefix(8))")
            try FileSystemError.attempt("create the directory", stage.path) { try fm.createDirectory(at: stage, withIntermediateDirectories: false) }
            slot.staging = stage
            slot.directory = RunDirectory(stage)
        } else {
            try FileSystemError.attempt("create the directory", url.path) { try fm.createDirectory(at: url, withIntermediateDirectories: true) }
        }
        return slot
    }

    /// Takes an existing run directory (to resume it).
    public static func reopen(_ url: URL, command: String) throws -> RunSlot {
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir)
        let aside = (try? FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path))?
            .contains { $0.hasPrefix(".\(url.lastPathComponent).old-") } ?? false
        guard (exists && isDir.boolValue) || aside else {
            throw RunDirectoryError.invalidPath(path: url.path, reason: exists ? "not a directory" : "no such run directory")
        }
        return try RunSlot(locking: url, command: command)
    }

    private convenience init(locking url: URL, command: String) throws {
        let path = url.path
        guard !path.isEmpty, url.lastPathComponent != "/", !url.lastPathComponent.isEmpty else {
            throw RunDirectoryError.invalidPath(path: path, reason: "give a directory name")
        }
        self.init(target: url.standardizedFileURL)
        let parent = target.deletingLastPathComponent()
        try FileSystemError.attempt("create the directory", parent.path) {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        }
        try acquire(command: command)
        recover()
    }

    /// flock the lock file; if the file was replaced or removed while we waited for it, try again.
    private func acquire(command: String) throws {
        for _ in 0..<100 {
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileSystemError(operation: "create the lock file", path: lockPath, errno: errno) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let holder = Self.readHolder(fd)
                close(fd)
                throw RunDirectoryError.locked(path: target.path, holder: holder.isEmpty ? "holder unknown" : holder)
            }
            var a = stat(), b = stat()
            guard fstat(fd, &a) == 0, stat(lockPath, &b) == 0, a.st_ino == b.st_ino, a.st_dev == b.st_dev else {
                close(fd)
                continue
            }
            let previous = Self.readHolder(fd)
            if !previous.isEmpty { notes.append("took over the stale lock of \(target.path) (\(previous)): that process no longer runs") }
            let host = ProcessInfo.processInfo.hostName
            let started = ISO8601DateFormatter().string(from: Date())
            let text = "pid \(getpid()) on \(host), started \(started) (\(command))\n"
            _ = ftruncate(fd, 0)
            _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
            lockFD = fd
            return
        }
        throw RunDirectoryError.locked(path: target.path, holder: "the lock file keeps changing")
    }

    private static func readHolder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = pread(fd, &buffer, 512, 0)
        guard n > 0 else { return "" }
        return String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Under the lock: repairs an interrupted swap, removes stale staging directories and orphan temporary files.
    private func recover() {
        let fm = FileManager.default
        let parent = target.deletingLastPathComponent(), name = target.lastPathComponent
        let siblings = (try? fm.contentsOfDirectory(atPath: parent.path)) ?? []
        for s in siblings where s.hasPrefix(".\(name).old-") {
            let old = parent.appendingPathComponent(s)
            if !fm.fileExists(atPath: target.path), (try? fm.moveItem(at: old, to: target)) != nil {
                notes.append("restored \(target.path) from an interrupted replacement")
            } else {
                try? fm.removeItem(at: old)
            }
        }
        for s in siblings where s.hasPrefix(".\(name).new-") {
            try? fm.removeItem(at: parent.appendingPathComponent(s))
            notes.append("removed \(s), the unfinished replacement run of a killed process")
        }
        var removed = 0
        for dir in [target, target.appendingPathComponent("figures")] {
            for f in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where f.hasPrefix(".") && f.contains(".tmp-") {
                if (try? fm.removeItem(at: dir.appendingPathComponent(f))) != nil { removed += 1 }
            }
        }
        if removed > 0 { notes.append("removed \(removed) temporary file(s) left in \(target.path) by a killed run") }
    }

    /// Swaps a staged run in for the old one (no-op when not staged): the old directory is renamed aside,
    /// the staging directory renamed to `target`, then the old one removed.
    public func commit() throws {
        guard let stage = staging else { return }
        let fm = FileManager.default
        let aside = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).old-\(getpid())")
        if fm.fileExists(atPath: target.path) {
            guard rename(target.path, aside.path) == 0 else { throw FileSystemError(operation: "move the old run aside", path: target.path, errno: errno) }
        }
        guard rename(stage.path, target.path) == 0 else {
            let e = errno
            _ = rename(aside.path, target.path)
            throw FileSystemError(operation: "move the new run into place", path: target.path, errno: e)
        }
        staging = nil
        directory = RunDirectory(target)
        try? fm.removeItem(at: aside)
    }

    /// After a failure before `commit()`: keeps the old run, moves the failed staged run to `<target>.failed`
    /// (replacing an earlier one) and returns where it is; nil when the run was not staged.
    @discardableResult
    public func abandon() -> URL? {
        guard let stage = staging else { return nil }
        let fm = FileManager.default
        let failed = URL(fileURLWithPath: target.path + ".failed")
        try? fm.removeItem(at: failed)
        staging = nil
        if (try? fm.moveItem(at: stage, to: failed)) != nil {
            directory = RunDirectory(failed)
            return failed
        }
        try? fm.removeItem(at: stage)
        directory = RunDirectory(target)
        return nil
    }

    /// Releases the lock at the end of a recorder's `run()`, unless `keepsLockAfterRun`.
    public func runEnded() { if !keepsLockAfterRun { release() } }

    /// Releases the lock (also done at deinit and, by the kernel, when the process ends).
    public func release() {
        guard lockFD >= 0 else { return }
        unlink(lockPath)
        close(lockFD)
        lockFD = -1
    }
}
