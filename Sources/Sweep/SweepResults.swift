import Foundation
import Nets
import Report
import UFM

/// The columns and rows of a sweep's results.csv: one row per point, read directly by pandas
/// (`pd.read_csv("results.csv")`): a header line, comma-separated fields, fields holding a comma or a
/// quote in double quotes (RFC 4180), empty fields for values a point does not have, `nan`/`inf` for
/// non-finite numbers, numbers in the shortest form that parses back to the same Double.
///
/// Columns, in order: `point`; every axis key; `status` (`completed`, `diverged`, `failed`); `objective`
/// (final f), `theory_objective`, `gap_to_theory` (objective − theory), `theory_status` (`global`,
/// `dnc-candidate`, empty without a closed form), `theory_regime` (`collapse`, `zero`), `theory_control`
/// (κ; c at L = 1) and `theory_threshold`; `gradient_norm`, `fit`, `depth` (L), `width` (min_l d_l); the final NC metrics per
/// level (metrics.csv's names, `nc1_1`, …) and `means_rank_l`, the numerical rank of the level-l class
/// means (τ = max(d_l, K)·ε relative to σ_1, `NC.spectrum`) and `means_stable_rank_l` = Σ_j σ_j²/σ_1²
/// (which, unlike the numerical rank, ignores directions that an unfinished run has not yet shrunk to 0); `stop_reason`, `steps`, then the timing
/// columns `seconds` (the point's wall time) and `optimization_seconds` (inside the optimizer), and `error`.
public enum SweepResults {
    public static let head = ["point"]
    public static let outcome = ["status", "objective", "theory_objective", "gap_to_theory", "theory_status", "theory_regime",
                                 "theory_control", "theory_threshold", "gradient_norm", "fit", "depth", "width"]
    public static let tail = ["stop_reason", "steps", "seconds", "optimization_seconds", "error"]
    /// Columns that measure time and so differ between two runs of the same point.
    public static let timing: Set<String> = ["seconds", "optimization_seconds", "training_seconds"]

    /// A trained-network sweep's outcome columns: the final epoch's train-mode `loss` and `accuracy`, the
    /// last measured epoch's eval-mode `eval_loss` and `eval_accuracy` (and `test_loss`, `test_accuracy`
    /// when a point has a test subset).
    public static let networkOutcome = ["status", "loss", "accuracy", "eval_loss", "eval_accuracy"]
    public static let networkTail = ["terminal_phase_epoch", "epochs", "seconds", "training_seconds", "error"]
    /// The metrics.csv columns of `collapse train` that are not per-layer metrics.
    static let networkEpochColumns: Set<String> = ["epoch", "lr", "loss", "accuracy", "seconds"]

    /// The columns of a trained-network sweep: `point`, the axis keys, `networkOutcome` (+ the test columns),
    /// then the per-layer metrics of metrics.csv (`nc1_<layer>`, …, `NetRun.columns`) at the last measured
    /// epoch, the union over the points' networks in first-seen order, then `networkTail`:
    /// `terminal_phase_epoch` (the first epoch from which the eval-mode training accuracy stayed at 100%,
    /// empty if never), `epochs` (trained), `seconds` (the point's wall time), `training_seconds` (inside
    /// the training epochs) and `error`.
    public static func networkColumns(axisKeys: [String], configs: [TrainConfig]) -> [String] {
        let test = configs.contains { $0.data.testPerClass > 0 }
        var outcome = networkOutcome
        if test { outcome += ["test_loss", "test_accuracy"] }
        var layers: [String] = [], seen = Set<String>()
        var shapes = Set<[String]>()
        for c in configs {
            let names = c.model.featureLayerNames
            guard shapes.insert(names).inserted else { continue }
            for col in NetRun.columns(layers: names, test: false)
            where !networkEpochColumns.contains(col) && !outcome.contains(col) && seen.insert(col).inserted {
                layers.append(col)
            }
        }
        return head + axisKeys + outcome + layers + networkTail
    }

    /// The per-level names, in their column order.
    static var levelNames: [String] { UFMMetrics.levelNames + UFMMetrics.lastLevelNames + ["means_rank", "means_stable_rank"] }

    public static func columns(axisKeys: [String], specs: [ModelSpec]) -> [String] {
        var present = Set<String>()
        for s in Set(specs.map { SpecShape(depth: $0.depth, linear: $0.activation == .none) }) {
            let m = ModelSpec(classes: 2, perClass: 1, widths: Array(repeating: 2, count: s.depth),
                              activation: s.linear ? .none : .relu, loss: .mse, bias: false, lambdaH: 1, lambdaW: Array(repeating: 1, count: s.depth))
            for c in UFMMetrics.columns(for: m) where c.hasPrefix("nc") { present.insert(c) }
            for l in 1...s.depth { present.insert("means_rank_\(l)"); present.insert("means_stable_rank_\(l)") }
        }
        let maxDepth = specs.map(\.depth).max() ?? 0
        var levels: [String] = []
        if maxDepth > 0 {
            for l in 1...maxDepth { for n in levelNames where present.contains("\(n)_\(l)") { levels.append("\(n)_\(l)") } }
        }
        return head + axisKeys + outcome + levels + tail
    }

    private struct SpecShape: Hashable { var depth: Int; var linear: Bool }

    /// One field of results.csv: quoted when it holds a comma, a quote or a line break.
    public static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number as results.csv writes it (the metrics.csv form).
    public static func number(_ x: Double?) -> String {
        guard let x else { return "" }
        return MetricsTable.csvField(x)
    }

    /// The CSV text of `rows` (column → field, unquoted) in `columns` order.
    public static func csv(columns: [String], rows: [[String: String]]) -> String {
        var s = columns.map(csvField).joined(separator: ",") + "\n"
        for r in rows { s += columns.map { csvField(r[$0] ?? "") }.joined(separator: ",") + "\n" }
        return s
    }

    /// Parses results.csv text back into rows (column → field). Throws on a malformed line.
    public static func parse(_ text: String, path: String) throws -> (columns: [String], rows: [[String: String]]) {
        var records: [[String]] = []
        var field = "", record: [String] = [], quoted = false, afterQuote = false
        var it = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? { if let p = pending { pending = nil; return p }; return it.next() }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let d = it.next() {
                        if d == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; afterQuote = true; pending = d }
                    } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !afterQuote: quoted = true
            case ",": record.append(field); field = ""; afterQuote = false
            case "\n": record.append(field); records.append(record); field = ""; record = []; afterQuote = false
            case "\r": break
            default: field.unicodeScalars.append(c)
            }
        }
        if quoted { throw SweepError.directory(path: path, reason: "an unterminated quoted field") }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        guard let header = records.first else { throw SweepError.directory(path: path, reason: "empty results file") }
        var rows: [[String: String]] = []
        for (i, r) in records.dropFirst().enumerated() {
            guard r.count == header.count else {
                throw SweepError.directory(path: path, reason: "line \(i + 2) has \(r.count) fields, the header \(header.count)")
            }
            rows.append(Dictionary(uniqueKeysWithValues: zip(header, r).map { ($0, $1) }))
        }
        return (header, rows)
    }
}
