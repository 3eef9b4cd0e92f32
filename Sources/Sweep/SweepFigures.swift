import Foundation
import Report
import UFM

/// The figures of a sweep, from its results rows: phase diagrams (`HeatMap`) with the theory's boundary,
/// and line plots with the spread over the other axes (usually the seeds).
public struct SweepFigures {
    public var table: SweepResultsTable
    /// Every point's id and overrides (plan.json), the missing ones included.
    public var points: [(id: String, overrides: [String])]
    /// The base config's text (base.toml), for the theory's boundary.
    public var baseText: String

    public init(table: SweepResultsTable, points: [(id: String, overrides: [String])], baseText: String) {
        self.table = table
        self.points = points
        self.baseText = baseText
    }

    /// A column's value in a row as a number (NaN for an empty or non-numeric field).
    static func number(_ s: String?) -> Double {
        guard let s, !s.isEmpty else { return .nan }
        return Double(s) ?? .nan
    }

    /// The value of an axis key or result column for a point without a result: from its overrides (an
    /// axis key), from its config (`depth`), else nil.
    func valueForMissing(_ column: String, overrides: [String]) -> Double? {
        if let o = overrides.last(where: { $0.hasPrefix(column + "=") }) { return Double(o.dropFirst(column.count + 1)) }
        if column == "depth", let c = try? UFMConfig.parse(baseText, overrides: overrides) { return Double(c.model.depth) }
        return nil
    }

    var missingPoints: [(id: String, overrides: [String])] {
        let m = Set(table.missing)
        return points.filter { m.contains($0.id) }
    }

    /// "over init.seed (5 values)" or "over the other axes: …".
    func overWhat(excluding: [String]) -> String {
        let others = table.axes.filter { !excluding.contains($0) }
        guard !others.isEmpty else { return "one point per cell" }
        let counts = others.map { k in "\(k) (\(Set(table.rows.map { $0[k] ?? "" }).count) values)" }
        return "over " + counts.joined(separator: ", ")
    }

    public func heatMap(_ f: PhaseFigure) -> HeatMap {
        let xs = Array(Set(table.rows.map { SweepFigures.number($0[f.x]) }.filter(\.isFinite)
            + missingPoints.compactMap { valueForMissing(f.x, overrides: $0.overrides) })).sorted()
        let ys = Array(Set(table.rows.map { SweepFigures.number($0[f.y]) }.filter(\.isFinite)
            + missingPoints.compactMap { valueForMissing(f.y, overrides: $0.overrides) })).sorted()
        var groups = [[[Double]]](repeating: [[Double]](repeating: [], count: xs.count), count: ys.count)
        var missing = [[Bool]](repeating: [Bool](repeating: false, count: xs.count), count: ys.count)
        for r in table.rows {
            guard let i = xs.firstIndex(of: SweepFigures.number(r[f.x])), let j = ys.firstIndex(of: SweepFigures.number(r[f.y])) else { continue }
            groups[j][i].append(SweepFigures.number(r[f.value]))
        }
        var unplaced = 0
        for p in missingPoints {
            guard let x = valueForMissing(f.x, overrides: p.overrides), let y = valueForMissing(f.y, overrides: p.overrides),
                  let i = xs.firstIndex(of: x), let j = ys.firstIndex(of: y) else { unplaced += 1; continue }
            missing[j][i] = true
        }
        let cells = groups.map { row in row.map { $0.isEmpty ? Double.nan : f.aggregate.apply($0) } }
        let xLog = HeatMap.prefersLog(xs), yLog = HeatMap.prefersLog(ys)
        var caption = "\(f.aggregate.label) of \(f.value) \(overWhat(excluding: [f.x, f.y])), on the grid \(f.x) × \(f.y)."
        var m = HeatMap(name: f.name, title: "\(f.value): \(f.aggregate.label)", xLabel: f.x, yLabel: f.y,
                        valueLabel: f.value, caption: "", xs: xs, ys: ys, cells: cells, missing: missing, xLog: xLog, yLog: yLog)
        if case .fraction = f.aggregate { m.valueRange = (0, 1) }
        if f.boundary {
            let b = boundary(f, xs: xs, ys: ys, xLog: xLog, yLog: yLog)
            if b.count >= 2 {
                m.boundary = b
                m.boundaryLabel = "theory: collapse boundary κ = κ_crit (c = K√(nλ_Hλ_W) = 1 at L = 1)"
                caption += " Dashed: the theory's boundary between the collapse and the zero regime, where the control κ = K·(n·λ_H·Π_l λ_{W_l})^{1/(L+1)} equals κ_crit = ((L−1)/L)^{(L−1)/(L+1)}/L (Tirer & Bruna 2022, Thm 3.1: c = K√(nλ_Hλ_W) = 1 at L = 1; docs/theory.md), found by bisection on the closed form at each x."
            }
        }
        let nMissing = missing.flatMap { $0 }.filter { $0 }.count
        if !table.missing.isEmpty {
            caption += " \(table.missing.count) of \(table.total) points have no result: \(nMissing) cell(s) hatched red\(unplaced > 0 ? ", \(unplaced) point(s) not placeable on this grid" : "")."
        }
        m.caption = caption
        return m
    }

