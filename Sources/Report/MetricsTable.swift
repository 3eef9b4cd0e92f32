import Foundation
import Formats

/// The rows of a run's `metrics.csv`: one row per logged step (or epoch), a fixed set of named columns.
///
/// Column-naming contract (read by `collapse plot`, NumPy and pandas): the first column is the x axis
/// (`step` for unconstrained-features runs, `epoch` for trained networks); metrics measured per feature
/// level carry the level as a suffix, `nc1_1`, `nc1_2`, … (or a layer name for networks, `nc1_stage4`).
/// Missing values are written as empty fields; numbers use Swift's shortest round-trip representation,
/// so `float(field)` in Python gives back the exact Double.
///
/// The table lives in memory and is written whole and atomically by `write(to:)`; a run calls it at each
/// checkpoint and at the end, so a killed run's file always holds complete rows.
public struct MetricsTable: Sendable, Equatable {
    public private(set) var columns: [String]
    public private(set) var rows: [[Double?]]

    public init(columns: [String]) {
        precondition(Set(columns).count == columns.count, "duplicate metrics column")
        self.columns = columns
        self.rows = []
    }

    /// Appends a row given as column name → value; unknown names are a programming error, absent ones empty.
    public mutating func append(_ values: [String: Double]) {
        precondition(values.keys.allSatisfy { columns.contains($0) }, "unknown column in \(values.keys.sorted())")
        rows.append(columns.map { values[$0] })
    }

    /// Appends a row in column order.
    public mutating func append(row: [Double?]) {
        precondition(row.count == columns.count, "row has \(row.count) values for \(columns.count) columns")
        rows.append(row)
    }

    /// Drops the rows whose x value (first column) is greater than `x` (used when a run resumes).
    public mutating func truncate(after x: Double) {
        rows.removeAll { ($0.first ?? nil).map { $0 > x } ?? false }
    }

    /// The values of one column (nil where a row left it empty).
    public func column(_ name: String) -> [Double?]? {
        guard let j = columns.firstIndex(of: name) else { return nil }
        return rows.map { $0[j] }
    }

    /// The CSV text: a header line and one line per row.
    public var csv: String {
        var s = columns.joined(separator: ",") + "\n"
        for r in rows {
            s += r.map { v in v.map(MetricsTable.field) ?? "" }
                .joined(separator: ",")
            s += "\n"
        }
        return s
    }

    /// `field`, for other tables that share the convention (a sweep's results.csv).
    public static func csvField(_ x: Double) -> String { field(x) }

    /// One CSV field: integers (steps, epochs, counts) without a fraction, other numbers in Swift's shortest
    /// round-trip form, non-finite values as `nan`, `inf`, `-inf` (what NumPy and pandas parse).
    static func field(_ x: Double) -> String {
        if !x.isFinite { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x == x.rounded(), abs(x) < 9.0e15, !(x == 0 && x.sign == .minus) { return String(Int64(x)) }
        return "\(x)"
    }

    /// Writes `csv` atomically.
    public func write(to url: URL) throws { try AtomicFile.write(csv, to: url) }

    /// Reads a `metrics.csv` back (for `collapse plot` and `--resume`).
    ///
    /// Errors name the file and the line (counting every line, blank ones too). CRLF line ends and blanks
    /// around fields are accepted; fields are parsed as bytes (no per-character String work), so a
    /// 50 MB table reads in about a second in a release build.
    public static func read(_ url: URL) throws -> MetricsTable {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FormatError.unreadable(path: url.path, reason: FileSystemError.cause(of: error, path: url.path, writing: false))
        }
        let bytes = [UInt8](data)
        var lines: [Range<Int>] = []
        var start = 0
        for (k, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            lines.append(start..<k)
            start = k + 1
        }
        if start < bytes.count { lines.append(start..<bytes.count) }
        let isBlank = { (b: UInt8) in b == 0x20 || b == 0x09 || b == 0x0D }
        let trimmed = { (r: Range<Int>) -> Range<Int> in
            var a = r.lowerBound, z = r.upperBound
            while a < z, isBlank(bytes[a]) { a += 1 }
            while z > a, isBlank(bytes[z - 1]) { z -= 1 }
            return a..<z
        }
        let fieldsOf = { (r: Range<Int>) -> [Range<Int>] in
            var out: [Range<Int>] = [], a = r.lowerBound
            for k in r where bytes[k] == UInt8(ascii: ",") {
                out.append(trimmed(a..<k))
                a = k + 1
            }
            out.append(trimmed(a..<r.upperBound))
            return out
        }
        let text = { (r: Range<Int>) in String(decoding: bytes[r], as: UTF8.self) }

        guard let headerIndex = lines.firstIndex(where: { !trimmed($0).isEmpty }) else {
            throw FormatError.invalidContent(path: url.path, reason: "empty metrics file (no header)")
        }
        let header = fieldsOf(lines[headerIndex]).map(text)
        if let k = header.firstIndex(of: "") {
            throw FormatError.invalidContent(path: url.path, reason: "line \(headerIndex + 1): column \(k + 1) of the header has no name")
        }
        var seen = Set<String>()
        for name in header where !seen.insert(name).inserted {
            throw FormatError.invalidContent(path: url.path, reason: "line \(headerIndex + 1): column '\(name)' appears twice in the header")
        }
        var table = MetricsTable(columns: header)
        table.rows.reserveCapacity(lines.count - headerIndex - 1)
        for i in (headerIndex + 1)..<lines.count {
            if trimmed(lines[i]).isEmpty { continue }
            let fields = fieldsOf(lines[i])
            guard fields.count == header.count else {
                throw FormatError.invalidContent(path: url.path, reason: "line \(i + 1) has \(fields.count) fields, the header has \(header.count)")
            }
            var row: [Double?] = []
            row.reserveCapacity(fields.count)
            for (k, f) in fields.enumerated() {
                if f.isEmpty { row.append(nil); continue }
                guard let v = parseDouble(bytes, f) else {
                    throw FormatError.invalidContent(path: url.path, reason: "line \(i + 1), column '\(header[k])': '\(text(f))' is not a number")
                }
                row.append(v)
            }
            table.rows.append(row)
        }
        return table
    }

    /// The number in `bytes[r]` (decimal, `nan`, `inf`, as Swift's `Double(String)` reads them), or nil
    /// unless the whole field is one number.
    private static func parseDouble(_ bytes: [UInt8], _ r: Range<Int>) -> Double? {
        guard r.count < 128 else { return Double(String(decoding: bytes[r], as: UTF8.self)) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: r.count + 1) { buf -> Double? in
            for (k, b) in bytes[r].enumerated() { buf[k] = CChar(bitPattern: b) }
            buf[r.count] = 0
            // strtod would skip leading blanks and accept a partial parse; both are excluded here.
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(buf.baseAddress!, &end)
            return end == buf.baseAddress! + r.count ? v : nil
        }
    }
}
