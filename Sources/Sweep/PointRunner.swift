import Collapse
import Foundation
import Nets
import Report
import UFM

/// What a point leaves on disk besides its row in results.csv (`--keep`).
public enum KeepMode: String, Sendable, CaseIterable {
    /// Only the row: the run directory is deleted when the point ends.
    case summary
    /// runs/<point>/ with config.toml, metrics.csv and summary.json.
    case metrics
    /// The whole run directory, params.npz, figures and index.html included (as `collapse run` leaves it).
    case all
}

/// Runs one point in-process and returns its results.csv row (column → field). Never throws: a point
/// that diverges or fails is a row whose `status` says so (`diverged`, `failed`) and whose `error` says why.
///
/// The run goes through `UFMRunRecorder`, the runner of `collapse run`, in `directory`, so a kept point's
/// directory is exactly a `collapse run` directory; with `.summary` the directory is removed afterwards.
/// A trained-network point runs through `NetPointRunner` (`NetRun`, the runner of `collapse train`).
public enum PointRunner {
    public static func run(_ point: SweepPoint, directory: URL, keep: KeepMode) -> [String: String] {
        if let network = point.network { return NetPointRunner.run(point, config: network, directory: directory, keep: keep) }
        guard let config = point.config else { return ["point": point.id, "status": "failed", "error": "the point has no config"] }
        let clock = ContinuousClock()
        let t0 = clock.now
        var row: [String: String] = ["point": point.id, "depth": String(config.model.depth),
                                     "width": String(config.model.widths.min() ?? 0)]
        for a in point.assignments { row[a.key] = a.literal }
        var recorder: UFMRunRecorder?
        do {
            let r = try UFMRunRecorder.start(config: config, directory: directory, overwrite: true)
            recorder = r
            r.flushInterval = .infinity
            let summary = try r.run()
            fill(&row, summary: summary, recorder: r)
            row["status"] = "completed"
        } catch {
            if case UFMError.diverged = error { row["status"] = "diverged" } else { row["status"] = "failed" }
            row["error"] = "\(error)"
            if let r = recorder {
                row["steps"] = String(r.trainer.iterate.step)
                row["objective"] = SweepResults.number(r.trainer.iterate.value)
                if let s = try? JSONValue.read(r.directory.summary) { fill(&row, summary: s, recorder: nil) }
            }
        }
        switch keep {
        case .summary: try? FileManager.default.removeItem(at: directory)
        case .metrics:
            let d = RunDirectory(directory)
            for f in [d.params, d.checkpoint] { try? FileManager.default.removeItem(at: f) }
        case .all:
            if FileManager.default.fileExists(atPath: RunDirectory(directory).metrics.path) {
                _ = try? RunReport.write(runDirectory: directory, title: "\(point.id): \(point.label)")
            }
        }
        row["seconds"] = SweepResults.number(Double((clock.now - t0).components.seconds) + Double((clock.now - t0).components.attoseconds) * 1e-18)
        return row
    }

    /// The outcome, theory and final metrics of a summary.json, and the class-mean ranks of the final point.
    static func fill(_ row: inout [String: String], summary: JSONValue, recorder: UFMRunRecorder?) {
        func num(_ path: String) -> String? { summary.value(at: path)?.number.map { SweepResults.number($0) } }
        row["objective"] = num("final.objective") ?? row["objective"]
        row["gradient_norm"] = num("final.gradient_norm")
        row["fit"] = num("final.fit")
        row["gap_to_theory"] = num("final.gap_to_theory")
        if summary.value(at: "theory.closed_form") == .bool(true) {
            row["theory_objective"] = num("theory.objective")
            row["theory_status"] = summary.value(at: "theory.status")?.string
            row["theory_regime"] = summary.value(at: "theory.regime")?.string
            row["theory_control"] = num("theory.control")
            row["theory_threshold"] = num("theory.threshold")
        }
        if let final = summary["final"]?.members {
            for (k, v) in final where k.hasPrefix("nc") {
                row[k] = v.number.map { SweepResults.number($0) } ?? ""
            }
        }
        row["stop_reason"] = summary["stop_reason"]?.string
        row["optimization_seconds"] = num("timing.optimization_seconds")
        if let s = summary.value(at: "final.step")?.number { row["steps"] = SweepResults.number(s) }
        guard let recorder else { return }
        let spec = recorder.config.model
        let snap = recorder.trainer.snapshot()
        for l in 1...spec.depth {
            guard let stats = try? ClassStatistics(columns: snap.features[l - 1], classes: spec.classes, layer: "level \(l)"),
                  let spectrum = try? NC.spectrum(of: stats.means, layer: "level \(l)", what: "class means") else { continue }
            row["means_rank_\(l)"] = String(spectrum.rank)
            row["means_stable_rank_\(l)"] = SweepResults.number(spectrum.stableRank)
        }
    }
}
