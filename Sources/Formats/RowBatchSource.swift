import Foundation
import Linalg

/// A 2-D array (samples as ROWS, N × d, NumPy's convention) that can be visited in batches of rows,
/// so that statistics over a feature file need memory for one batch, not for the whole file.
public protocol RowBatchSource {
    /// N, the number of rows (samples).
    var rows: Int { get }
    /// d, the number of columns (features).
    var cols: Int { get }
    /// Calls `body` with consecutive batches of at most `maxRows` rows, converted to `T`, in row order;
    /// `firstRow` is the index of the batch's first row. Every batch but the last has `maxRows` rows.
    /// The batch matrix is reused between calls: copy it if you keep it.
    func forEachBatch<T: BLASScalar>(
        maxRows: Int, as type: T.Type, _ body: (_ batch: Matrix<T>, _ firstRow: Int) throws -> Void) throws
}

/// Streams the rows of a 2-D C-order `.npy` file or `.npz` member.
///
/// What streams: a plain `.npy` file is read through a file handle in chunks; an `.npz` member is read
/// through ZIPFoundation's chunked extraction, stored members straight from the file and deflated ones
/// inflated as they are read. In every case memory is one batch (`maxRows × d` of `T`) plus a read
/// buffer of at most 1 MiB, whatever N is. A 1-D array streams as an N × 1 matrix.
///
/// Fortran-order (column-major) N × d arrays in a plain `.npy` file or a stored (`numpy.savez`) member
/// stream too, by random access: each batch's rows are read column by column (`ColumnMajorRows`), with the
/// same memory bound, and give bit-identical batches. A Fortran-order member of a deflated archive
/// (`numpy.savez_compressed`) cannot be read at an offset: `forEachBatch` reads it whole, after checking
/// that three copies of its data and an N·d Int permutation fit `MemoryBudget` (`readsWhole` says so).
///
/// The header is read and validated when the reader is made (shape, dtype, claimed size against the
/// file or member size). A deflated member whose data turns out shorter than its header, or whose CRC
/// is wrong, is only detected while streaming: `forEachBatch` then throws after the batches it has
/// already delivered.
public struct NPYRowReader: RowBatchSource, Sendable {
    /// The `.npy` or `.npz` file.
    public let url: URL
    /// The `.npz` member (without `.npy`), or nil for a plain `.npy` file.
    public let member: String?
    /// The element type on disk; batches are converted to the requested `T`.
    public let dtype: DType
    public let rows: Int
    public let cols: Int
    /// The header, including the data offset within the file or member.
    public let header: NPYHeader
    /// Where the column-major data lies, for a Fortran-order array read by random access.
    let columnMajor: ColumnMajorLayout?
    /// True for a Fortran-order member of a deflated archive, which `forEachBatch` reads whole.
    public let readsWhole: Bool

