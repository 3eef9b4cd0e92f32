import CGzip
import Foundation

/// Sequential reads through zlib's gzip layer: a `.gz` file is inflated as it is read (concatenated
/// gzip members included), any other file is passed through unchanged (zlib's transparent mode).
/// Memory is zlib's buffers only; callers decide how much to read.
final class GzipReader {
    let path: String
    private let file: gzFile
    /// Whether the file is plain (not gzip): then its size on disk is the size of its contents.
    let isPlain: Bool

    init(_ url: URL) throws {
        path = url.path
        guard let f = gzopen(url.path, "rb") else {
            throw FormatError.unreadable(path: url.path, reason: readableReason(CocoaError(.fileReadNoSuchFile), url: url))
        }
        file = f
        gzbuffer(f, 1 << 18)
        isPlain = gzdirect(f) != 0
    }

    deinit { gzclose(file) }

    /// Fills `buffer` from the stream; returns the number of bytes read (less than the buffer only at
    /// the end of the data). A corrupt gzip stream throws `invalidContent`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var done = 0
        while done < buffer.count {
            let want = UInt32(min(buffer.count - done, 1 << 30))
            let got = gzread(file, buffer.baseAddress! + done, want)
            if got < 0 {
                var code: Int32 = 0
                let message = zlibMessage(&code) ?? "unknown zlib error"
                throw FormatError.invalidContent(path: path, reason: "corrupt gzip data: \(message)")
            }
            done += Int(got)
            if got < want {
                try checkEnd()
                break
            }
        }
        return done
    }

    /// At the end of the data: a gzip file must end with a complete member (deflate end marker, then the
    /// CRC-32 and length trailer, which zlib checks as it reads them). zlib reports a file that stops
    /// inside a member as Z_BUF_ERROR, not as an error from `gzread`; it is refused here, as Python's
    /// gzip refuses it ("Compressed file ended before the end-of-stream marker was reached").
    private func checkEnd() throws {
        guard !isPlain else { return }
        var code: Int32 = 0
        let message = zlibMessage(&code) ?? "unexpected end of file"
        if code == Z_BUF_ERROR {
            throw FormatError.truncated(gzipPath: path, message: message)
        }
        if code != Z_OK {
            throw FormatError.invalidContent(path: path, reason: "corrupt gzip data: \(message)")
        }
    }

    /// zlib's message for the stream's state (without the path zlib puts in front), nil when empty.
    private func zlibMessage(_ code: inout Int32) -> String? {
        guard let c = gzerror(file, &code) else { return nil }
        var text = String(cString: c)
        if text.hasPrefix(path + ": ") { text.removeFirst(path.count + 2) }
        return text.isEmpty ? nil : text
    }

    /// Exactly `count` bytes, or `FormatError.truncated` (offsets relative to `offset`, the stream
    /// position of the first byte). The array grows in 1 MiB steps as data arrives, so a header that
    /// claims more than the file holds costs no more memory than the file's actual contents.
    func read(exactly count: Int, offset: Int) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(min(count, 1 << 20))
        var chunk = [UInt8](repeating: 0, count: min(count, 1 << 20))
        while out.count < count {
            let want = min(chunk.count, count - out.count)
            let got = try chunk.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            out.append(contentsOf: chunk[0..<got])
            if got < want { throw FormatError.truncated(path: path, expectedBytes: offset + count, foundBytes: offset + out.count) }
        }
        return out
    }

    /// Whether the stream has data left.
    func hasMore() throws -> Bool {
        var byte: UInt8 = 0
        return try withUnsafeMutableBytes(of: &byte) { try read(into: $0) } > 0
    }

    /// The whole remaining stream, refusing to go past `limit` bytes.
    func readAll(limit: Int) throws -> [UInt8] {
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            out.append(contentsOf: chunk[0..<got])
            if out.count > limit { throw FormatError.tooLarge(path: path, elements: out.count, limit: limit) }
            if got < chunk.count { return out }
        }
    }
}

extension FormatError {
    /// A gzip stream that stops before its end-of-stream marker and trailer.
    static func truncated(gzipPath path: String, message: String) -> FormatError {
        .invalidContent(path: path, reason: "truncated gzip file: the compressed data ended before the end-of-stream marker (zlib: \(message)); the file is incomplete, download or copy it again")
    }
}

/// Writes gzip (level 6) or plain files, atomically.
enum GzipWriter {
    static func write(_ bytes: [UInt8], to url: URL, compressed: Bool) throws {
        guard compressed else { return try AtomicFile.write(Data(bytes), to: url) }
        try AtomicFile.replace(url) { tmp in
            guard let f = gzopen(tmp.path, "wb6") else {
                throw FormatError.unreadable(path: tmp.path, reason: "cannot create temporary file")
            }
            var written = 0
            var failed = false
            bytes.withUnsafeBytes { raw in
                while written < raw.count {
                    let n = min(raw.count - written, 1 << 30)
                    let w = gzwrite(f, raw.baseAddress! + written, UInt32(n))
                    if w <= 0 { failed = true; return }
                    written += Int(w)
                }
            }
            if gzclose(f) != Z_OK || failed {
                throw FormatError.unreadable(path: url.path, reason: "gzip write failed")
            }
        }
    }
}
