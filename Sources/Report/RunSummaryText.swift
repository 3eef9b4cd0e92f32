import Foundation

/// The summary a person reads at the end of `collapse run` / `collapse reproduce`: the final objective
/// against the theory's prediction, and the last logged NC metrics per feature level.
///
/// It reads only `summary.json`'s content (`final`, `theory`) and the metrics table, so `collapse plot`
/// and scripts see the same numbers.
public enum RunSummaryText {
    /// The metric families shown per level, in column order.
    public static let families = ["nc1", "nc2_of", "nc2_etf", "nc3", "nc4"]

    /// Relative gap below which a run "matches" the theory in the printed verdict.
    public static let matchTolerance = 1e-6

    public static func render(summary: JSONValue, table: MetricsTable, directory: URL? = nil) -> String {
        var lines: [String] = []
        let final = summary["final"]
        let objective = number(final?["objective"])
        var head = "final      "
        if let s = number(final?["step"]) { head += "step \(Int(s)), " }
        head += "objective \(fmt(objective, 12))"
        if let fit = number(final?["fit"]) { head += " (fit \(fmt(fit, 4)))" }
        if let g = number(final?["gradient_norm"]) { head += ", ‖∇f‖ \(sci(g))" }
        lines.append(head)
        lines.append(contentsOf: theoryLines(summary["theory"], objective: objective))
        lines.append(contentsOf: metricsLines(table))
        if let levels = final?["levels"]?.elements, !levels.isEmpty {
            let ranks = levels.map { l in
                "\(Int(number(l["level"]) ?? 0)): \(Int(number(l["means_rank"]) ?? -1)) (\(Int(number(l["means_effective_rank"]) ?? -1)))"
            }
            lines.append("ranks      of the centered class means per level, numerical (effective, σ > 1% σ₁): " + ranks.joined(separator: ", "))
        }
        if let d = directory {
            lines.append("files      \(d.path)/{metrics.csv, summary.json, params.npz}")
            lines.append("figures    \(d.appendingPathComponent("figures").path)/overview.svg; open \(d.appendingPathComponent("index.html").path)")
        }
        return lines.joined(separator: "\n")
    }

    /// One line for `--quiet`: "done: step 20000, objective 0.1314213562, theory 0.1314213562 (gap +1.2e-11) → DIR".
    public static func finalLine(summary: JSONValue, directory: URL) -> String {
        let final = summary["final"]
        var s = "done: "
        if let st = number(final?["step"]) { s += "step \(Int(st)), " }
        s += "objective \(fmt(number(final?["objective"]), 10))"
        if let t = number(summary["theory"]?["objective"]) {
            s += ", theory \(fmt(t, 10))"
            if let g = number(final?["gap_to_theory"]) {
                let matches = abs(t != 0 ? g / abs(t) : g) <= matchTolerance
                s += " (gap \(String(format: "%+.2g", g))\(matches ? ": matches the theory" : ""))"
            }
        }
        if case .bool(false)? = summary["convergence"]?["converged"] { s += ", NOT converged" }
        return s + " → \(directory.path)"
    }

    static func theoryLines(_ theory: JSONValue?, objective: Double?) -> [String] {
        guard let t = theory else { return [] }
        if case .bool(false)? = t["closed_form"] {
            return ["theory     \(string(t["reason"]) ?? "no closed form for this configuration")"]
        }
        guard let predicted = number(t["objective"]) else { return [] }
        let status = string(t["status"]) ?? "?"
        var lines = ["theory     \(fmt(predicted, 12)) (\(status); \(string(t["reference"]) ?? ""))"]
        guard let f = objective else { return lines }
        let gap = f - predicted
        let rel = predicted != 0 ? gap / abs(predicted) : gap
        var verdict: String
        if abs(rel) <= matchTolerance {
            verdict = "matches the theory"
        } else if gap > 0 {
            verdict = "above the theory's value (not converged yet, or a worse critical point)"
        } else if status == "dnc-candidate" {
            verdict = "BELOW the deep-neural-collapse candidate: the run found a lower-objective (e.g. low-rank) solution, "
                + "a research finding, not an error (Súkeník, Mondelli & Lampert, NeurIPS 2024)"
        } else {
            verdict = "below a proven global optimum: this points at a numerical problem; please report it"
        }
        lines.append("gap        f − f_theory = \(sci(gap)) (\(String(format: "%+.3g", rel * 100))%): \(verdict)")
        return lines
    }

    static func metricsLines(_ table: MetricsTable) -> [String] {
        guard let last = table.rows.last else { return [] }
        var levels: [String] = []
        for c in table.columns where c.hasPrefix("nc1_") && !c.hasPrefix("nc1_trace") && !c.hasPrefix("nc1_topk") {
            levels.append(String(c.dropFirst(4)))
        }
        guard !levels.isEmpty else { return [] }
        let x = table.columns.first ?? "step"
        var lines = ["metrics at the last logged \(x):", "  level    " + families.map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined()]
        for l in levels {
            var row = "  " + l.padding(toLength: 9, withPad: " ", startingAt: 0)
            for f in families {
                let v = table.columns.firstIndex(of: "\(f)_\(l)").flatMap { last[$0] }
                row += (v.map { sci($0) } ?? "-").padding(toLength: 11, withPad: " ", startingAt: 0)
            }
            lines.append(row)
        }
        return lines
    }

    static func number(_ v: JSONValue?) -> Double? { if case .number(let x)? = v { return x }; return nil }
    static func string(_ v: JSONValue?) -> String? { if case .string(let s)? = v { return s }; return nil }
    static func fmt(_ x: Double?, _ digits: Int) -> String { x.map { String(format: "%.\(digits)g", $0) } ?? "?" }
    static func sci(_ x: Double) -> String { x.isFinite ? String(format: "%.3e", x) : "\(x)" }
}
