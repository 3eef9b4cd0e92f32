import CGzip
import Foundation
import ZIPFoundation

/// NumPy `.npz` archives: a ZIP file of `.npy` members (`numpy.savez` stores them, `numpy.savez_compressed`
/// deflates them). Array names are the member names without `.npy`. Members whose names do not end in
/// `.npy` are not arrays and are skipped; directories, symbolic links and names that occur twice are
/// refused (`checkMembers`).
public enum NPZ {
    /// The timestamp every written member carries (1980-01-01, the ZIP epoch), so that the same arrays
    /// always give the same bytes: a run's params.npz is bit-identical for the same config and seed.
    static let memberDate = Date(timeIntervalSince1970: 315_532_800)

    /// Every array in the archive, in archive (central directory) order.
    public static func read(_ url: URL) throws -> [(name: String, array: NDArray)] {
        let archive = try open(url)
        var result: [(name: String, array: NDArray)] = []
        for entry in archive where entry.path.hasSuffix(".npy") {
            let name = String(entry.path.dropLast(4))
            let data = try contents(of: entry, in: archive, url: url)
            result.append((name, try NPY.decode(data, path: memberPath(url, name))))
        }
        return result
    }

    /// The array called `name` (with or without `.npy`); `FormatError.missingMember` lists the names the
    /// archive does have when there is none.
    public static func member(_ name: String, in url: URL) throws -> NDArray {
        let archive = try open(url)
        let entry = try NPZ.entry(name, in: archive, url: url)
        let data = try contents(of: entry, in: archive, url: url)
        return try NPY.decode(data, path: memberPath(url, name))
    }

    /// The array names, in archive order, without reading any array.
    public static func names(in url: URL) throws -> [String] {
        let archive = try open(url)
        return archive.filter { $0.type == .file && $0.path.hasSuffix(".npy") }.map { String($0.path.dropLast(4)) }
    }

    /// Writes the arrays as `<name>.npy` members, in the given order, stored (`numpy.savez`) or
    /// deflated (`numpy.savez_compressed`). Atomic: the archive is built in a temporary file in the
    /// destination directory, flushed, then renamed over `url`. Names must be non-empty and unique.
    /// With `fortranOrder`, members of two or more dimensions are written column-major (as `numpy.savez`
    /// writes a transposed or `numpy.asfortranarray` array).
    public static func write(_ arrays: [(name: String, array: NDArray)], to url: URL, compressed: Bool = false,
                             fortranOrder: Bool = false) throws {
        var seen = Set<String>()
        for (name, _) in arrays {
            guard !name.isEmpty else { throw FormatError.invalidContent(path: url.path, reason: "an array name is empty") }
            guard seen.insert(name).inserted else {
                throw FormatError.invalidContent(path: url.path, reason: "the array name '\(name)' occurs twice")
            }
        }
        try AtomicFile.replace(url) { tmp in
            do {
                let archive = try Archive(url: tmp, accessMode: .create)
                for (name, array) in arrays {
                    let bytes = NPY.encode(array, fortranOrder: fortranOrder)
                    try archive.addEntry(
                        with: name + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                        modificationDate: NPZ.memberDate, compressionMethod: compressed ? .deflate : .none, bufferSize: 1 << 20
                    ) { position, size in
                        bytes.subdata(in: Int(position)..<(Int(position) + size))
                    }
                }
            } catch {  // the archive has closed its file here; name the cause, not the ZIP library's code
                throw FileSystemError(operation: "write", path: url.path, cause: FileSystemError.cause(of: error, path: url.path, writing: true))
            }
        }
    }

    // MARK: - Helpers shared with the row reader

    /// `file.npz[name]`, how errors name an archive member.
    static func memberPath(_ url: URL, _ name: String) -> String { "\(url.path)[\(name)]" }

