import Foundation

/// A rectangle in SVG pixels.
struct Box {
    var x, y, w, h: Double
    var maxX: Double { x + w }
    var maxY: Double { y + h }
}

/// Draws a `Panel` (axes, ticks, grid, curves, markers, reference lines, legend, notes) into an
/// `SVGDocument`. Layout is computed from estimated text widths, so long labels shrink the plot, never
/// overlap it; the legend always sits outside the plot area, to its right.
enum PanelRenderer {
    /// Sizes of the text in a panel.
    struct Fonts {
        var title = 13.0
        var axisLabel = 12.0
        var tick = 11.0
        var legend = 11.5
        var note = 9.5
    }

    /// The axes a panel gets and how many finite values a log y axis had to leave out.
    struct Scales {
        var x: Axis
        var y: Axis
        /// The x data range (nil without data), for re-ticking once the plot's width is known.
        var xRange: (Double, Double)?
        var omitted: Int
        var hasData: Bool
        /// The log axis' floor (`Panel.logFloor`) when some values lay below it, and how many did.
        var floor: Double? = nil
        var floored = 0
    }

    static func scales(for panel: Panel, logDecades: Double) -> Scales {
        var xs: [Double] = [], ys: [Double] = []
        for s in panel.series {
            for (x, y) in zip(s.x, s.y) where x.isFinite {
                xs.append(x)
                if y.isFinite { ys.append(y) }
            }
        }
        let refs = panel.references.map(\.value).filter(\.isFinite)
        let kind = panel.yScale ?? Axis.chooseScale(for: ys + refs, decades: logDecades)
        let xAxis = xs.isEmpty ? Axis.linear(min: 0, max: 1) : Axis.linear(min: xs.min()!, max: xs.max()!, tight: true)
        var omitted = 0, floored = 0
        let yAxis: Axis
        switch kind {
        case .linear:
            let all = ys + refs
            yAxis = all.isEmpty ? Axis.linear(min: 0, max: 1) : Axis.linear(min: all.min()!, max: all.max()!)
        case .log:
            var positive = (ys + refs).filter { $0 > 0 }
            omitted = ys.count - ys.filter { $0 > 0 }.count
            if let f = panel.logFloor {
                floored = ys.filter { $0 > 0 && $0 < f }.count
                positive = positive.map { Swift.max($0, f) }
            }
            yAxis = positive.isEmpty ? Axis.log(minPositive: 0.1, maxPositive: 1)
                : Axis.log(minPositive: positive.min()!, maxPositive: positive.max()!)
        }
        var sc = Scales(x: xAxis, y: yAxis, xRange: xs.isEmpty ? nil : (xs.min()!, xs.max()!), omitted: omitted, hasData: !ys.isEmpty)
        if floored > 0 { sc.floor = panel.logFloor; sc.floored = floored }
        return sc
    }

    /// Legend width for `entries` (0 if none).
    static func legendWidth(_ entries: [(label: String, style: SeriesStyle, empty: Bool)], title: String?, fonts: Fonts) -> Double {
        guard !entries.isEmpty else { return 0 }
        var w = entries.map { RichText.width($0.label + ($0.empty ? " (no data)" : ""), size: fonts.legend) }.max()! + 34
        if let title { w = max(w, RichText.width(title, size: fonts.legend) + 4) }
        return w
    }

    /// Draws the legend with its top-left corner at (x, y); returns the y below its last entry.
    @discardableResult
    static func drawLegend(_ entries: [(label: String, style: SeriesStyle, empty: Bool)], title: String?,
                           at x: Double, _ y: Double, fonts: Fonts, into doc: inout SVGDocument) -> Double {
        var cy = y
        doc.open(group: "class=\"legend\"")
        if let title {
            doc.text(x, cy + fonts.legend * 0.8, title, size: fonts.legend, weight: "bold")
            cy += fonts.legend * 1.55
        }
        for e in entries {
            let mid = cy + fonts.legend * 0.45
            doc.open(group: "class=\"legend-entry\"")
            doc.line(x, mid, x + 26, mid, stroke: e.style.color, width: e.style.width, dash: e.style.dash)
            if let m = e.style.marker { doc.raw(m.svg(x: x + 13, y: mid, r: 3.2, color: e.style.color) + "\n") }
            doc.text(x + 32, cy + fonts.legend * 0.8, e.label + (e.empty ? " (no data)" : ""), size: fonts.legend,
                     fill: e.empty ? "#777777" : "#000000")
            doc.close()
            cy += fonts.legend * 1.6
        }
        doc.close()
        return cy
    }

