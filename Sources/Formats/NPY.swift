import Foundation

/// NumPy `.npy` files: one array, a short text header, then the raw little-endian elements.
///
/// Reads float32, float64, int32, int64 and uint8 (`<f4 <f8 <i4 <i8 |u1`), C or Fortran order
/// (Fortran arrays come back in C order, so `NDArray` is always row-major), header versions 1.0, 2.0
/// and 3.0. Every size the header claims is checked (overflow, `NPYHeader.maximumBytes`, and the bytes
/// actually present) before anything is allocated. Files written here are version 1.0 (2.0 for headers
/// over 64 KiB), C order unless asked otherwise, and load with `numpy.load` unchanged.
public enum NPY {
    /// Reads the array in the `.npy` file at `url`. The file is memory-mapped, not copied, while decoding.
    public static func read(_ url: URL) throws -> NDArray {
        let data = try mappedContents(of: url)
        return try decode(data, path: url.path)
    }

    /// Decodes a whole `.npy` image; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> NDArray {
        try data.withUnsafeBytes { bytes in
            let header = try NPYHeader.parse(bytes, path: path)
            let end = header.dataOffset + header.byteCount
            guard bytes.count >= end else {
                throw FormatError.truncated(path: path, expectedBytes: end, foundBytes: bytes.count)
            }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset..<end])
            var elements = ArrayData.decode(payload, dtype: header.dtype, count: header.count)
            if header.fortranOrder && header.shape.count > 1 {
                elements = elements.gathered(fortranPositions(shape: header.shape))
            }
            return NDArray(shape: header.shape, data: elements)
        }
    }

    /// The `.npy` image of `a`: header then elements, in C order or, with `fortranOrder`, column-major.
    public static func encode(_ a: NDArray, fortranOrder: Bool = false) -> Data {
        var out = Data(NPYHeader.encode(dtype: a.dtype, fortranOrder: fortranOrder, shape: a.shape))
        out.reserveCapacity(out.count + a.count * a.dtype.size)
        if fortranOrder && a.shape.count > 1 {
            let positions = fortranPositions(shape: a.shape)
            var inverse = [Int](repeating: 0, count: positions.count)
            for (k, p) in positions.enumerated() { inverse[p] = k }
            a.data.gathered(inverse).appendBytes(to: &out)
        } else {
            a.data.appendBytes(to: &out)
        }
        return out
    }

    /// Writes `a` as a C-order `.npy` file, atomically (temporary file, then rename).
    public static func write(_ a: NDArray, to url: URL, fortranOrder: Bool = false) throws {
        try AtomicFile.write(encode(a, fortranOrder: fortranOrder), to: url)
    }
}

/// The file's bytes, memory-mapped; a missing or unreadable file becomes `FormatError.unreadable`.
func mappedContents(of url: URL) throws -> Data {
    do {
        return try Data(contentsOf: url, options: .alwaysMapped)
    } catch {
        throw FormatError.unreadable(path: url.path, reason: readableReason(error, url: url))
    }
}

/// A short reason for a failed open: "no such file" rather than a Foundation error dump.
func readableReason(_ error: Error, url: URL) -> String {
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) { return "no such file" }
    if isDirectory.boolValue { return "is a directory" }
    if !FileManager.default.isReadableFile(atPath: url.path) { return "permission denied" }
    return (error as NSError).localizedDescription
}
