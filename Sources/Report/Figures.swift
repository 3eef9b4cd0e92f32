import Foundation

/// Choices for the figures of a run.
public struct FigureOptions: Sendable {
    /// Draw the NC2-vs-simplex-ETF panel (runs with an unregularized bias).
    public var includeETF: Bool
    /// A y axis becomes logarithmic when its positive values span more than this many decades.
    public var logDecades: Double
    /// Size of each single-panel figure, in pixels.
    public var width: Double
    public var height: Double
    /// Size of one cell of `overview.svg`.
    public var cellWidth: Double
    public var cellHeight: Double

    public init(includeETF: Bool = false, logDecades: Double = 2, width: Double = 680, height: Double = 430,
                cellWidth: Double = 330, cellHeight: Double = 270) {
        self.includeETF = includeETF
        self.logDecades = logDecades
        self.width = width
        self.height = height
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
    }
}

/// One rendered figure: `figures/<filename>`.
public struct RenderedFigure: Sendable {
    public var name: String
    public var filename: String { name + ".svg" }
    /// The panel's title (for the overview, the run's title).
    public var title: String
    public var caption: String
    public var svg: String

    public init(name: String, title: String, caption: String, svg: String) {
        self.name = name
        self.title = title
        self.caption = caption
        self.svg = svg
    }
}

/// The figures of a run, like those of Tirer & Bruna (ICML 2022, Figs. 3–5, 8, 9) and Súkeník et al.
/// (NeurIPS 2023): the objective against the theory's value, NC1, NC2 and NC3 per feature level (and loss
/// and accuracy for networks) against the step or epoch, as standalone SVG files plus `overview.svg`
/// with the main panels side by side.
public enum Figures {
    /// The panels a metrics table supports, in display order.
    public static func panels(table: MetricsTable, theoryObjective: Double?, options: FigureOptions = FigureOptions()) -> [Panel] {
        guard let xName = table.columns.first else { return [] }
        let x = values(table, 0)
        let xLabel = MetricCatalog.xLabel(xName)
        var panels: [Panel] = []
        var used: Set<String> = [xName]

        // Per-level families: levels in order of first appearance, one style per level across all panels.
        var levels: [String] = []
        var byFamily: [String: [(level: String, column: Int)]] = [:]
        for (j, c) in table.columns.enumerated().dropFirst() where PerClassColumn(c) == nil {
            guard let (f, level) = MetricCatalog.classify(c) else { continue }
            if !levels.contains(level) { levels.append(level) }
            byFamily[f.key, default: []].append((level, j))
            used.insert(c)
        }
        let named = levels.contains { !$0.isEmpty && Int($0) == nil }
        let levelPanel = { (f: MetricFamily) -> Panel? in
            guard let cols = byFamily[f.key] else { return nil }
            let series = cols.map { lc in
                let (sx, sy) = measured(table, lc.column)
                return Series(label: lc.level.isEmpty ? f.key.uppercased() : MetricCatalog.levelLabel(lc.level), x: sx,
                              y: sy, style: SeriesStyle.indexed(levels.firstIndex(of: lc.level)!))
            }
            return Panel(name: f.key, title: f.title, xLabel: xLabel, yLabel: f.yLabel, caption: f.caption,
                         series: series, legendTitle: named ? "layer" : "feature level", logFloor: f.logFloor)
        }

        if let j = table.columns.firstIndex(of: "objective") {
            used.insert("objective")
            let y = values(table, j)
            let refs = theoryObjective.flatMap { $0.isFinite ? [ReferenceLine(label: "theory (\(String(format: "%.4g", $0)))", value: $0)] : nil } ?? []
            panels.append(Panel(
                name: "objective", title: refs.isEmpty ? "objective" : "objective vs. theory", xLabel: xLabel,
                yLabel: "objective f (regularized loss)",
                caption: "The training objective f (fit term plus regularization)"
                    + (refs.isEmpty ? "." : "; the dashed line is the closed-form global minimum predicted by the theory."),
                series: [Series(label: "objective", x: x, y: y, style: .single)], references: refs))
            if let t = theoryObjective, t.isFinite {
                panels.append(Panel(
                    name: "objective_gap", title: "gap to the theory's minimum", xLabel: xLabel,
                    yLabel: "f − f_{theory}",
                    caption: "The objective minus the theory's global minimum. Non-positive values (at or below the "
                        + "prediction, up to rounding) cannot be drawn on a log scale and are counted in a note.",
                    series: [Series(label: "f − f_theory", x: x, y: y.map { $0 - t }, style: .single)]))
            }
        }
        panels += splitPanel(table, x: x, xLabel: xLabel, key: "loss", title: "loss", yLabel: "loss", used: &used)
        panels += splitPanel(table, x: x, xLabel: xLabel, key: "accuracy", title: "accuracy", yLabel: "accuracy", used: &used)
        for f in MetricCatalog.perLevel {
            if f.key == "nc2_etf", !options.includeETF { continue }
            if let p = levelPanel(f) { panels.append(p) }
        }
        if let j = table.columns.firstIndex(of: "gradient_norm") {
            used.insert("gradient_norm")
            panels.append(Panel(name: "gradient_norm", title: "gradient norm", xLabel: xLabel, yLabel: "‖∇f‖",
                                caption: "Euclidean norm of the gradient of the objective over all parameters.",
                                series: [Series(label: "‖∇f‖", x: x, y: values(table, j), style: .single)]))
        }
        panels += perClassPanels(table, xLabel: xLabel, used: &used)
        used.insert("fit")
        // Any other column gets a plain panel, so new metrics are visible before they are catalogued.
        // Rows that did not measure the column (e.g. `measure.every = 2`) are left out, so the curve connects.
        for (j, c) in table.columns.enumerated() where !used.contains(c) && !c.isEmpty {
            let (sx, sy) = measured(table, j)
            panels.append(Panel(name: safeName(c), title: c, xLabel: xLabel, yLabel: c, caption: "Column '\(c)' of metrics.csv.",
                                series: [Series(label: c, x: sx, y: sy, style: .single)]))
        }
        return panels
    }

