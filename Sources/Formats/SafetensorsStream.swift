import Foundation
import Linalg

/// One tensor of a `.safetensors` file, as its header describes it (no data read).
public struct SafetensorsEntry: Sendable, Equatable {
    public var name: String
    /// The safetensors dtype name: F16, BF16, F32, F64, I32, I64, U8.
    public var dtype: String
    public var shape: [Int]
    /// Byte range of the data within the file (absolute offsets).
    public var fileRange: Range<Int>

    /// Bytes per element.
    public var elementSize: Int { ["F16": 2, "BF16": 2, "F32": 4, "F64": 8, "I32": 4, "I64": 8, "U8": 1][dtype]! }
    /// Whether the elements are floating point (F16, BF16, F32, F64).
    public var isFloatingPoint: Bool { dtype.hasPrefix("F") || dtype == "BF16" }
}

/// Streaming access to `.safetensors` files: the header alone, one tensor whole, or one 2-D tensor in
/// batches of rows, so that memory does not grow with N (features are never read all at once).
/// float16 (F16) and bfloat16 (BF16) tensors are widened to the requested Float or Double.
extension Safetensors {
    /// The header's tensors in data order. Validated as in `decode` (header length against the file size
    /// and the 100 MB cap, offsets within the file, sizes equal to Π shape · element size, no overlap),
    /// reading only the header bytes.
    public static func entries(in url: URL) throws -> [SafetensorsEntry] {
        let path = url.path
        let size = try NPYRowReader.fileSize(url)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FormatError.unreadable(path: path, reason: "cannot open") }
        defer { try? handle.close() }
        let prefix = try handle.read(upToCount: 8) ?? Data()
        guard prefix.count == 8 else { throw FormatError.truncated(path: path, expectedBytes: 8, foundBytes: prefix.count) }
        let declared = prefix.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        guard declared <= UInt64(maximumHeaderBytes) else {
            throw FormatError.tooLarge(path: path, elements: Int(clamping: declared), limit: maximumHeaderBytes)
        }
        let headerLength = Int(declared)
        guard size >= 8 + headerLength else { throw FormatError.truncated(path: path, expectedBytes: 8 + headerLength, foundBytes: size) }
        let json = try handle.read(upToCount: headerLength) ?? Data()
        guard json.count == headerLength else { throw FormatError.truncated(path: path, expectedBytes: 8 + headerLength, foundBytes: 8 + json.count) }
        let start = 8 + headerLength
        var out: [SafetensorsEntry] = []
        for (name, info) in try parseHeader(json, path: path) {
            guard ["F16", "BF16", "F32", "F64", "I32", "I64", "U8"].contains(info.dtype) else {
                throw FormatError.unsupportedDType(path: path, dtype: "\(info.dtype) (tensor '\(name)')")
            }
            guard info.shape.allSatisfy({ $0 >= 0 }), info.data_offsets.count == 2,
                  0 <= info.data_offsets[0], info.data_offsets[0] <= info.data_offsets[1] else {
                throw FormatError.badHeader(path: path, reason: "tensor '\(name)': bad shape \(info.shape) or data_offsets \(info.data_offsets)")
            }
            let (begin, end) = (info.data_offsets[0], info.data_offsets[1])
            guard start + end <= size else { throw FormatError.truncated(path: path, expectedBytes: start + end, foundBytes: size) }
            let e = SafetensorsEntry(name: name, dtype: info.dtype, shape: info.shape, fileRange: (start + begin)..<(start + end))
            let bytes = try checkedByteCount(shape: info.shape, elementSize: e.elementSize, path: path, limit: NPYHeader.maximumBytes)
            guard bytes == end - begin else {
                throw FormatError.badHeader(path: path, reason: "tensor '\(name)': shape \(info.shape) of \(info.dtype) needs \(bytes) bytes, data_offsets span \(end - begin)")
            }
            out.append(e)
        }
        out.sort { ($0.fileRange.lowerBound, $0.name) < ($1.fileRange.lowerBound, $1.name) }
        var previousEnd = 0
        for e in out {
            guard e.fileRange.lowerBound >= previousEnd else {
                throw FormatError.badHeader(path: path, reason: "tensor '\(e.name)' overlaps the tensor before it in the buffer")
            }
            previousEnd = e.fileRange.upperBound
        }
        return out
    }

    /// One tensor, read whole (for labels, weights, biases: small arrays). F16/BF16 become float32.
    public static func tensor(_ name: String, in url: URL) throws -> NDArray {
        let all = try entries(in: url)
        guard let e = all.first(where: { $0.name == name }) else {
            throw FormatError.missingMember(path: url.path, name: name, available: all.map(\.name))
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw FormatError.unreadable(path: url.path, reason: "cannot open") }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(e.fileRange.lowerBound))
        let data = try handle.read(upToCount: e.fileRange.count) ?? Data()
        guard data.count == e.fileRange.count else {
            throw FormatError.truncated(path: url.path, expectedBytes: e.fileRange.upperBound, foundBytes: e.fileRange.lowerBound + data.count)
        }
        let count = e.fileRange.count / e.elementSize
        return data.withUnsafeBytes { raw -> NDArray in
            switch e.dtype {
            case "F16", "BF16":
                var v = [Float](repeating: 0, count: count)
                for i in 0..<count { v[i] = widenHalf(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian, brain: e.dtype == "BF16") }
                return NDArray(shape: e.shape, data: .float32(v))
            default:
                let dtype: DType = ["F32": .float32, "F64": .float64, "I32": .int32, "I64": .int64, "U8": .uint8][e.dtype]!
                return NDArray(shape: e.shape, data: ArrayData.decode(raw, dtype: dtype, count: count))
            }
        }
    }

    /// IEEE binary16 (`brain == false`) or bfloat16 bits as a Float (both widen exactly).
    @inline(__always) static func widenHalf(_ bits: UInt16, brain: Bool) -> Float {
        if brain { return Float(bitPattern: UInt32(bits) << 16) }
        return Float(Float16(bitPattern: bits))
    }
}