    /// Opens a plain `.npy` file.
    public init(url: URL) throws {
        let path = url.path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FormatError.unreadable(path: path, reason: readableReason(CocoaError(.fileReadNoSuchFile), url: url))
        }
        defer { try? handle.close() }
        let fileSize = try Self.fileSize(url)
        // The header is at most a few KiB in practice; read up to 1 MiB, and more only if it says so.
        var prefix = try handle.read(upToCount: 1 << 20) ?? Data()
        var header: NPYHeader
        while true {
            do {
                header = try prefix.withUnsafeBytes { try NPYHeader.parse($0, path: path) }
                break
            } catch FormatError.truncated(_, let expected, let found) where found == prefix.count && expected <= fileSize && expected > found {
                prefix.append(try handle.read(upToCount: expected - found) ?? Data())
                if prefix.count == found { throw FormatError.truncated(path: path, expectedBytes: expected, foundBytes: found) }
            }
        }
        let end = header.dataOffset + header.byteCount
        guard fileSize >= end else { throw FormatError.truncated(path: path, expectedBytes: end, foundBytes: fileSize) }
        try self.init(url: url, member: nil, header: header, path: path,
                      columnMajor: ColumnMajorLayout(dataStart: header.dataOffset, member: nil), readsWhole: false)
    }

    /// Opens the member `member` (with or without `.npy`) of the `.npz` archive at `url`.
    public init(npz url: URL, member: String) throws {
        let archive = try NPZ.open(url)
        let entry = try NPZ.entry(member, in: archive, url: url)
        let bare = member.hasSuffix(".npy") ? String(member.dropLast(4)) : member
        let path = NPZ.memberPath(url, bare)
        var assembler = HeaderAssembler(path: path)
        do {
            try NPZ.extract(entry, in: archive, url: url) { chunk in
                if try assembler.feed(chunk) != nil { throw StopExtraction() }
            }
        } catch is StopExtraction {}
        guard let header = assembler.header else {
            throw FormatError.truncated(path: path, expectedBytes: assembler.buffer.count + 1, foundBytes: assembler.buffer.count)
        }
        let end = header.dataOffset + header.byteCount
        let size = Int(clamping: entry.uncompressedSize)
        guard size >= end else { throw FormatError.truncated(path: path, expectedBytes: end, foundBytes: size) }
        var layout: ColumnMajorLayout?
        let fortran = Self.isColumnMajor(header)
        if fortran && !entry.isCompressed {
            let span = try ZIPStoredMember.locate(name: entry.path, url: url, path: path)
            guard span.size == size else {
                throw FormatError.invalidContent(path: path, reason: "the ZIP directory gives the member \(span.size) bytes, the archive reader \(size)")
            }
            layout = ColumnMajorLayout(dataStart: span.start + header.dataOffset,
                                       member: .init(start: span.start, size: span.size, checksum: entry.checksum))
        }
        try self.init(url: url, member: bare, header: header, path: path, columnMajor: layout,
                      readsWhole: fortran && entry.isCompressed)
    }

    private init(url: URL, member: String?, header: NPYHeader, path: String, columnMajor: ColumnMajorLayout?, readsWhole: Bool) throws {
        switch header.shape.count {
        case 2: (rows, cols) = (header.shape[0], header.shape[1])
        case 1: (rows, cols) = (header.shape[0], 1)
        default: throw FormatError.shape(name: path, found: header.shape, expected: "a 2-D (N × d) array of rows")
        }
        self.url = url
        self.member = member
        self.dtype = header.dtype
        self.header = header
        let fortran = Self.isColumnMajor(header)
        self.columnMajor = fortran ? columnMajor : nil
        self.readsWhole = fortran && readsWhole
    }

    /// Whether the rows are not contiguous on disk: a Fortran-order 2-D array with more than one row and
    /// more than one column (an N × 1 or 1 × d array has the same bytes in both orders and streams as C order).
    static func isColumnMajor(_ header: NPYHeader) -> Bool {
        header.fortranOrder && header.shape.count == 2 && header.shape[0] > 1 && header.shape[1] > 1
    }

    public func forEachBatch<T: BLASScalar>(
        maxRows: Int, as type: T.Type = T.self, _ body: (_ batch: Matrix<T>, _ firstRow: Int) throws -> Void
    ) throws {
        precondition(maxRows > 0, "maxRows must be positive")
        let path = member.map { NPZ.memberPath(url, $0) } ?? url.path
        if let columnMajor {
            let reader = ColumnMajorRows(url: url, path: path, header: header, rows: rows, cols: cols, layout: columnMajor)
            return try reader.forEachBatch(maxRows: maxRows, as: T.self, body)
        }
        if readsWhole, let member {
            // A deflated member cannot be read at an offset: inflate it whole (its bytes, the decoded
            // elements, their C-order copy and the Int permutation that makes it), after checking that
            // this fits the memory budget.
            var need = MemoryEstimate()
            need.add("the Fortran-order deflated member \(member) (\(rows) × \(cols)) read whole, three copies",
                     bytes: 3, header.byteCount)
            need.add("its C-order permutation (\(rows) × \(cols) indices)", bytes: rows, cols, MemoryLayout<Int>.size)
            need.add("one batch", bytes: min(maxRows, rows), cols, MemoryLayout<T>.size)
            try need.check("reading \(path)")
            return try InMemoryRows(NPZ.member(member, in: url), name: path).forEachBatch(maxRows: maxRows, as: T.self, body)
        }
        var sink = RowSink<T>(rows: rows, cols: cols, dtype: dtype, maxRows: maxRows)
        if let member {
            let archive = try NPZ.open(url)
            let entry = try NPZ.entry(member, in: archive, url: url)
            var skip = header.dataOffset
            try NPZ.extract(entry, in: archive, url: url) { chunk in
                try chunk.withUnsafeBytes { raw in
                    let s = min(skip, raw.count)
                    skip -= s
                    try sink.feed(UnsafeRawBufferPointer(rebasing: raw[s...]), body)
                }
            }
        } else {
            guard let handle = FileHandle(forReadingAtPath: url.path) else {
                throw FormatError.unreadable(path: url.path, reason: "cannot open")
            }
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(header.dataOffset))
            while !sink.isComplete, let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try chunk.withUnsafeBytes { try sink.feed($0, body) }
            }
        }
        try sink.finish(path: path, dataOffset: header.dataOffset, body)
    }

    static func fileSize(_ url: URL) throws -> Int {
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            return (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw FormatError.unreadable(path: url.path, reason: readableReason(error, url: url))
        }
    }
}

/// Stops a ZIP extraction once the header has been read.
private struct StopExtraction: Error {}

/// Accumulates the first bytes of a stream until the `.npy` header parses (at most 16 MiB).
struct HeaderAssembler {
    let path: String
    var buffer = Data()
    var header: NPYHeader?

