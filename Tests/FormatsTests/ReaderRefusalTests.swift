import Foundation
import Testing
@testable import Formats

/// Inputs that used to be read with data silently lost or differing from NumPy's reading: each is now
/// refused with a message naming the file and the problem.
@Suite("Readers refuse what they would misread")
struct ReaderRefusalTests {
    func reason(_ body: () throws -> Void) -> String {
        do { try body(); return "accepted" } catch let e as FormatError { return e.description } catch { return "\(error)" }
    }

    @Test("npz: directory and symbolic-link members, duplicate and clashing names (made by make_fixtures.py)", arguments: [
        ("bad_directory_member.npz", "member 'W2.npy/' is a directory"),
        ("bad_symlink_member.npz", "member 'W2.npy' is a symbolic link"),
        ("bad_duplicate_member.npz", "member 'W.npy' occurs twice"),
        ("bad_name_clash.npz", "members 'W.npy' and 'W' both name the array 'W'"),
    ])
    func npzMembers(file: String, message: String) throws {
        let url = try fixture(file)
        for read in [{ _ = try NPZ.read(url) }, { _ = try NPZ.names(in: url) }, { _ = try NPZ.member("W1", in: url) },
                     { _ = try NPYRowReader(npz: url, member: "W1") }] as [() throws -> Void] {
            let r = reason(read)
            #expect(r.contains(message) && r.hasPrefix(url.path), "\(r)")
        }
    }

    /// A gzip file cut anywhere (inside the deflate stream, or in the 8-byte CRC/length trailer) is
    /// refused like Python's gzip does, even when the cut falls on a CSV line end. A corrupted CRC is
    /// refused too.
    @Test("gzip: truncation at every length and a bad CRC")
    func gzipTruncation() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let row = { (label: Int) in ([String](repeating: "7", count: 784) + [String(label)]).joined(separator: ",") + "\n" }
        let text = Array((0..<6).map(row).joined().utf8)
        let whole = dir.appendingPathComponent("whole.csv.gz")
        try GzipWriter.write(text, to: whole, compressed: true)
        #expect(try MNIST5k.read(whole).count == 6)
        let bytes = try [UInt8](Data(contentsOf: whole))
        let cut = dir.appendingPathComponent("cut.csv.gz")
        for n in [11, 12, bytes.count / 2, bytes.count - 9, bytes.count - 8, bytes.count - 4, bytes.count - 1] {
            try Data(bytes[0..<n]).write(to: cut)
            let r = reason { _ = try MNIST5k.read(cut) }
            #expect(r.contains("truncated gzip file") && r.hasPrefix(cut.path), "cut at \(n) of \(bytes.count): \(r)")
            #expect(r.components(separatedBy: cut.path).count == 2, "the path once: \(r)")
        }
        var badCRC = bytes
        badCRC[bytes.count - 6] ^= 0xFF
        try Data(badCRC).write(to: cut)
        let r = reason { _ = try MNIST5k.read(cut) }
        #expect(r.contains("corrupt gzip data") && r.contains("incorrect data check"), "\(r)")
    }

    @Test("CIFAR-10 and IDX: a gzip batch cut on a record boundary, a gzip IDX without its trailer")
    func truncatedBatches() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let records = (0..<5).flatMap { r in [UInt8(r)] + [UInt8](repeating: UInt8(r), count: 3072) }
        let gz = dir.appendingPathComponent("data_batch_1.bin.gz")
        try GzipWriter.write(records, to: gz, compressed: true)
        #expect(try CIFAR10.readBatch(gz).labels == [0, 1, 2, 3, 4])
        let bytes = try [UInt8](Data(contentsOf: gz))
        try Data(bytes.dropLast(8)).write(to: gz)
        #expect(reason { _ = try CIFAR10.readBatch(gz) }.contains("truncated gzip file"))

        let idx = dir.appendingPathComponent("labels.idx1-ubyte.gz")
        try IDX.write(NDArray(shape: [4], data: .uint8([1, 2, 3, 4])), to: idx, compressed: true)
        #expect(try IDX.read(idx).shape == [4])
        let idxBytes = try [UInt8](Data(contentsOf: idx))
        try Data(idxBytes.dropLast(3)).write(to: idx)
        #expect(reason { _ = try IDX.read(idx) }.contains("truncated gzip file"))
        let raw = dir.appendingPathComponent("labels.idx1-ubyte")
        try IDX.write(NDArray(shape: [4], data: .uint8([1, 2, 3, 4])), to: raw, compressed: false)
        let rawBytes = try [UInt8](Data(contentsOf: raw))
        try Data(rawBytes.dropLast()).write(to: raw)
        #expect(reason { _ = try IDX.read(raw) }.contains("truncated"))
    }
}
