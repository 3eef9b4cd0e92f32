import Foundation

/// The data of a phase diagram: one value per cell of an x × y grid of axis values, with the cells that
/// lack points marked, and optionally a boundary curve in data coordinates.
public struct HeatMap: Sendable {
    public var name: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var valueLabel: String
    public var caption: String
    /// The distinct axis values, increasing.
    public var xs: [Double]
    public var ys: [Double]
    /// cells[j][i]: the value at (xs[i], ys[j]); NaN when no point of the cell has a finite value.
    public var cells: [[Double]]
    /// missing[j][i]: some point of the cell has no result (a partial collect); drawn hatched.
    public var missing: [[Bool]]
    /// Whether each axis is drawn (and the boundary interpolated) on a log₁₀ scale.
    public var xLog: Bool
    public var yLog: Bool
    /// The theory's boundary, (x, y) in data units, and its legend label.
    public var boundary: [(x: Double, y: Double)]
    public var boundaryLabel: String
    /// A fixed color range (e.g. [0, 1] for a fraction); nil takes the range of the finite values.
    public var valueRange: (Double, Double)?

    public init(name: String, title: String, xLabel: String, yLabel: String, valueLabel: String, caption: String,
                xs: [Double], ys: [Double], cells: [[Double]], missing: [[Bool]], xLog: Bool, yLog: Bool,
                boundary: [(x: Double, y: Double)] = [], boundaryLabel: String = "") {
        self.name = name; self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.valueLabel = valueLabel
        self.caption = caption; self.xs = xs; self.ys = ys; self.cells = cells; self.missing = missing
        self.xLog = xLog; self.yLog = yLog; self.boundary = boundary; self.boundaryLabel = boundaryLabel
    }

    /// Whether axis values should be drawn on a log scale: all positive, spanning more than a decade, and
    /// closer to equal ratios than to equal steps.
    public static func prefersLog(_ v: [Double]) -> Bool {
        guard v.count >= 3, let lo = v.min(), let hi = v.max(), lo > 0, hi / lo > 10 else { return false }
        let s = v.sorted()
        let ratios = zip(s.dropFirst(), s).map { $0 / $1 }, steps = zip(s.dropFirst(), s).map { $0 - $1 }
        func spread(_ a: [Double]) -> Double { (a.max()! - a.min()!) / max(abs(a.max()!), 1e-300) }
        return spread(ratios) < spread(steps)
    }
}

