/// Everything that can be wrong with a data file, with the file and the problem named so a person can act.
public enum FormatError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file ends before the data its header announces.
    case truncated(path: String, expectedBytes: Int, foundBytes: Int)
    /// The file does not start with the format's magic bytes.
    case badMagic(path: String, format: String)
    /// The header is malformed (unparseable, inconsistent, or an unsupported version).
    case badHeader(path: String, reason: String)
    /// The element type is not one the toolkit reads (it lists the ones it does).
    case unsupportedDType(path: String, dtype: String)
    /// A big-endian array; the toolkit reads little-endian only.
    case bigEndian(path: String, dtype: String)
    /// The header claims more elements or bytes than is sane or than the file holds.
    case tooLarge(path: String, elements: Int, limit: Int)
    /// An array has the wrong shape for its role.
    case shape(name: String, found: [Int], expected: String)
    /// A required array or member is missing from an archive.
    case missingMember(path: String, name: String, available: [String])
    /// A data set is not installed; `install` is the command that installs it.
    case missingDataset(name: String, path: String, install: String)
    /// Invalid content (a bad label, a malformed CSV row, …).
    case invalidContent(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "\(p): cannot read: \(r)"
        case .truncated(let p, let e, let f): "\(p): truncated: needs \(e) bytes, has \(f)"
        case .badMagic(let p, let f): "\(p): not a \(f) file (wrong magic bytes)"
        case .badHeader(let p, let r): "\(p): malformed header: \(r)"
        case .unsupportedDType(let p, let d): "\(p): unsupported dtype '\(d)' (supported: float32, float64, int32, int64, uint8)"
        case .bigEndian(let p, let d): "\(p): big-endian dtype '\(d)' is not supported; convert with numpy: a.astype(a.dtype.newbyteorder('<'))"
        case .tooLarge(let p, let n, let l): "\(p): header claims \(n) elements/bytes, more than the file or the limit (\(l)) allows"
        case .shape(let n, let f, let e): "array '\(n)' has shape \(f), expected \(e)"
        case .missingMember(let p, let n, let a): "\(p): no array named '\(n)' (the file has: \(a.joined(separator: ", ")))"
        case .missingDataset(let n, let p, let i): "data set \(n) not found at \(p); install it with: \(i)"
        case .invalidContent(let p, let r): "\(p): \(r)"
        }
    }
}
