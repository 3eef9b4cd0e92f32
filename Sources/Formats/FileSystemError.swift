import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file-system failure, naming the path, what was being done and the cause in plain words ("no space
/// left on device", "permission denied", "is a directory", "no such file or directory") instead of a
/// library's error text. Every writer of the toolkit reports through it.
public struct FileSystemError: Error, Equatable, CustomStringConvertible {
    /// What was being done: "write", "read", "create the directory", …
    public var operation: String
    public var path: String
    /// The cause in words.
    public var cause: String

    public init(operation: String, path: String, cause: String) {
        self.operation = operation; self.path = path; self.cause = cause
    }

    /// From a POSIX error number.
    public init(operation: String, path: String, errno code: Int32) {
        self.init(operation: operation, path: path, cause: Self.words(errno: code))
    }

    public var description: String { "\(path): cannot \(operation): \(cause)" }

    /// The cause of `errno` in words.
    public static func words(errno code: Int32) -> String {
        switch code {
        case ENOSPC: "no space left on device"
        case EACCES, EPERM: "permission denied"
        case EISDIR: "is a directory"
        case ENOENT: "no such file or directory"
        case ENOTDIR: "a component of the path is not a directory"
        case EROFS: "read-only file system"
        case EDQUOT: "disk quota exceeded"
        case EEXIST: "already exists"
        default: String(cString: strerror(code))
        }
    }

    /// Runs `body`; any error that is not already one of the toolkit's is turned into a
    /// `FileSystemError` for `path`, with the cause from the error or, failing that, from the disk itself.
    public static func attempt<T>(_ operation: String, _ path: String, writing: Bool = true, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as FileSystemError { throw e } catch {
            throw FileSystemError(operation: operation, path: path, cause: cause(of: error, path: path, writing: writing))
        }
    }

    /// The cause of a Foundation (or other library's) error about `path`, in words.
    public static func cause(of error: Error, path: String, writing: Bool) -> String {
        let ns = error as NSError
        func posix(_ code: Int32) -> String {
            var isDir: ObjCBool = false
            if code == EEXIST, FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue {
                return "a file of that name exists, so it is not a directory"
            }
            return words(errno: code)
        }
        if ns.domain == NSPOSIXErrorDomain { return posix(Int32(ns.code)) }
        if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain { return posix(Int32(u.code)) }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return words(errno: ENOENT)
            case .fileReadNoPermission, .fileWriteNoPermission: return words(errno: EACCES)
            case .fileWriteOutOfSpace: return words(errno: ENOSPC)
            case .fileWriteVolumeReadOnly: return words(errno: EROFS)
            case .fileWriteFileExists: return posix(EEXIST)
            case .fileReadInapplicableStringEncoding, .fileReadCorruptFile: return "the file is not valid UTF-8 text"
            default: break
            }
        }
        if let code = probe(path: path, writing: writing) { return words(errno: code) }
        return "\(error)"
    }

    /// Why writing (or reading) `path` would fail, found by looking: the nearest existing directory, its
    /// permissions, free space and read-only flag. Nil if nothing is visibly wrong.
    public static func probe(path: String, writing: Bool) -> Int32? {
        var isDir: ObjCBool = false
        let fm = FileManager.default
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { return EISDIR }
            if !writing { return access(path, R_OK) == 0 ? nil : EACCES }
        } else if !writing {
            return ENOENT
        }
        var dir = (path as NSString).deletingLastPathComponent
        if dir.isEmpty { dir = "." }
        while !fm.fileExists(atPath: dir, isDirectory: &isDir) {
            let up = (dir as NSString).deletingLastPathComponent
            if up == dir || up.isEmpty { break }
            dir = up
        }
        if fm.fileExists(atPath: dir, isDirectory: &isDir), !isDir.boolValue { return ENOTDIR }
        var vfs = statvfs()
        if statvfs(dir, &vfs) == 0 {
            if vfs.f_flag & UInt(ST_RDONLY) != 0 { return EROFS }
            if vfs.f_bavail == 0 { return ENOSPC }
        }
        if access(dir, W_OK) != 0 { return errno == EROFS ? EROFS : EACCES }
        return nil
    }
}
