import Foundation
import Formats
import Report

/// Writes what a person reads of a sweep: results.csv (every row that exists, in point order), one SVG
/// per `[report]` figure in figures/, and index.html (the figures inlined, the status counts, the sweep
/// file). With points missing, every figure says how many and marks them.
public enum SweepReportWriter {
    @discardableResult
    public static func write(_ dir: SweepDirectory, table: SweepResultsTable) throws -> [URL] {
        try AtomicFile.write(table.csv, to: dir.results)
        let plan = try dir.readPlan()
        let sweepText = (try? String(contentsOf: dir.sweepCopy, encoding: .utf8)) ?? ""
        let baseText = (try? String(contentsOf: dir.baseCopy, encoding: .utf8)) ?? ""
        let report = try reportSettings(sweepText, path: dir.sweepCopy.path)
        let figures = SweepFigures(table: table, points: plan.points, baseText: baseText)
        var rendered: [RenderedFigure] = []
        for p in report.phases {
            let m = figures.heatMap(p)
            rendered.append(RenderedFigure(name: p.name, title: m.title, caption: m.caption, svg: HeatMapRenderer.render(m, title: table.title)))
        }
        for l in report.lines {
            let panel = figures.linePanel(l)
            rendered.append(RenderedFigure(name: l.name, title: panel.title, caption: panel.caption,
                                           svg: Figures.renderPanel(panel, title: table.title)))
        }
        var written = [dir.results]
        try FileManager.default.createDirectory(at: dir.figures, withIntermediateDirectories: true)
        for f in rendered {
            let u = dir.figures.appendingPathComponent(f.filename)
            try AtomicFile.write(f.svg, to: u)
            written.append(u)
        }
        var summary: JSONValue = ["points": .number(Double(table.total)), "with_results": .number(Double(table.rows.count)),
                                  "missing": .number(Double(table.missing.count))]
        var status: JSONValue = [:]
        for (k, v) in table.statuses.sorted(by: { $0.key < $1.key }) { status.set(k, .number(Double(v))) }
        summary.set("status", status)
        let warnings = table.missing.isEmpty ? [] : ["\(table.missing.count) of \(table.total) points have no result (\(table.missing.prefix(10).joined(separator: ", "))\(table.missing.count > 10 ? ", …" : "")): the figures mark them and results.csv lacks their rows."]
        let html = RunIndex.html(title: table.title, figures: rendered, summary: summary, summaryText: nil, config: sweepText,
                                 files: ["results.csv", "plan.json", "sweep.toml", "base.toml"] + rendered.map { "figures/\($0.filename)" },
                                 warnings: warnings)
        try AtomicFile.write(html, to: dir.index)
        written.append(dir.index)
        return written
    }

    /// `[report]` of the sweep file's copy.
    static func reportSettings(_ text: String, path: String) throws -> SweepReportSettings {
        guard !text.isEmpty else { return SweepReportSettings() }
        let doc = (try? TOMLValue.parseDocument(text, source: path)) ?? [:]
        guard case .table(let t)? = doc["report"] else { return SweepReportSettings() }
        return try SweepReportSettings.parse(t)
    }
}