    /// Every figure: one file per panel, then `overview`.
    public static func render(table: MetricsTable, title: String, theoryObjective: Double?,
                              options: FigureOptions = FigureOptions()) -> [RenderedFigure] {
        let all = panels(table: table, theoryObjective: theoryObjective, options: options)
        var out = all.map { p in
            RenderedFigure(name: p.name, title: RichText.plain(p.title), caption: p.caption,
                           svg: renderPanel(p, title: title, options: options))
        }
        let overviewPanels = overview(all)
        out.append(RenderedFigure(name: "overview", title: title,
                                  caption: "Overview: " + overviewPanels.map { RichText.plain($0.title) }.joined(separator: "; ") + ".",
                                  svg: renderOverview(overviewPanels, title: title, options: options)))
        return out
    }

    /// The panels of the overview: objective (or loss and accuracy), then NC1, NC2 and NC3.
    static func overview(_ panels: [Panel]) -> [Panel] {
        let keep = Set(["objective", "loss", "accuracy"]).union(MetricCatalog.perLevel.filter(\.inOverview).map(\.key))
        let perClass = panels.contains { $0.name == "test_accuracy_per_class" } ? "test_accuracy_per_class" : "eval_accuracy_per_class"
        return panels.filter { keep.contains($0.name) || $0.name.hasPrefix("mean_norm") || $0.name == "w_norm"
            || $0.name == "minority_angle" || $0.name == perClass }
    }

    /// A standalone figure of one panel, with the run's title above it and the legend to its right.
    public static func renderPanel(_ panel: Panel, title: String, options: FigureOptions = FigureOptions()) -> String {
        var doc = SVGDocument(width: options.width, height: options.height)
        doc.text(14, 24, title, size: 15, weight: "bold", cls: "figure-title")
        let showLegend = panel.legendEntries.count >= 2 || panel.legendTitle != nil
        PanelRenderer.draw(panel, in: Box(x: 6, y: 36, w: options.width - 14, h: options.height - 42),
                           legend: showLegend, logDecades: options.logDecades, into: &doc)
        return doc.render(title: "\(title): \(RichText.plain(panel.title))")
    }

