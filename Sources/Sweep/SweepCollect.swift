import Foundation
import Formats

/// The rows of a sweep directory's point records, in point order, and which points have none.
public struct SweepResultsTable: Sendable {
    public var title: String
    public var axes: [String]
    public var columns: [String]
    /// Rows of the points that have a record, in point order.
    public var rows: [[String: String]]
    /// Ids of the points without a record.
    public var missing: [String]
    public var total: Int

    public var csv: String { SweepResults.csv(columns: columns, rows: rows) }

    /// Status → count.
    public var statuses: [String: Int] {
        var c: [String: Int] = [:]
        for r in rows { c[r["status"] ?? "", default: 0] += 1 }
        return c
    }
}

/// Merges the records of a sweep directory (written by one process, by `--shard` runs, or by Slurm array
/// tasks) into results.csv.
public enum SweepCollect {
    /// Reads plan.json and every point's record.
    public static func gather(_ dir: SweepDirectory) throws -> SweepResultsTable {
        let plan = try dir.readPlan()
        var rows: [[String: String]] = [], missing: [String] = []
        for p in plan.points {
            if let row = try dir.readRecord(id: p.id, overrides: p.overrides) { rows.append(row) } else { missing.append(p.id) }
        }
        return SweepResultsTable(title: plan.title, axes: plan.axes, columns: plan.columns, rows: rows, missing: missing, total: plan.points.count)
    }

    /// Writes results.csv (atomically). With points missing it refuses (`SweepError.missingPoints`, listing
    /// them) unless `partial`, which writes the rows that exist.
    @discardableResult
    public static func writeResults(_ dir: SweepDirectory, partial: Bool = false) throws -> SweepResultsTable {
        let table = try gather(dir)
        if !table.missing.isEmpty, !partial {
            throw SweepError.missingPoints(path: dir.url.path, missing: table.missing, total: table.total)
        }
        try AtomicFile.write(table.csv, to: dir.results)
        return table
    }
}
