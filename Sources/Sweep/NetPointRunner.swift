import Foundation
import Formats
import Nets
import Report

/// Runs one point of a trained-network sweep in-process through `NetRun`, the runner of `collapse train`,
/// in `directory`, and returns its results.csv row (`SweepResults.networkColumns`). Never throws: a point
/// that diverges or fails is a row whose `status` says so and whose `error` says why, with what the run
/// measured before it stopped.
///
/// A kept point's directory is a `collapse train` directory; `.metrics` drops params.npz and
/// checkpoint.npz, `.all` also draws the run's figures and index.html, `.summary` removes the directory.
enum NetPointRunner {
    static func run(_ point: SweepPoint, config: TrainConfig, directory: URL, keep: KeepMode) -> [String: String] {
        let clock = ContinuousClock()
        let t0 = clock.now
        var row: [String: String] = ["point": point.id]
        for a in point.assignments { row[a.key] = a.literal }
        var netRun: NetRun?
        do {
            let r = try NetRun.start(config: config, directory: directory, overwrite: true)
            netRun = r
            let summary = try r.run()
            row["status"] = "completed"
            fill(&row, run: r, summary: summary)
        } catch {
            if case NetsError.diverged = error { row["status"] = "diverged" } else { row["status"] = "failed" }
            row["error"] = "\(error)"
            if let r = netRun { fill(&row, run: r, summary: try? JSONValue.read(r.directory.summary)) }
        }
        let d = RunDirectory(directory)
        switch keep {
        case .summary: try? FileManager.default.removeItem(at: directory)
        case .metrics:
            for f in [d.params, d.checkpoint] { try? FileManager.default.removeItem(at: f) }
        case .all:
            if FileManager.default.fileExists(atPath: d.metrics.path) {
                _ = try? RunReport.write(runDirectory: directory, title: "\(point.id): \(point.label)", includeETF: true)
            }
        }
        let t = clock.now - t0
        row["seconds"] = SweepResults.number(Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18)
        return row
    }

    /// From the run's metrics table: the last trained epoch's `loss` and `accuracy` (train mode, averaged
    /// over the epoch), and the last measured epoch's eval/test loss and accuracy and every per-layer
    /// metric (`nc1_<layer>`, …); from summary.json `terminal_phase_epoch` and the training seconds.
    static func fill(_ row: inout [String: String], run: NetRun, summary: JSONValue?) {
        let table = run.table
        row["epochs"] = String(run.trainer.epoch)
        func value(_ r: [Double?], _ c: String) -> Double? { table.columns.firstIndex(of: c).flatMap { r[$0] } }
        if let last = table.rows.last(where: { value($0, "loss") != nil }) {
            for c in ["loss", "accuracy"] { row[c] = SweepResults.number(value(last, c)) }
        }
        if let measured = table.rows.last(where: { value($0, "eval_accuracy") != nil }) {
            for (c, v) in zip(table.columns, measured) where !SweepResults.networkEpochColumns.contains(c) {
                row[c] = SweepResults.number(v)
            }
        }
        guard let summary else { return }
        row["terminal_phase_epoch"] = summary["terminal_phase_epoch"]?.number.map { String(Int($0)) } ?? ""
        row["training_seconds"] = summary.value(at: "seconds.training")?.number.map { SweepResults.number($0) }
    }
}
