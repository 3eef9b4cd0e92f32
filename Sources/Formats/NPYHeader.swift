import Foundation

/// The header of a `.npy` file: what the bytes after it hold.
///
/// Layout (NumPy's `numpy.lib.format`, "NPY format" NEP 1):
/// `\x93NUMPY`, major and minor version bytes, the header length (u16 little-endian in version 1.0,
/// u32 in 2.0 and 3.0), then the header text, a Python dict literal padded with spaces to a
/// multiple of 64 bytes and ended by `\n`:
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`.
/// Version 3.0 is 2.0 with a UTF-8 (instead of Latin-1) header; both are read the same way.
public struct NPYHeader: Equatable, Sendable {
    /// The element type.
    public var dtype: DType
    /// Whether the data is stored column-major (Fortran order) on disk.
    public var fortranOrder: Bool
    /// The array's shape; `[]` is a scalar.
    public var shape: [Int]
    /// Bytes from the start of the file (or archive member) to the first data byte.
    public var dataOffset: Int

    /// The number of elements, Π shape (1 for a scalar).
    public var count: Int { shape.reduce(1, *) }
    /// The number of data bytes, count · dtype.size.
    public var byteCount: Int { count * dtype.size }

    /// The `.npy` magic string.
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Claimed data sizes above this are rejected as corrupt before anything is allocated (1 TiB).
    public static let maximumBytes = 1 << 40

    /// Parses the header at the start of `bytes` (which may be only a prefix of the file) and checks the
    /// element count and byte size for overflow and against `maximumBytes`. It does not check that the
    /// data is present: callers compare `dataOffset + byteCount` with what they have.
    public static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> NPYHeader {
        guard bytes.count >= 8 else {
            // A prefix of the magic string is a stream that has not arrived yet (or a cut file).
            guard !bytes.isEmpty, zip(bytes, magic).allSatisfy({ $0 == $1 }) else {
                throw FormatError.badMagic(path: path, format: "npy")
            }
            throw FormatError.truncated(path: path, expectedBytes: 10, foundBytes: bytes.count)
        }
        guard (0..<6).allSatisfy({ bytes[$0] == magic[$0] }) else { throw FormatError.badMagic(path: path, format: "npy") }
        let major = bytes[6], minor = bytes[7]
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw FormatError.badHeader(path: path, reason: "unsupported .npy format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
        }
        let prefix = 8 + lengthBytes
        guard bytes.count >= prefix else { throw FormatError.truncated(path: path, expectedBytes: prefix, foundBytes: bytes.count) }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let dataOffset = prefix + headerLength
        guard bytes.count >= dataOffset else {
            throw FormatError.truncated(path: path, expectedBytes: dataOffset, foundBytes: bytes.count)
        }
        let textBytes = UnsafeRawBufferPointer(rebasing: bytes[prefix..<dataOffset])
        // Version 1/2 headers are Latin-1; in practice ASCII. Version 3 is UTF-8.
        let text = String(decoding: textBytes, as: UTF8.self)
        var parser = PythonLiteralParser(text: text)
        let dict: [String: PythonLiteral]
        do {
            guard case .dict(let d) = try parser.parseTopLevel() else {
                throw PythonLiteralParser.Failure(message: "the header is not a dict")
            }
            dict = d
        } catch let failure as PythonLiteralParser.Failure {
            throw FormatError.badHeader(path: path, reason: "\(failure.message) in \(text.trimmingCharacters(in: .whitespacesAndNewlines).debugDescription)")
        }
        guard case .string(let descr)? = dict["descr"] else {
            if let d = dict["descr"] { throw FormatError.unsupportedDType(path: path, dtype: d.description) }
            throw FormatError.badHeader(path: path, reason: "no 'descr' string in the header")
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw FormatError.badHeader(path: path, reason: "no 'fortran_order' True/False in the header")
        }
        guard case .tuple(let dims)? = dict["shape"] else {
            throw FormatError.badHeader(path: path, reason: "no 'shape' tuple in the header")
        }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let v) = d, v >= 0 else {
                throw FormatError.badHeader(path: path, reason: "shape entries must be non-negative integers, got \(d)")
            }
            shape.append(v)
        }
        let dtype = try DType(numpyDescr: descr, path: path)
        _ = try checkedByteCount(shape: shape, elementSize: dtype.size, path: path, limit: maximumBytes)
        return NPYHeader(dtype: dtype, fortranOrder: fortran, shape: shape, dataOffset: dataOffset)
    }

    /// The header bytes for writing: version 1.0 when the text fits a u16 length, else 2.0;
    /// padded so that the data starts at a multiple of 64 bytes, as NumPy writes it.
    public static func encode(dtype: DType, fortranOrder: Bool, shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        let dict = "{'descr': '\(dtype.rawValue)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        var version: UInt8 = 1
        var prefix = 10
        var total = prefix + dict.utf8.count + 1
        if (total + 63) / 64 * 64 - prefix > 0xFFFF {
            version = 2
            prefix = 12
            total = prefix + dict.utf8.count + 1
        }
        let padded = (total + 63) / 64 * 64
        let headerLength = padded - prefix
        var out = magic + [version, 0]
        for i in 0..<(prefix - 8) { out.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
        out += Array(dict.utf8)
        out += [UInt8](repeating: 0x20, count: padded - total)
        out.append(0x0A)
        return out
    }
}

/// count · elementSize for `shape`, with every multiplication checked for overflow and the result
/// checked against `limit`; `FormatError.tooLarge` otherwise. Returns the byte count.
func checkedByteCount(shape: [Int], elementSize: Int, path: String, limit: Int) throws -> Int {
    var count = 1
    for d in shape {
        let (p, overflow) = count.multipliedReportingOverflow(by: d)
        if overflow { throw FormatError.tooLarge(path: path, elements: Int.max, limit: limit / elementSize) }
        count = p
    }
    let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
    if overflow || bytes > limit { throw FormatError.tooLarge(path: path, elements: count, limit: limit / elementSize) }
    return bytes
}

extension DType {
    /// The dtype of a NumPy `descr` string. Accepts the five supported types with their little-endian
    /// (`<`) or native (`=`, this being a little-endian host) byte order, and `|u1`/`<u1` for uint8.
    /// A big-endian (`>`) descr of a supported type throws `bigEndian`; anything else `unsupportedDType`.
    init(numpyDescr descr: String, path: String) throws {
        guard let first = descr.first else { throw FormatError.unsupportedDType(path: path, dtype: descr) }
        let code = String(descr.dropFirst())
        let known = ["f4": DType.float32, "f8": .float64, "i4": .int32, "i8": .int64, "u1": .uint8]
        guard let t = known[code] else { throw FormatError.unsupportedDType(path: path, dtype: descr) }
        switch first {
        case "<", "=": self = t
        case "|" where t == .uint8: self = t
        case ">" where t == .uint8: self = t
        case ">": throw FormatError.bigEndian(path: path, dtype: descr)
        default: throw FormatError.unsupportedDType(path: path, dtype: descr)
        }
    }
}