    /// The overview: panels in a grid (one row for up to four, otherwise rows of three or four) and one
    /// shared legend (the per-level styles are the same in every panel), placed in the empty cells of the
    /// last row when it fits there and in a column at the right otherwise; notes about omitted values
    /// go under the legend.
    public static func renderOverview(_ panels: [Panel], title: String, options: FigureOptions = FigureOptions()) -> String {
        let n = max(panels.count, 1)
        let columns = n <= 4 ? n : (n <= 6 ? 3 : 4)
        let rows = (n + columns - 1) / columns
        let fonts = PanelRenderer.Fonts()
        var groups: [(title: String?, entries: [(label: String, style: SeriesStyle, empty: Bool)])] = []
        for p in panels where p.legendEntries.count >= 2 || p.legendTitle != nil {
            let t = p.legendTitle
            var entries = p.legendEntries
            if let g = groups.firstIndex(where: { $0.title == t }) {
                entries.removeAll { e in groups[g].entries.contains { $0.label == e.label } }
                groups[g].entries += entries
            } else {
                groups.append((t, entries))
            }
        }
        let notes = panels.compactMap { p in
            PanelRenderer.omissionNote(PanelRenderer.scales(for: p, logDecades: options.logDecades)).map {
                (RichText.plain(p.title).split(separator: ":").first.map(String.init) ?? p.name) + ": " + $0
            }
        }
        var sideW = groups.map { PanelRenderer.legendWidth($0.entries, title: $0.title, fonts: fonts) }.max() ?? 0
        if !notes.isEmpty { sideW = max(sideW, 160) }
        var sideH = groups.map { Double($0.entries.count) * fonts.legend * 1.6 + ($0.title != nil ? fonts.legend * 1.55 : 0) + 12 }
            .reduce(0, +)
        sideH += notes.map { Double(PanelRenderer.wrap($0, width: sideW, size: fonts.note).count) * fonts.note * 1.3 + 4 }.reduce(0, +)
        let header = 40.0
        let emptyCells = rows * columns - panels.count
        let inCell = emptyCells > 0 && sideW + 40 <= Double(emptyCells) * options.cellWidth && sideH + 40 <= options.cellHeight
        let width = Double(columns) * options.cellWidth + (sideW > 0 && !inCell ? sideW + 28 : 8)
        let height = header + Double(rows) * options.cellHeight + 6
        var doc = SVGDocument(width: width, height: height)
        doc.text(14, 26, title, size: 16, weight: "bold", cls: "figure-title")
        for (i, p) in panels.enumerated() {
            let box = Box(x: 6 + Double(i % columns) * options.cellWidth, y: header + Double(i / columns) * options.cellHeight,
                          w: options.cellWidth - 8, h: options.cellHeight - 8)
            PanelRenderer.draw(p, in: box, legend: false, logDecades: options.logDecades, into: &doc)
        }
        var y = inCell ? header + Double(rows - 1) * options.cellHeight + 34 : header + 26
        let sideX = inCell ? 6 + Double(panels.count % columns) * options.cellWidth + 40 : Double(columns) * options.cellWidth + 16
        for g in groups {
            y = PanelRenderer.drawLegend(g.entries, title: g.title, at: sideX, y, fonts: fonts, into: &doc) + 12
        }
        for note in notes {
            y = PanelRenderer.drawNote(note, x: sideX, y: y - 6, width: sideW, fonts: fonts, into: &doc) + 10
        }
        if panels.isEmpty {
            doc.text(width / 2, header + options.cellHeight / 2, "no metrics to plot", size: 13, anchor: .middle,
                     fill: "#777777", italic: true, cls: "no-data")
        }
        return doc.render(title: title)
    }

    // MARK: helpers

    /// A column's values with missing entries as NaN.
    static func values(_ table: MetricsTable, _ j: Int) -> [Double] { table.rows.map { $0[j] ?? .nan } }

    /// The rows where column `j` was measured, as (x, y): an empty cell (a row that did not measure this
    /// column, e.g. with `measure.every = 2`) is left out, so the curve connects the measured rows, as in
    /// Tirer & Bruna's Fig. 5. A non-finite value that was written (`nan`, `inf`) stays and breaks the curve.
    static func measured(_ table: MetricsTable, _ j: Int) -> (x: [Double], y: [Double]) {
        var xs: [Double] = [], ys: [Double] = []
        for r in table.rows {
            guard let y = r[j] else { continue }
            xs.append(r[0] ?? .nan)
            ys.append(y)
        }
        return (xs, ys)
    }

    /// Loss or accuracy: the column `key` and any `key_<split>` / `<split>_key` columns, one curve each.
    private static func splitPanel(_ table: MetricsTable, x: [Double], xLabel: String, key: String, title: String,
                                   yLabel: String, used: inout Set<String>) -> [Panel] {
        var cols: [(label: String, column: Int)] = []
        for (j, c) in table.columns.enumerated().dropFirst() where !used.contains(c) {
            if c == key { cols.append(("train", j)) }
            else if c.hasPrefix(key + "_") { cols.append((String(c.dropFirst(key.count + 1)), j)) }
            else if c.hasSuffix("_" + key) { cols.append((String(c.dropLast(key.count + 1)), j)) }
        }
        guard !cols.isEmpty else { return [] }
        // The bare column is the training value; it is called "train" only next to other splits.
        if cols.count == 1, table.columns[cols[0].column] == key { cols[0].label = key }
        for (_, j) in cols { used.insert(table.columns[j]) }
        // One distinct style per split (color, marker and dash), as Tirer & Bruna's Fig. 5 draws train and test;
        // open markers and colors the first levels do not use, so a split is never mistaken for a layer.
        let splitStyles = [SeriesStyle.single, SeriesStyle(color: "#666666", marker: .openCircle, dash: "7 3"),
                           SeriesStyle(color: SeriesStyle.palette[4], marker: .openSquare, dash: "2 2.5")]
        let series = cols.enumerated().map { i, c in
            let (sx, sy) = measured(table, c.column)
            return Series(label: c.label, x: sx, y: sy, style: i < splitStyles.count ? splitStyles[i] : SeriesStyle.indexed(i + 2))
        }
        let legendTitle: String? = series.count > 1 ? "data" : nil
        let percent = series.contains { $0.y.contains { $0.isFinite && $0 > 1 } }
        return [Panel(name: key, title: title, xLabel: xLabel, yLabel: key == "accuracy" && percent ? "accuracy (%)" : yLabel,
                      caption: key == "accuracy" ? "Classification accuracy." : "The training loss (the network's objective).",
                      series: series, yScale: key == "accuracy" ? .linear : nil, legendTitle: legendTitle)]
    }

    /// A file-name-safe stem for a column name.
    static func safeName(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
    }
}
