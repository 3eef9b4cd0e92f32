import Foundation

/// Atomic file replacement: write to a temporary file in the same directory, flush it, then rename over
/// the destination. A run killed at any moment leaves either the old file or the new one, never half of one.
public enum AtomicFile {
    /// Replaces `url` with what `fill` writes into a temporary path beside it: the temporary file is
    /// flushed to disk and renamed over `url`; on any error it is removed and the destination is untouched.
    /// Every writer of the toolkit (plain bytes, `.npz`, gzip) goes through here.
    public static func replace(_ url: URL, fill: (URL) throws -> Void) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString)")
        do {
            try fill(tmp)
            let handle = try FileHandle(forUpdating: tmp)
            defer { try? handle.close() }
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw FormatError.unreadable(path: url.path, reason: "rename failed: \(reason)")
        }
    }

    public static func write(_ data: Data, to url: URL) throws {
        try replace(url) { tmp in
            guard FileManager.default.createFile(atPath: tmp.path, contents: data) else {
                throw FormatError.unreadable(path: tmp.path, reason: "cannot create temporary file")
            }
        }
    }

    /// Writes a UTF-8 string atomically.
    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }
}
