import CGzip
import Foundation
import Linalg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a byte range of a Fortran-order array lives in a file: the element data starts at `dataStart`
/// (absolute file offset). For a stored `.npz` member, `member` is the member's whole byte range and
/// CRC-32, so that the CRC can be checked after streaming.
struct ColumnMajorLayout: Sendable {
    struct Member: Sendable {
        /// Absolute offset of the member's first byte (the `.npy` magic) and its size.
        var start: Int, size: Int
        var checksum: UInt32
    }
    var dataStart: Int
    var member: Member?
}

/// Streams the rows of a Fortran-order (column-major) N × d array by random access.
///
/// On disk element (r, j) is at `dataStart + (j·N + r)·size`, so the rows [r0, r1) of a batch are, for each
/// column j, the contiguous elements [j·N + r0, j·N + r1): d reads of (r1 − r0)·size bytes each (split in
/// ≤ 1 MiB reads), each converted into column j of the row-major batch. Memory: one batch of `T`, one
/// read buffer of at most 1 MiB, and for a stored `.npz` member d running CRC-32 values (one per column,
/// combined with zlib's `crc32_combine` at the end into the member's CRC, so no second pass is needed).
/// Every element is read once; the batches are bit-identical to those of the same array in C order.
struct ColumnMajorRows {
    let url: URL
    let path: String
    let header: NPYHeader
    let rows: Int, cols: Int
    let layout: ColumnMajorLayout

    func forEachBatch<T: BLASScalar>(maxRows: Int, as type: T.Type, _ body: (Matrix<T>, Int) throws -> Void) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw FormatError.unreadable(path: url.path, reason: "cannot open") }
        defer { close(fd) }
        let size = header.dtype.size
        let batchRows = min(maxRows, rows)
        var batch = Matrix<T>(rows: batchRows, cols: cols)
        let bufferElements = max(1, min(batchRows, (1 << 20) / size))
        var buffer = [UInt8](repeating: 0, count: bufferElements * size)
        var columnCRC = [UInt](repeating: 0, count: layout.member == nil ? 0 : cols)
        var r0 = 0
        while r0 < rows {
            let n = min(batchRows, rows - r0)
            if n < batch.rows { batch = Matrix<T>(rows: n, cols: cols) }  // the last, shorter batch
            for j in 0..<cols {
                var done = 0
                while done < n {
                    let count = min(bufferElements, n - done)
                    let offset = layout.dataStart + ((j * rows) + r0 + done) * size
                    try buffer.withUnsafeMutableBytes { raw in
                        try readFully(fd, into: raw.baseAddress!, count: count * size, at: offset)
                        if !columnCRC.isEmpty {
                            columnCRC[j] = CGzip.crc32(columnCRC[j], raw.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(count * size))
                        }
                        batch.storage.withUnsafeMutableBufferPointer { out in
                            convertElements(UnsafeRawBufferPointer(raw), dtype: header.dtype, count: count,
                                            into: out.baseAddress! + (done * cols + j), stride: cols)
                        }
                    }
                    done += count
                }
            }
            try body(batch, r0)
            r0 += n
        }
        if let member = layout.member { try checkCRC(fd, member: member, columnCRC: columnCRC) }
    }

    /// CRC-32 of the member: its header bytes, then the columns in order (each column's running CRC
    /// over its rows, combined), then any bytes after the data; compared with the archive's.
    private func checkCRC(_ fd: Int32, member: ColumnMajorLayout.Member, columnCRC: [UInt]) throws {
        var crc: UInt = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        func crcRange(_ start: Int, _ length: Int) throws {
            var done = 0
            while done < length {
                let count = min(buffer.count, length - done)
                try buffer.withUnsafeMutableBytes { raw in
                    try readFully(fd, into: raw.baseAddress!, count: count, at: start + done)
                    crc = CGzip.crc32(crc, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(count))
                }
                done += count
            }
        }
        try crcRange(member.start, header.dataOffset)
        let columnBytes = rows * header.dtype.size
        for c in columnCRC { crc = CGzip.crc32_combine(crc, c, off_t(columnBytes)) }
        let end = header.dataOffset + header.byteCount
        try crcRange(member.start + end, member.size - end)
        guard UInt32(truncatingIfNeeded: crc) == member.checksum else {
            throw FormatError.invalidContent(path: path, reason: "CRC-32 mismatch (the archive is corrupt)")
        }
    }

    /// Reads exactly `count` bytes at `offset`; a short read is a truncated file.
    private func readFully(_ fd: Int32, into base: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
        var got = 0
        while got < count {
            let r = pread(fd, base + got, count - got, off_t(offset + got))
            if r < 0 && errno == EINTR { continue }
            if r < 0 { throw FormatError.unreadable(path: path, reason: String(cString: strerror(errno))) }
            guard r > 0 else {
                let memberStart = layout.member?.start ?? 0
                throw FormatError.truncated(path: path, expectedBytes: header.dataOffset + header.byteCount,
                                            foundBytes: offset + got - memberStart)
            }
            got += r
        }
    }
}

