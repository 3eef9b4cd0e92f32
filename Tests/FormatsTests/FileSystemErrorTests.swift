import Foundation
import Testing
@testable import Formats

/// File-system failures name the path and the cause in words, whatever library did the writing.
@Suite struct FileSystemErrorTests {
    func base() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("fserr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    @Test func writingOverADirectorySaysSo() throws {
        let b = try base(); defer { try? FileManager.default.removeItem(at: b) }
        let target = b.appendingPathComponent("index.html")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        do { try AtomicFile.write("x", to: target); Issue.record("written") } catch let e as FileSystemError {
            #expect(e.path == target.path && e.cause == "is a directory", "\(e)")
        }
        // The .npz writer (ZIPFoundation inside) reports the same way.
        do { try NPZ.write([(name: "a", array: NDArray([1.0]))], to: target); Issue.record("written") } catch let e as FileSystemError {
            #expect(e.description.contains(target.path) && e.cause == "is a directory", "\(e)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: b.path) == ["index.html"])  // no temporary left
    }

    @Test func writingBelowAFileNamesTheCause() throws {
        let b = try base(); defer { try? FileManager.default.removeItem(at: b) }
        let file = b.appendingPathComponent("plain")
        try "x".write(to: file, atomically: false, encoding: .utf8)
        do { try AtomicFile.write("y", to: file.appendingPathComponent("summary.json")); Issue.record("written") } catch {
            #expect("\(error)".contains("not a directory") && "\(error)".contains(file.path), "\(error) \((error as NSError).domain) \((error as NSError).code) \((error as NSError).userInfo)")
            #expect(!"\(error)".contains("NSCocoaErrorDomain"), "\(error)")
        }
    }

    @Test func causesAreWords() {
        #expect(FileSystemError.words(errno: ENOSPC) == "no space left on device")
        #expect(FileSystemError.words(errno: EACCES) == "permission denied")
        #expect(FileSystemError.words(errno: ENOENT) == "no such file or directory")
        #expect(FileSystemError.words(errno: EROFS) == "read-only file system")
        let cocoa = CocoaError(.fileWriteOutOfSpace)
        #expect(FileSystemError.cause(of: cocoa, path: "/nonexistent/x", writing: true) == "no space left on device")
        let readOnly = NSError(domain: NSCocoaErrorDomain, code: 642)
        #expect(FileSystemError.cause(of: readOnly, path: "/tmp/x", writing: true) == "read-only file system")
        #expect(FileSystemError.probe(path: "/nonexistent-\(UUID().uuidString)", writing: false) == ENOENT)
    }
}
