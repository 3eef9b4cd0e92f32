import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Atomic file replacement: write to a temporary file in the same directory, flush it, then rename over
/// the destination. A run killed at any moment leaves either the old file or the new one, never half of one.
/// The temporary files are named `.<name>.tmp-<pid>-<uuid>`; `RunSlot` removes those a killed run left.
///
/// Every failure is a `FileSystemError` naming the destination and the cause ("no space left on
/// device", "permission denied", "is a directory", …), whatever library did the writing.
public enum AtomicFile {
    /// Replaces `url` with what `fill` writes into a temporary path beside it: the temporary file is
    /// flushed to disk and renamed over `url`; on any error it is removed and the destination is untouched.
    /// Every writer of the toolkit (plain bytes, `.npz`, gzip) goes through here.
    public static func replace(_ url: URL, fill: (URL) throws -> Void) throws {
        let dir = url.deletingLastPathComponent()
        try FileSystemError.attempt("create the directory", dir.path) {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
            throw FileSystemError(operation: "write", path: url.path, errno: EISDIR)
        }
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString)")
        do {
            try FileSystemError.attempt("write", url.path) {
                try fill(tmp)
                let fd = open(tmp.path, O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else { throw FileSystemError(operation: "write", path: url.path, errno: errno) }
                defer { close(fd) }
                guard fsync(fd) == 0 else { throw FileSystemError(operation: "write", path: url.path, errno: errno) }
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        guard rename(tmp.path, url.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: tmp)
            throw FileSystemError(operation: "write", path: url.path, errno: code)
        }
    }

    /// Writes `data` atomically (POSIX writes, so that the cause of a failure is the system's own).
    public static func write(_ data: Data, to url: URL) throws {
        try replace(url) { tmp in
            let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileSystemError(operation: "write", path: url.path, errno: errno) }
            defer { close(fd) }
            try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw FileSystemError(operation: "write", path: url.path, errno: errno)
                    }
                    offset += n
                }
            }
        }
    }

    /// Writes a UTF-8 string atomically.
    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }
}
