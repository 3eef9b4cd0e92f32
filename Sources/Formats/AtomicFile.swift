import Foundation

/// Atomic file replacement: write to a temporary file in the same directory, flush it, then rename over
/// the destination. A run killed at any moment leaves either the old file or the new one, never half of one.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            throw FormatError.unreadable(path: tmp.path, reason: "cannot create temporary file")
        }
        let handle = try FileHandle(forWritingTo: tmp)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: tmp)
            throw FormatError.unreadable(path: url.path, reason: "rename failed: \(reason)")
        }
    }

    /// Writes a UTF-8 string atomically.
    public static func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }
}