    /// Draws `panel` inside `box`. With `legend`, the legend and any note ("12 values ≤ 0 not shown")
    /// go in a column at the right of the box; without, the note is returned for the caller to place.
    @discardableResult
    static func draw(_ panel: Panel, in box: Box, legend: Bool, fonts: Fonts = Fonts(), logDecades: Double,
                     into doc: inout SVGDocument) -> String? {
        var sc = scales(for: panel, logDecades: logDecades)
        let entries = panel.legendEntries
        let legendW = legend ? legendWidth(entries, title: panel.legendTitle, fonts: fonts) : 0
        let yTickW = sc.y.ticks.compactMap(\.label).map { RichText.width($0, size: fonts.tick) }.max() ?? 10
        let lastXTickHalf = (sc.x.ticks.last?.label).map { RichText.width($0, size: fonts.tick) / 2 } ?? 0

        let top = box.y + fonts.title * 1.9
        let left = box.x + fonts.axisLabel * 1.3 + yTickW + 22
        let right = box.maxX - max(lastXTickHalf + 4, legendW > 0 ? legendW + 22 : 10)
        let bottom = box.maxY - fonts.tick * 1.6 - fonts.axisLabel * 1.9
        let plot = Box(x: left, y: top, w: max(right - left, 20), h: max(bottom - top, 20))
        // Fewer x ticks when their labels would crowd (a narrow overview cell, six-digit steps).
        if let (a, b) = sc.xRange {
            for target in stride(from: 6, through: 2, by: -1) {
                let axis = Axis.linear(min: a, max: b, target: target, tight: true)
                let widest = axis.ticks.compactMap(\.label).map { RichText.width($0, size: fonts.tick) }.max() ?? 0
                sc.x = axis
                if (widest + 16) * Double(axis.ticks.count) <= plot.w { break }
            }
        }

        doc.open(group: "class=\"panel\" data-name=\"\(xmlEscape(panel.name))\" data-yscale=\"\(sc.y.scale.rawValue)\"")
        let titleW = RichText.width(panel.title, size: fonts.title) * 1.08  // bold is wider
        let titleSize = min(fonts.title, fonts.title * (box.maxX - plot.x - 4) / max(titleW, 1))
        doc.text(plot.x, box.y + fonts.title * 1.1, panel.title, size: titleSize, weight: "bold", cls: "panel-title")

        // Grid, then frame and ticks.
        let px = { (v: Double) in plot.x + sc.x.fraction(v) * plot.w }
        let py = { (v: Double) in plot.maxY - sc.y.fraction(v) * plot.h }
        for t in sc.y.ticks where t.major { doc.line(plot.x, py(t.value), plot.maxX, py(t.value), stroke: "#e6e6e6") }
        for t in sc.x.ticks where t.major { doc.line(px(t.value), plot.y, px(t.value), plot.maxY, stroke: "#e6e6e6") }
        doc.rect(plot.x, plot.y, plot.w, plot.h, stroke: "#222222", width: 1, cls: "frame")
        doc.open(group: "class=\"y-axis\" data-scale=\"\(sc.y.scale.rawValue)\"")
        for t in sc.y.ticks {
            let y = py(t.value)
            doc.line(plot.x - (t.major ? 5 : 3), y, plot.x, y, stroke: "#222222")
            if let l = t.label { doc.text(plot.x - 8, y + fonts.tick * 0.36, l, size: fonts.tick, anchor: .end, cls: "tick-label") }
        }
        doc.close()
        doc.open(group: "class=\"x-axis\" data-scale=\"\(sc.x.scale.rawValue)\"")
        for t in sc.x.ticks {
            let x = px(t.value)
            doc.line(x, plot.maxY, x, plot.maxY + (t.major ? 5 : 3), stroke: "#222222")
            if let l = t.label { doc.text(x, plot.maxY + 7 + fonts.tick, l, size: fonts.tick, anchor: .middle, cls: "tick-label") }
        }
        doc.close()
        // Axis labels: the y label shrinks to fit the plot's height.
        doc.text(plot.x + plot.w / 2, plot.maxY + 9 + fonts.tick + fonts.axisLabel * 1.35, panel.xLabel,
                 size: fonts.axisLabel, anchor: .middle, cls: "axis-label")
        let ySize = min(fonts.axisLabel, fonts.axisLabel * (plot.h - 4) / max(RichText.width(panel.yLabel, size: fonts.axisLabel), 1))
        let yLabelX = plot.x - yTickW - 19
        doc.text(yLabelX, plot.y + plot.h / 2, panel.yLabel, size: ySize, anchor: .middle, rotate: -90, cls: "axis-label")

        for (i, s) in panel.series.enumerated() {
            let floor = sc.floor ?? 0
            let pyFloored = { (v: Double) in py(v > 0 ? Swift.max(v, floor) : v) }
            drawCurve(s, index: i, of: panel.series.count, plot: plot, px: px, py: pyFloored, accepts: sc.y.accepts, into: &doc)
        }
        // Reference lines over the curves: where a curve reaches the prediction, the dashes stay visible on it.
        for r in panel.references where sc.y.accepts(r.value) {
            doc.line(plot.x, py(r.value), plot.maxX, py(r.value), stroke: r.style.color, width: r.style.width,
                     dash: r.style.dash, cls: "reference", extra: " data-label=\"\(xmlEscape(r.label))\"")
        }
        if !sc.hasData {
            doc.text(plot.x + plot.w / 2, plot.y + plot.h / 2, "no data", size: fonts.axisLabel, anchor: .middle,
                     fill: "#777777", italic: true, cls: "no-data")
        }

        let note = omissionNote(sc)
        var unplaced = note
        if legend {
            let below = entries.isEmpty ? plot.y : drawLegend(entries, title: panel.legendTitle, at: plot.maxX + 18, plot.y + 2,
                                                              fonts: fonts, into: &doc)
            if let note, legendW > 0 {
                drawNote(note, x: plot.maxX + 18, y: below + 6, width: legendW, fonts: fonts, into: &doc)
                unplaced = nil
            }
        }
        if let note = unplaced, legend {
            // No legend column to put it in: the note goes in the title row, right-aligned.
            doc.text(plot.maxX, box.y + fonts.title * 1.1, note, size: fonts.note, anchor: .end, fill: "#666666",
                     italic: true, cls: "note")
            unplaced = nil
        }
        doc.close()
        return unplaced
    }

