/// A per-class column of metrics.csv: `<family>_c<k>` or `<family>_c<k>_<level>`, e.g. `mean_norm_c3_stage4`,
/// `w_norm_c3`, `nc1_c3_2`, `test_accuracy_c3`.
struct PerClassColumn: Equatable {
    static let families = ["mean_norm", "w_norm", "nc1", "eval_accuracy", "test_accuracy"]
    var family: String
    var k: Int
    var level: String

    init(family: String, k: Int, level: String) { (self.family, self.k, self.level) = (family, k, level) }

    init?(_ column: String) {
        // The longest family first, so that e.g. `nc1_trace_…` is never read as `nc1`.
        for f in Self.families.sorted(by: { $0.count > $1.count }) where column.hasPrefix(f + "_c") {
            let rest = column.dropFirst(f.count + 2)
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let k = Int(digits) else { continue }
            let tail = rest.dropFirst(digits.count)
            if tail.isEmpty { (family, self.k, level) = (f, k, ""); return }
            if tail.first == "_", tail.count > 1 { (family, self.k, level) = (f, k, String(tail.dropFirst())); return }
        }
        return nil
    }
}

extension Figures {
    /// The per-class panels of an unbalanced run (docs/metrics.md, "Imbalance"), one curve per class:
    /// the class-mean norms ‖μ_k‖ per level (`mean_norm_c{k}_<level>`), the classifier-row norms ‖w_k‖
    /// (`w_norm_c{k}`), each class's share of NC1 per level (`nc1_c{k}_<level>`), and the accuracy on each
    /// class's training (eval mode) and test samples (`eval_accuracy_c{k}`, `test_accuracy_c{k}`). Minority
    /// collapse (Fang et al., PNAS 2021) shows as the minority curves of the norms and of the test accuracy
    /// falling below the majority ones.
    static func perClassPanels(_ table: MetricsTable, xLabel: String, used: inout Set<String>) -> [Panel] {
        var groups: [(family: String, level: String, series: [(k: Int, column: Int)])] = []
        for (j, c) in table.columns.enumerated() where !used.contains(c) {
            guard let p = PerClassColumn(c) else { continue }
            if let i = groups.firstIndex(where: { $0.family == p.family && $0.level == p.level }) { groups[i].series.append((p.k, j)) }
            else { groups.append((p.family, p.level, [(p.k, j)])) }
            used.insert(c)
        }
        func levelsOf(_ family: String) -> Int { groups.filter { $0.family == family }.count }
        var out: [Panel] = []
        for family in PerClassColumn.families {
            for g in groups where g.family == family {
                let series = g.series.map { kc in
                    let (sx, sy) = measured(table, kc.column)
                    return Series(label: "class \(kc.k)", x: sx, y: sy, style: SeriesStyle.indexed(kc.k))
                }
                let at = g.level.isEmpty ? "" : ", " + MetricCatalog.levelLabel(g.level)
                let name = levelsOf(family) == 1 ? Self.perClassName(family) : safeName(Self.perClassName(family) + "_" + g.level)
                switch family {
                case "mean_norm":
                    out.append(Panel(name: name, title: "class-mean norms" + at, xLabel: xLabel, yLabel: "‖μ_{k}‖",
                        caption: "The norm of each class's (uncentered) feature mean at \(MetricCatalog.levelLabel(g.level)), one curve per "
                            + "class. Under minority collapse (Fang et al., PNAS 2021) the minority classes' means shrink relative to the "
                            + "majority's; the bias-free MSE optimum is a general orthogonal frame with norms set by the counts (Dang et al., ICML 2023).",
                        series: series, yScale: .linear, legendTitle: "class"))
                case "w_norm":
                    out.append(Panel(name: name, title: "classifier-row norms", xLabel: xLabel, yLabel: "‖w_{k}‖",
                        caption: "The norm of each row w_k of the classifier, one curve per class. Under minority collapse "
                            + "(Fang et al., PNAS 2021) the minority rows shrink and collapse onto each other (see minority_angle).",
                        series: series, yScale: .linear, legendTitle: "class"))
                case "nc1":
                    out.append(Panel(name: name, title: "per-class share of NC1" + at, xLabel: xLabel, yLabel: "c_{k} = Tr(S_{k} Σ_{B}^{+})/(K N)",
                        caption: "Each class's share c_k of NC1 (the within-class scatter S_k of class k against Σ_B's pseudo-inverse, "
                            + "divided by K·N), one curve per class; the shares add up to NC1. A large class weighs in with its count.",
                        series: series, legendTitle: "class", logFloor: 2.220446049250313e-16))
                default:
                    let split = family == "test_accuracy" ? "test" : "training (eval mode)"
                    out.append(Panel(name: name, title: "per-class \(family == "test_accuracy" ? "test" : "training") accuracy",
                        xLabel: xLabel, yLabel: "accuracy on class k",
                        caption: "The fraction of class k's \(split) samples classified as k, one curve per class. Under minority "
                            + "collapse (Fang et al., PNAS 2021) the minority classes' test accuracy falls towards 0 while their "
                            + "training accuracy stays high.",
                        series: series, yScale: .linear, legendTitle: "class"))
                }
            }
        }
        return out
    }

    /// The file stem of a per-class family's panel: `mean_norm`, `w_norm`, `nc1_per_class`, `…_accuracy_per_class`.
    static func perClassName(_ family: String) -> String {
        family == "mean_norm" || family == "w_norm" ? family : family + "_per_class"
    }
}