    init(path: String) { self.path = path }

    mutating func feed(_ chunk: Data) throws -> NPYHeader? {
        buffer.append(chunk)
        do {
            header = try buffer.withUnsafeBytes { try NPYHeader.parse($0, path: path) }
        } catch FormatError.truncated(_, _, let found) where found == buffer.count {
            guard buffer.count < 16 << 20 else { throw FormatError.badHeader(path: path, reason: "header longer than 16 MiB") }
        }
        return header
    }
}

/// Collects row bytes into a batch and hands full batches on; one batch of `T` plus one partial row.
struct RowSink<T: BLASScalar> {
    let rows: Int, cols: Int, dtype: DType, maxRows: Int
    let rowBytes: Int
    var batch: Matrix<T>
    var batchFill = 0  // rows in `batch`
    var pending: [UInt8] = []  // bytes of a row split across chunks
    var delivered = 0  // rows handed to `body`

    init(rows: Int, cols: Int, dtype: DType, maxRows: Int) {
        self.rows = rows
        self.cols = cols
        self.dtype = dtype
        self.maxRows = maxRows
        rowBytes = cols * dtype.size
        batch = Matrix(rows: min(maxRows, rows), cols: cols)
        pending.reserveCapacity(rowBytes)
    }

    var isComplete: Bool { delivered + batchFill >= rows }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (Matrix<T>, Int) throws -> Void) throws {
        var offset = 0
        while offset < bytes.count && !isComplete {
            if rowBytes == 0 { batchFill = rows - delivered; break }
            if !pending.isEmpty || bytes.count - offset < rowBytes {
                let take = min(rowBytes - pending.count, bytes.count - offset)
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
                offset += take
                if pending.count == rowBytes {
                    pending.withUnsafeBytes { store($0, rowCount: 1) }
                    pending.removeAll(keepingCapacity: true)
                }
            } else {
                let whole = min((bytes.count - offset) / rowBytes, maxRows - batchFill, rows - delivered - batchFill)
                store(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + whole * rowBytes)]), rowCount: whole)
                offset += whole * rowBytes
            }
            if batchFill == batch.rows { try flush(body) }
        }
    }

    private mutating func store(_ bytes: UnsafeRawBufferPointer, rowCount: Int) {
        let start = batchFill * cols
        batch.storage.withUnsafeMutableBufferPointer { out in
            convertElements(bytes, dtype: dtype, count: rowCount * cols, into: out.baseAddress! + start)
        }
        batchFill += rowCount
    }

    private mutating func flush(_ body: (Matrix<T>, Int) throws -> Void) throws {
        guard batchFill > 0 else { return }
        if batchFill < batch.rows {
            // The last, shorter batch: a matrix of exactly its rows.
            let last = Matrix(rows: batchFill, cols: cols, storage: Array(batch.storage[0..<(batchFill * cols)]))
            try body(last, delivered)
        } else {
            try body(batch, delivered)
        }
        delivered += batchFill
        batchFill = 0
    }

    mutating func finish(path: String, dataOffset: Int, _ body: (Matrix<T>, Int) throws -> Void) throws {
        if rowBytes == 0 { batchFill = rows - delivered }
        let complete = isComplete
        let got = (delivered + batchFill) * rowBytes + pending.count
        try flush(body)
        guard complete else {
            throw FormatError.truncated(path: path, expectedBytes: dataOffset + rows * rowBytes, foundBytes: dataOffset + got)
        }
    }
}

/// An in-memory N × d array as a `RowBatchSource` (for tests and for arrays already loaded).
public struct InMemoryRows: RowBatchSource, Sendable {
    public let array: NDArray
    public var rows: Int { array.shape[0] }
    public var cols: Int { array.shape.count == 2 ? array.shape[1] : 1 }

    /// Wraps a 1-D (N × 1) or 2-D array; other ranks throw `FormatError.shape`.
    public init(_ array: NDArray, name: String = "array") throws {
        guard array.shape.count == 1 || array.shape.count == 2 else {
            throw FormatError.shape(name: name, found: array.shape, expected: "a 2-D (N × d) array of rows")
        }
        self.array = array
    }

    public func forEachBatch<T: BLASScalar>(
        maxRows: Int, as type: T.Type = T.self, _ body: (_ batch: Matrix<T>, _ firstRow: Int) throws -> Void
    ) throws {
        precondition(maxRows > 0, "maxRows must be positive")
        var sink = RowSink<T>(rows: rows, cols: cols, dtype: array.dtype, maxRows: maxRows)
        var bytes = Data()
        array.data.appendBytes(to: &bytes)
        try bytes.withUnsafeBytes { try sink.feed($0, body) }
        try sink.finish(path: "in-memory array", dataOffset: 0, body)
    }
}