/// The ZIP records needed to find a stored member's bytes in the archive file (PKWARE APPNOTE 4.3):
/// the end of central directory record (and its ZIP64 form), the member's central directory entry,
/// and its local header, whose name must match and whose method must be "stored".
enum ZIPStoredMember {
    /// The absolute offset and size of the stored member `name`'s data in the archive `url`.
    static func locate(name: String, url: URL, path: String) throws -> (start: Int, size: Int) {
        let fail = { (reason: String) in FormatError.invalidContent(path: path, reason: reason) }
        let fileSize = try NPYRowReader.fileSize(url)
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw FormatError.unreadable(path: url.path, reason: "cannot open") }
        defer { try? handle.close() }
        func read(_ offset: Int, _ count: Int) throws -> [UInt8] {
            // Offsets and sizes come from the file: compare without overflow, read only what the file has.
            guard offset >= 0, count >= 0, offset <= fileSize, count <= fileSize - offset else {
                throw fail("a ZIP record points outside the file")
            }
            try handle.seek(toOffset: UInt64(offset))
            let d = try handle.read(upToCount: count) ?? Data()
            guard d.count == count else { throw fail("a ZIP record is cut short") }
            return [UInt8](d)
        }
        func le(_ b: [UInt8], _ at: Int, _ n: Int) -> Int {
            var v = 0
            for i in 0..<n { v |= Int(b[at + i]) << (8 * i) }
            return v
        }
        // End of central directory: 22 bytes plus a comment of at most 65535, at the end of the file.
        let tailLength = min(fileSize, 22 + 0xFFFF)
        let tail = try read(fileSize - tailLength, tailLength)
        guard tailLength >= 22, let eocd = stride(from: tailLength - 22, through: 0, by: -1).first(where: {
            tail[$0] == 0x50 && tail[$0 + 1] == 0x4B && tail[$0 + 2] == 0x05 && tail[$0 + 3] == 0x06
        }) else { throw fail("no ZIP end of central directory record") }
        var cdSize = le(tail, eocd + 12, 4), cdOffset = le(tail, eocd + 16, 4)
        if cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF || le(tail, eocd + 10, 2) == 0xFFFF {
            let locator = try read(fileSize - tailLength + eocd - 20, 20)
            guard le(locator, 0, 4) == 0x0706_4B50 else { throw fail("no ZIP64 end of central directory locator") }
            let record = try read(le(locator, 8, 8), 56)
            guard le(record, 0, 4) == 0x0606_4B50 else { throw fail("no ZIP64 end of central directory record") }
            (cdSize, cdOffset) = (le(record, 40, 8), le(record, 48, 8))
        }
        let cd = try read(cdOffset, cdSize)
        let target = [UInt8](name.utf8)
        var p = 0
        while p + 46 <= cd.count, le(cd, p, 4) == 0x0201_4B50 {
            let n = le(cd, p + 28, 2), m = le(cd, p + 30, 2), k = le(cd, p + 32, 2)
            guard p + 46 + n + m <= cd.count else { break }
            defer { p += 46 + n + m + k }
            guard Array(cd[(p + 46)..<(p + 46 + n)]) == target else { continue }
            var uncompressed = le(cd, p + 24, 4), compressed = le(cd, p + 20, 4), local = le(cd, p + 42, 4)
            // ZIP64 extra field (id 1): the 8-byte values of the fields that are 0xFFFFFFFF, in this order.
            var e = p + 46 + n
            let extraEnd = p + 46 + n + m
            while e + 4 <= extraEnd {
                let id = le(cd, e, 2), length = le(cd, e + 2, 2)
                if id == 1 {
                    var q = e + 4
                    let fieldEnd = min(e + 4 + length, extraEnd)
                    for field in [0, 1, 2] where [uncompressed, compressed, local][field] == 0xFFFF_FFFF && q + 8 <= fieldEnd {
                        let v = le(cd, q, 8)
                        switch field { case 0: uncompressed = v; case 1: compressed = v; default: local = v }
                        q += 8
                    }
                }
                e += 4 + length
            }
            guard le(cd, p + 10, 2) == 0, compressed == uncompressed else { throw fail("the member is compressed, not stored") }
            guard uncompressed >= 0, local >= 0, local <= fileSize - 30 else { throw fail("a ZIP record points outside the file") }
            let lh = try read(local, 30)
            guard le(lh, 0, 4) == 0x0403_4B50 else { throw fail("no ZIP local header where the central directory says") }
            guard le(lh, 8, 2) == 0 else { throw fail("the local header says the member is compressed") }
            let ln = le(lh, 26, 2), lm = le(lh, 28, 2)
            guard try read(local + 30, ln) == target else { throw fail("the local header names another member") }
            let start = local + 30 + ln + lm
            guard uncompressed <= fileSize - start else {
                throw FormatError.truncated(path: path, expectedBytes: uncompressed, foundBytes: max(0, fileSize - start))
            }
            return (start, uncompressed)
        }
        throw fail("member not found in the ZIP central directory")
    }
}

/// Like `convertElements`, but element k goes to `out[k · stride]` (a column of a row-major matrix).
/// Same-type elements are copied byte for byte, so the result is bit-identical to the contiguous path.
func convertElements<T: BLASScalar>(_ bytes: UnsafeRawBufferPointer, dtype: DType, count: Int,
                                    into out: UnsafeMutablePointer<T>, stride: Int) {
    precondition(bytes.count >= count * dtype.size)
    guard count > 0, let base = bytes.baseAddress else { return }
    if (dtype == .float32 && T.self == Float.self) || (dtype == .float64 && T.self == Double.self) {
        for k in 0..<count { UnsafeMutableRawPointer(out + k * stride).copyMemory(from: base + k * dtype.size, byteCount: dtype.size) }
        return
    }
    switch dtype {
    case .float32: for k in 0..<count { out[k * stride] = T(base.loadUnaligned(fromByteOffset: 4 * k, as: Float.self)) }
    case .float64: for k in 0..<count { out[k * stride] = T(base.loadUnaligned(fromByteOffset: 8 * k, as: Double.self)) }
    case .int32: for k in 0..<count { out[k * stride] = T(base.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)) }
    case .int64: for k in 0..<count { out[k * stride] = T(base.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self)) }
    case .uint8: for k in 0..<count { out[k * stride] = T(base.load(fromByteOffset: k, as: UInt8.self)) }
    }
}