/// Streams the rows of a 1-D or 2-D floating-point tensor of a `.safetensors` file (N × d, C order):
/// the file is read through a handle in chunks of at most 1 MiB, and memory is one batch
/// (`maxRows × d` of `T`) plus that buffer, whatever N is. F16 and BF16 are widened exactly.
public struct SafetensorsRowReader: RowBatchSource, Sendable {
    public let url: URL
    public let entry: SafetensorsEntry
    public let rows: Int
    public let cols: Int

    /// The reader of tensor `name`; throws `missingMember`, or `shape` unless it is 1-D or 2-D floating point.
    public init(url: URL, tensor name: String) throws {
        let all = try Safetensors.entries(in: url)
        guard let e = all.first(where: { $0.name == name }) else {
            throw FormatError.missingMember(path: url.path, name: name, available: all.map(\.name))
        }
        try self.init(url: url, entry: e)
    }

    /// The reader of an entry returned by `Safetensors.entries(in:)` for the same file.
    public init(url: URL, entry e: SafetensorsEntry) throws {
        guard e.isFloatingPoint, e.shape.count == 1 || e.shape.count == 2 else {
            throw FormatError.shape(name: "\(url.path): \(e.name)", found: e.shape, expected: "a 1-D or 2-D floating-point (N × d) tensor")
        }
        self.url = url
        entry = e
        rows = e.shape[0]
        cols = e.shape.count == 2 ? e.shape[1] : 1
    }

    public func forEachBatch<T: BLASScalar>(
        maxRows: Int, as type: T.Type = T.self, _ body: (_ batch: Matrix<T>, _ firstRow: Int) throws -> Void
    ) throws {
        precondition(maxRows > 0, "maxRows must be positive")
        guard rows > 0, cols > 0 else { return }
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw FormatError.unreadable(path: url.path, reason: "cannot open") }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(entry.fileRange.lowerBound))
        let size = entry.elementSize, rowBytes = cols * size
        let batchRows = Swift.min(maxRows, rows)
        var batch = Matrix<T>(rows: batchRows, cols: cols)
        var pending = Data()  // bytes of an incomplete row carried between chunks
        var remaining = entry.fileRange.count
        var filled = 0, firstRow = 0
        let dtype = entry.dtype
        while remaining > 0 {
            let want = Swift.min(remaining, Swift.max(1 << 20, rowBytes))
            guard let chunk = try handle.read(upToCount: want), !chunk.isEmpty else {
                throw FormatError.truncated(path: url.path, expectedBytes: entry.fileRange.upperBound,
                                            foundBytes: entry.fileRange.upperBound - remaining)
            }
            remaining -= chunk.count
            pending.append(chunk)
            let whole = pending.count / rowBytes
            var used = 0
            try pending.withUnsafeBytes { raw in
                for r in 0..<whole {
                    let base = r * rowBytes
                    batch.withUnsafeMutableBufferPointer { out in
                        let o = filled * cols
                        switch dtype {
                        case "F32": for j in 0..<cols { out[o + j] = T(Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: base + 4 * j, as: UInt32.self).littleEndian))) }
                        case "F64": for j in 0..<cols { out[o + j] = T(Double(bitPattern: raw.loadUnaligned(fromByteOffset: base + 8 * j, as: UInt64.self).littleEndian)) }
                        default:
                            let brain = dtype == "BF16"
                            for j in 0..<cols { out[o + j] = T(Double(Safetensors.widenHalf(raw.loadUnaligned(fromByteOffset: base + 2 * j, as: UInt16.self).littleEndian, brain: brain))) }
                        }
                    }
                    filled += 1
                    used += rowBytes
                    if filled == batchRows || firstRow + filled == rows {
                        if filled < batch.rows { batch = batch.rows(0..<filled) }
                        try body(batch, firstRow)
                        firstRow += filled
                        filled = 0
                    }
                }
            }
            pending.removeSubrange(0..<used)
        }
    }
}