    /// "12 values ≤ 0 not shown (log scale)", nil for none.
    static func omissionNote(_ omitted: Int) -> String? {
        omitted > 0 ? "\(omitted) value\(omitted == 1 ? "" : "s") ≤ 0 not shown (log scale)" : nil
    }

    /// The omission note, and "5 values below 2.2e-16 (round-off) drawn at that floor" for a floored axis.
    static func omissionNote(_ sc: Scales) -> String? {
        var notes: [String] = []
        if let n = omissionNote(sc.omitted) { notes.append(n) }
        if let f = sc.floor, sc.floored > 0 {
            notes.append("\(sc.floored) value\(sc.floored == 1 ? "" : "s") below \(String(format: "%.2g", f)) (round-off) drawn at that floor")
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// The lines of `note` wrapped to `width` pixels.
    static func wrap(_ note: String, width: Double, size: Double) -> [String] {
        var lines: [String] = [], current = ""
        for word in note.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if RichText.width(candidate, size: size) > max(width, 90), !current.isEmpty {
                lines.append(current)
                current = String(word)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// A note wrapped to `width` pixels, one `<text>` per line; returns the y below it.
    @discardableResult
    static func drawNote(_ note: String, x: Double, y: Double, width: Double, fonts: Fonts, into doc: inout SVGDocument) -> Double {
        let lines = wrap(note, width: width, size: fonts.note)
        for (i, l) in lines.enumerated() {
            doc.text(x, y + fonts.note * (1 + 1.3 * Double(i)), l, size: fonts.note, fill: "#666666", italic: true, cls: "note")
        }
        return y + fonts.note * (0.4 + 1.3 * Double(lines.count))
    }

    /// One curve as a single `<path>` (a subpath per run of drawable points), isolated points as dots,
    /// and up to seven markers spread along it, offset per curve so that coinciding curves stay visible.
    /// Runs with more points than the plot has pixels are thinned to the first, lowest, highest and last
    /// point of each pixel column, which draws the same picture.
    private static func drawCurve(_ s: Series, index: Int, of count: Int, plot: Box, px: (Double) -> Double,
                                  py: (Double) -> Double, accepts: (Double) -> Bool, into doc: inout SVGDocument) {
        var runs: [[(Double, Double)]] = [], run: [(Double, Double)] = []
        var drawable: [(Double, Double)] = []
        for (x, y) in zip(s.x, s.y) {
            if x.isFinite, accepts(y) {
                let p = (px(x), py(y))
                run.append(p)
                drawable.append(p)
            } else if !run.isEmpty {
                runs.append(run)
                run = []
            }
        }
        if !run.isEmpty { runs.append(run) }
        let label = xmlEscape(s.label)
        var d = ""
        var dots: [(Double, Double)] = []
        for r in runs {
            if r.count == 1 { dots.append(r[0]); continue }
            let pts = r.count > 3 * Int(plot.w) ? thin(r) : r
            d += "M" + SVGDocument.num(pts[0].0) + " " + SVGDocument.num(pts[0].1)
            for p in pts.dropFirst() { d += "L" + SVGDocument.num(p.0) + " " + SVGDocument.num(p.1) }
        }
        doc.open(group: "class=\"series\" data-label=\"\(label)\"")
        if !d.isEmpty {
            doc.path(d, stroke: s.style.color, width: s.style.width, dash: s.style.dash, cls: "curve",
                     extra: " data-label=\"\(label)\"")
        }
        for p in dots {
            doc.raw("<circle class=\"dot\" cx=\"\(SVGDocument.num(p.0))\" cy=\"\(SVGDocument.num(p.1))\" r=\"1.8\" fill=\"\(s.style.color)\"/>\n")
        }
        if let m = s.style.marker, !drawable.isEmpty {
            let k = min(7, drawable.count)
            let phase = (0.5 + 0.61803398875 * Double(index)).truncatingRemainder(dividingBy: 1)
            var used = Set<Int>()
            for j in 0..<k {
                let i = min(drawable.count - 1, Int((Double(j) + phase) / Double(k) * Double(drawable.count)))
                guard used.insert(i).inserted else { continue }
                doc.raw(m.svg(x: drawable[i].0, y: drawable[i].1, r: 3.2, color: s.style.color) + "\n")
            }
        }
        doc.close()
    }

    /// Min–max thinning per pixel column, keeping the points in their original order.
    static func thin(_ r: [(Double, Double)]) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        var i = 0
        while i < r.count {
            let col = r[i].0.rounded(.down)
            var j = i, lo = i, hi = i
            while j < r.count, r[j].0.rounded(.down) == col {
                if r[j].1 < r[lo].1 { lo = j }
                if r[j].1 > r[hi].1 { hi = j }
                j += 1
            }
            for k in Set([i, lo, hi, j - 1]).sorted() { out.append(r[k]) }
            i = j
        }
        return out
    }
}