/// SVG rendering of `HeatMap`: equal cells in axis-value order (the axis values label the cells), a
/// perceptually ordered color scale (viridis, van der Walt & Smith 2015) with a color bar, log-scaled when
/// the positive values span more than two decades, gray for cells without a finite value, hatching for
/// cells with missing points, and the boundary as a white-edged black curve (positions interpolated
/// between cell centers, in log₁₀ for log axes).
public enum HeatMapRenderer {
    /// Viridis at 9 stops.
    static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
    ]

    static func color(_ t: Double) -> String {
        let u = min(max(t, 0), 1) * Double(viridis.count - 1)
        let i = min(Int(u), viridis.count - 2), f = u - Double(i)
        let (a, b) = (viridis[i], viridis[i + 1])
        func c(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(format: "#%02x%02x%02x", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
    }

    /// The fractional cell index of `v` among increasing `values` (cell i spans [i, i+1]; center i + 0.5),
    /// linear between neighbouring centers (in log₁₀ when `log`), clamped to the grid.
    public static func position(_ v: Double, in values: [Double], log: Bool) -> Double {
        let f: (Double) -> Double = log ? { log10($0) } : { $0 }
        guard values.count > 1 else { return 0.5 }
        let x = f(v)
        if x <= f(values[0]) { return 0.5 - min(0.5, (f(values[0]) - x) / (f(values[1]) - f(values[0]))) }
        for i in 1..<values.count where x <= f(values[i]) {
            return Double(i) - 0.5 + (x - f(values[i - 1])) / (f(values[i]) - f(values[i - 1]))
        }
        let n = values.count
        return Double(n) - 0.5 + min(0.5, (x - f(values[n - 1])) / (f(values[n - 1]) - f(values[n - 2])))
    }

    /// A short label of an axis value: 3 significant digits, powers of ten for very small or large values.
    public static func label(_ v: Double) -> String {
        if v != 0, abs(v) < 1e-2 || abs(v) >= 1e4 { return Axis.formatScientific(v) }
        if v == v.rounded() { return String(Int(v)) }
        var s = String(format: "%.3g", v)
        if s.hasPrefix("-") { s = "−" + s.dropFirst() }
        return s
    }

    public static func render(_ m: HeatMap, title: String) -> String {
        let nx = max(m.xs.count, 1), ny = max(m.ys.count, 1)
        let cell = min(36.0, max(14.0, 420.0 / Double(max(nx, ny))))
        let left = 92.0, top = 58.0, plotW = cell * Double(nx), plotH = cell * Double(ny)
        let barX = left + plotW + 36, width = max(barX + 110, left + 600), height = top + plotH + 84
        var doc = SVGDocument(width: width, height: height)
        doc.text(14, 24, title, size: 15, weight: "bold", cls: "figure-title")
        doc.text(14, 44, m.title, size: 12.5)

        let finite = m.cells.flatMap { $0 }.filter(\.isFinite)
        let logValues = m.valueRange == nil && Axis.chooseScale(for: finite) == .log
        let shown = logValues ? finite.filter { $0 > 0 } : finite
        let lo = m.valueRange?.0 ?? shown.min() ?? 0, hi = m.valueRange?.1 ?? shown.max() ?? 1
        func t(_ v: Double) -> Double? {
            guard v.isFinite, !logValues || v > 0 else { return nil }
            if hi <= lo { return 0.5 }
            return logValues ? (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) : (v - lo) / (hi - lo)
        }
        doc.raw("<defs><pattern id=\"hatch-\(m.name)\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d00\" stroke-width=\"2\"/></pattern></defs>\n")
        for j in 0..<m.ys.count {
            for i in 0..<m.xs.count {
                let x = left + Double(i) * cell, y = top + plotH - Double(j + 1) * cell
                let v = m.cells[j][i]
                doc.rect(x, y, cell, cell, fill: t(v).map(color) ?? "#bdbdbd", cls: "cell")
                if m.missing[j][i] { doc.rect(x, y, cell, cell, fill: "url(#hatch-\(m.name))", cls: "missing") }
            }
        }
        doc.rect(left, top, plotW, plotH, stroke: "#000000", width: 1)
        // Cell labels: every k-th value so that they do not overlap.
        let every = max(1, Int((44 / cell).rounded(.up)))
        for (i, v) in m.xs.enumerated() where i % every == 0 {
            doc.text(left + (Double(i) + 0.5) * cell, top + plotH + 16, label(v), size: 10.5, anchor: .middle)
        }
        for (j, v) in m.ys.enumerated() where j % max(1, Int((18 / cell).rounded(.up))) == 0 {
            doc.text(left - 6, top + plotH - (Double(j) + 0.5) * cell + 4, label(v), size: 10.5, anchor: .end)
        }
        doc.text(left + plotW / 2, top + plotH + 36, m.xLabel, size: 12.5, anchor: .middle)
        doc.text(20, top + plotH / 2, m.yLabel, size: 12.5, anchor: .middle, rotate: -90)

        if m.boundary.count >= 2 {
            var d = ""
            for (k, p) in m.boundary.enumerated() {
                let px = left + position(p.x, in: m.xs, log: m.xLog) * cell
                let py = top + plotH - position(p.y, in: m.ys, log: m.yLog) * cell
                d += (k == 0 ? "M" : "L") + SVGDocument.num(px) + "," + SVGDocument.num(py)
            }
            doc.path(d, stroke: "#ffffff", width: 4.5, cls: "boundary-halo")
            doc.path(d, stroke: "#000000", width: 2, dash: "7 4", cls: "boundary")
            doc.line(left, top + plotH + 52, left + 26, top + plotH + 52, stroke: "#000000", width: 2, dash: "7 4")
            doc.text(left + 32, top + plotH + 56, m.boundaryLabel, size: 11)
        }

        // Color bar.
        let steps = 40
        for s in 0..<steps {
            let y = top + plotH - Double(s + 1) * plotH / Double(steps)
            doc.rect(barX, y, 14, plotH / Double(steps) + 0.5, fill: color((Double(s) + 0.5) / Double(steps)))
        }
        doc.rect(barX, top, 14, plotH, stroke: "#000000", width: 0.8)
        if !shown.isEmpty, hi <= lo {
            doc.text(barX + 21, top + plotH / 2 + 4, label(lo), size: 10)
        } else if !shown.isEmpty {
            let axis = logValues ? Axis.log(minPositive: lo, maxPositive: max(hi, lo * 1.0000001)) : Axis.linear(min: lo, max: hi, tight: true)
            for tk in axis.ticks where tk.label != nil {
                guard let f = t(tk.value), f >= -1e-9, f <= 1 + 1e-9 else { continue }
                let y = top + plotH - f * plotH
                doc.line(barX + 14, y, barX + 18, y, stroke: "#000000")
                doc.text(barX + 21, y + 4, tk.label!, size: 10)
            }
        }
        doc.text(barX, top - 8, m.valueLabel, size: 11)
        var legend = "gray: no finite value"
        if m.missing.flatMap({ $0 }).contains(true) { legend += "; red hatching: points without a result" }
        doc.text(left, top + plotH + 76, legend, size: 10, fill: "#444444")
        return doc.render(title: "\(title): \(RichText.plain(m.title))")
    }
}