    /// Overrides with `key` set to `value` (replacing an earlier setting of the key).
    static func setting(_ overrides: [String], _ key: String, _ value: Double) -> [String] {
        overrides.filter { !$0.hasPrefix(key + "=") } + ["\(key)=\(SweepLiteral.render(.double(value)))"]
    }

    /// The theory's collapse boundary: for each x, the y where threshold − control changes sign, by
    /// bisection (in log₁₀ y on a log axis) on `Theory.predict` of the config. Needs y to be a numeric config
    /// key; x is sampled finely when it is a config key, and at its grid values (each with the config of
    /// its first point) otherwise (e.g. `depth`). Empty where the theory has no closed form.
    func boundary(_ f: PhaseFigure, xs: [Double], ys: [Double], xLog: Bool, yLog: Bool) -> [(x: Double, y: Double)] {
        let keys = SweepSpec.configKeys
        guard keys.contains(f.y), let ylo = ys.first, let yhi = ys.last, ylo < yhi, let first = points.first else { return [] }
        var samples: [(x: Double, overrides: [String])] = []
        if keys.contains(f.x), let xlo = xs.first, let xhi = xs.last, xlo < xhi {
            let n = 40
            for k in 0..<n {
                let u = Double(k) / Double(n - 1)
                let x = xLog ? pow(10, log10(xlo) + u * (log10(xhi) - log10(xlo))) : xlo + u * (xhi - xlo)
                samples.append((x, SweepFigures.setting(first.overrides, f.x, x)))
            }
        } else {
            for x in xs {
                guard let r = table.rows.first(where: { SweepFigures.number($0[f.x]) == x }),
                      let p = points.first(where: { $0.id == r["point"] }) else { continue }
                samples.append((x, p.overrides))
            }
        }
        func margin(_ o: [String], _ y: Double) -> Double? {
            guard let c = try? UFMConfig.parse(baseText, overrides: SweepFigures.setting(o, f.y, y)),
                  let p = try? Theory.predict(c.model) else { return nil }
            return p.margin
        }
        var out: [(x: Double, y: Double)] = []
        for s in samples {
            guard let mlo = margin(s.overrides, ylo), let mhi = margin(s.overrides, yhi), (mlo > 0) != (mhi > 0) else { continue }
            var a = yLog ? log10(ylo) : ylo, b = yLog ? log10(yhi) : yhi
            let lowPositive = mlo > 0
            for _ in 0..<48 {
                let mid = (a + b) / 2
                guard let mm = margin(s.overrides, yLog ? pow(10, mid) : mid) else { break }
                if (mm > 0) == lowPositive { a = mid } else { b = mid }
            }
            let y = (a + b) / 2
            out.append((s.x, yLog ? pow(10, y) : y))
        }
        return out
    }

    /// A line plot of `f.value` against `f.x`: per series value, the aggregate (solid, with markers) and the
    /// minimum and maximum over the other axes (thin dashed). A log-spaced x axis is drawn as log₁₀ x.
    public func linePanel(_ f: LineFigure) -> Panel {
        let xsAll = Array(Set(table.rows.map { SweepFigures.number($0[f.x]) }.filter(\.isFinite))).sorted()
        let xLog = HeatMap.prefersLog(xsAll)
        // Series values in numeric order when they all are numbers, else in text order.
        let seriesValues = f.series.map { s -> [String] in
            let v = Array(Set(table.rows.map { $0[s] ?? "" }))
            return v.allSatisfy({ SweepFigures.number($0).isFinite }) ? v.sorted { SweepFigures.number($0) < SweepFigures.number($1) } : v.sorted()
        } ?? [""]
        var series: [Series] = []
        for (k, sv) in seriesValues.enumerated() {
            let rows = table.rows.filter { f.series == nil || $0[f.series!] == sv }
            var mean: [Double] = [], lo: [Double] = [], hi: [Double] = []
            for x in xsAll {
                let v = rows.filter { SweepFigures.number($0[f.x]) == x }.map { SweepFigures.number($0[f.value]) }
                mean.append(v.isEmpty ? .nan : f.aggregate.apply(v))
                lo.append(SweepAggregate.min.apply(v))
                hi.append(SweepAggregate.max.apply(v))
            }
            let px = xsAll.map { xLog ? log10($0) : $0 }
            var style = SeriesStyle.indexed(k)
            style.dash = nil
            let name = f.series.map { "\($0) = \(Double(sv).map(HeatMapRenderer.label) ?? sv)" } ?? f.value
            series.append(Series(label: name, x: px, y: mean, style: style))
            let band = SeriesStyle(color: style.color, marker: nil, dash: "3 3", width: 0.9)
            // The band's outline as one closed curve: the minima left to right, the maxima back.
            series.append(Series(label: "\(name): min–max", x: px + px.reversed(), y: lo + hi.reversed(), style: band))
        }
        return Panel(name: f.name, title: "\(f.value) against \(f.x)", xLabel: xLog ? "log_{10} \(f.x)" : f.x, yLabel: f.value,
                     caption: "\(f.aggregate.label) of \(f.value) \(overWhat(excluding: [f.x] + (f.series.map { [$0] } ?? []))) (solid), with the minimum and maximum (dashed)\(table.missing.isEmpty ? "" : "; \(table.missing.count) of \(table.total) points have no result and are not in the curves").",
                     series: series, legendTitle: f.series == nil ? nil : "")
    }
}
