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
            s += r.map { v in v.map { $0.isFinite ? "\($0)" : ($0.isNaN ? "nan" : ($0 > 0 ? "inf" : "-inf")) } ?? "" }
                .joined(separator: ",")
            s += "\n"
        }
        return s
    }

    /// Writes `csv` atomically.
    public func write(to url: URL) throws { try AtomicFile.write(csv, to: url) }

    /// Reads a `metrics.csv` back (for `collapse plot` and `--resume`).
    public static func read(_ url: URL) throws -> MetricsTable {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw FormatError.unreadable(path: url.path, reason: "\(error.localizedDescription)")
        }
        // Line numbers count every line of the file (blank ones too), so an error points at the right one;
        // CRLF line ends and blanks around fields are accepted.
        // (A Swift String holds "\r\n" as one Character, so both separators are listed.)
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard let headerIndex = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            throw FormatError.invalidContent(path: url.path, reason: "empty metrics file (no header)")
        }
        let header = lines[headerIndex].split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if let k = header.firstIndex(of: "") {
            throw FormatError.invalidContent(path: url.path, reason: "line \(headerIndex + 1): column \(k + 1) of the header has no name")
        }
        var seen = Set<String>()
        for name in header where !seen.insert(name).inserted {
            throw FormatError.invalidContent(path: url.path, reason: "line \(headerIndex + 1): column '\(name)' appears twice in the header")
        }
        var table = MetricsTable(columns: header)
        for i in (headerIndex + 1)..<lines.count {
            let line = lines[i]
            if line.allSatisfy(\.isWhitespace) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count else {
                throw FormatError.invalidContent(path: url.path, reason: "line \(i + 1) has \(fields.count) fields, the header has \(header.count)")
            }
            var row: [Double?] = []
            for (k, raw) in fields.enumerated() {
                let f = raw.trimmingCharacters(in: .whitespaces)
                if f.isEmpty { row.append(nil); continue }
                guard let v = Double(f) else {
                    throw FormatError.invalidContent(path: url.path, reason: "line \(i + 1), column '\(header[k])': '\(f)' is not a number")
                }
                row.append(v)
            }
            table.append(row: row)
        }
        return table
    }
}
