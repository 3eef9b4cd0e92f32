import Foundation

/// LeCun's IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed (detected from the content, not
/// the name).
///
/// Layout: magic `00 00 tt nn` (tt the element type, nn the number of dimensions), nn big-endian u32
/// dimensions, then the elements in C order. Images are `0x00000803` (uint8, N × rows × cols), labels
/// `0x00000801` (uint8, N). Only unsigned-byte data (tt = 0x08) is read; other element types throw
/// `unsupportedDType`. The dimensions are checked (overflow, `NPYHeader.maximumBytes`, and against
/// the file size for raw files) before reading; a gzip file is inflated in 1 MiB steps, so a lying
/// header costs no more memory than the data that is really there.
public enum IDX {
    /// Reads an IDX file into a uint8 `NDArray` of the file's shape.
    public static func read(_ url: URL) throws -> NDArray {
        let path = url.path
        let reader = try GzipReader(url)
        let magic = try reader.read(exactly: 4, offset: 0)
        guard magic[0] == 0, magic[1] == 0, magic[3] >= 1 else { throw FormatError.badMagic(path: path, format: "IDX") }
        guard magic[2] == 0x08 else {
            let names: [UInt8: String] = [0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"]
            throw FormatError.unsupportedDType(path: path, dtype: "IDX type 0x\(String(magic[2], radix: 16)) (\(names[magic[2]] ?? "unknown")); only 0x08 (uint8) is read")
        }
        let rank = Int(magic[3])
        let dimBytes = try reader.read(exactly: 4 * rank, offset: 4)
        let shape = (0..<rank).map { k in
            (0..<4).reduce(0) { $0 << 8 | Int(dimBytes[4 * k + $1]) }
        }
        let headerBytes = 4 + 4 * rank
        let count = try checkedByteCount(shape: shape, elementSize: 1, path: path, limit: NPYHeader.maximumBytes)
        if reader.isPlain {
            let size = try NPYRowReader.fileSize(url)
            guard size >= headerBytes + count else {
                throw FormatError.truncated(path: path, expectedBytes: headerBytes + count, foundBytes: size)
            }
        }
        let data = try reader.read(exactly: count, offset: headerBytes)
        guard try !reader.hasMore() else {
            throw FormatError.invalidContent(path: path, reason: "data continues after the \(shape.map(String.init).joined(separator: "×")) elements the header announces")
        }
        return NDArray(shape: shape, data: .uint8(data))
    }

    /// Writes a uint8 array as an IDX file (gzip-compressed if `compressed`), atomically.
    public static func write(_ a: NDArray, to url: URL, compressed: Bool) throws {
        guard case .uint8(let elements) = a.data else {
            throw FormatError.unsupportedDType(path: url.path, dtype: a.dtype.rawValue)
        }
        guard (1...255).contains(a.shape.count), a.shape.allSatisfy({ $0 <= Int(UInt32.max) }) else {
            throw FormatError.shape(name: url.path, found: a.shape, expected: "1 to 255 dimensions below 2^32")
        }
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(a.shape.count)]
        for d in a.shape { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        bytes += elements
        try GzipWriter.write(bytes, to: url, compressed: compressed)
    }
}