    /// Opens an archive for reading; a missing file is `unreadable`, a non-ZIP file `badMagic`.
    static func open(_ url: URL) throws -> Archive {
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw FormatError.unreadable(path: url.path, reason: readableReason(CocoaError(.fileReadNoSuchFile), url: url))
        }
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw FormatError.badMagic(path: url.path, format: "npz (ZIP archive)")
        }
        try checkMembers(archive, url: url)
        return archive
    }

    /// Refuses what NumPy would read differently or what would silently drop an array: a member that is
    /// a directory or a symbolic link (NumPy reads every member's bytes; skipping one would lose a layer
    /// without a word), and a name that occurs twice (NumPy's `np.load` takes the last member of that
    /// name, a ZIP reader usually the first, so the two tools would see different arrays).
    static func checkMembers(_ archive: Archive, url: URL) throws {
        var seen = Set<String>()
        for entry in archive {
            switch entry.type {
            case .file: break
            case .directory:
                throw FormatError.invalidContent(path: url.path, reason: "member '\(entry.path)' is a directory; an .npz holds only .npy files")
            case .symlink:
                throw FormatError.invalidContent(path: url.path, reason: "member '\(entry.path)' is a symbolic link; an .npz holds only .npy files")
            }
            guard seen.insert(entry.path).inserted else {
                throw FormatError.invalidContent(path: url.path, reason: "member '\(entry.path)' occurs twice (NumPy would read the last copy, other tools the first); rewrite the archive with unique names")
            }
        }
        // NumPy names both `W` and `W.npy` "W" (and `np.load(...)["W"]` gives the raw member `W`).
        if let clash = seen.sorted().first(where: { $0.hasSuffix(".npy") && seen.contains(String($0.dropLast(4))) }) {
            throw FormatError.invalidContent(path: url.path, reason: "members '\(clash)' and '\(clash.dropLast(4))' both name the array '\(clash.dropLast(4))'")
        }
    }

    /// The member for `name` or `name.npy`.
    static func entry(_ name: String, in archive: Archive, url: URL) throws -> Entry {
        let bare = name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
        if let e = archive[bare + ".npy"] { return e }
        let available = archive.filter { $0.type == .file && $0.path.hasSuffix(".npy") }.map { String($0.path.dropLast(4)) }
        throw FormatError.missingMember(path: url.path, name: bare, available: available)
    }

    /// Streams a member's uncompressed bytes to `consumer` in chunks of at most 1 MiB (stored members are
    /// read from the file, deflated ones inflated as they are read), then checks the CRC-32.
    /// Errors thrown by `consumer` pass through unchanged; ZIP errors become `invalidContent`.
    static func extract(_ entry: Entry, in archive: Archive, url: URL, consumer: (Data) throws -> Void) throws {
        let path = memberPath(url, entry.path)
        var consumerError: Error?
        // ZIPFoundation's CRC-32 on Linux is a Swift table loop; zlib's is several times faster.
        var crc: UInt = 0
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: true) { chunk in
                chunk.withUnsafeBytes { raw in
                    if let base = raw.baseAddress {
                        crc = CGzip.crc32(crc, base.assumingMemoryBound(to: UInt8.self), UInt32(raw.count))
                    }
                }
                do { try consumer(chunk) } catch { consumerError = error; throw error }
            }
        } catch {
            if let e = consumerError { throw e }
            throw FormatError.invalidContent(path: path, reason: "cannot extract the ZIP member: \(error)")
        }
        guard CRC32(crc) == entry.checksum else {
            throw FormatError.invalidContent(path: path, reason: "CRC-32 mismatch (the archive is corrupt)")
        }
    }

    /// A member's uncompressed bytes, read in 1 MiB chunks, CRC-checked.
    static func contents(of entry: Entry, in archive: Archive, url: URL) throws -> Data {
        var data = Data()
        // The size comes from the archive's directory; reserve at most what the archive file could hold
        // uncompressed at a generous ratio, never an unchecked amount.
        let claimed = entry.uncompressedSize
        if claimed <= UInt64(NPYHeader.maximumBytes) && claimed <= max(entry.compressedSize, 1) &* 1100 {
            data.reserveCapacity(Int(claimed))
        }
        try extract(entry, in: archive, url: url) { chunk in data.append(chunk) }
        return data
    }
}
