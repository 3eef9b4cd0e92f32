import Foundation
import Formats

/// Writes what a person reads of a sweep: results.csv (every row that exists, in point order).
public enum SweepReportWriter {
    public static func write(_ dir: SweepDirectory, table: SweepResultsTable) throws {
        try AtomicFile.write(table.csv, to: dir.results)
    }
}
