import Foundation
import Formats

/// What `RunReport.write` wrote, and what it had to ignore.
public struct ReportResult: Sendable {
    /// Every file written (figures/*.svg, index.html).
    public var files: [URL]
    /// Problems that did not stop the report (a malformed summary.json, …), one sentence each.
    public var warnings: [String]
}

extension Figures {
    /// Reads `metrics.csv` (required), `summary.json` and `config.toml` from a run directory and writes
    /// `figures/<name>.svg` for every figure, each atomically. The ETF panel is drawn when `includeETF`
    /// says so, or (when it is nil) when config.toml sets `bias = true`.
    @discardableResult
    public static func write(runDirectory: URL, title: String? = nil, includeETF: Bool? = nil) throws -> [URL] {
        try RunReport.write(runDirectory: runDirectory, title: title, includeETF: includeETF, index: false).files
    }
}

/// Everything a person looks at in a run directory: the figures and `index.html`.
public enum RunReport {
    /// Writes `figures/*.svg` and (with `index`) `index.html` from the run directory's files.
    /// Throws if metrics.csv is missing or malformed (the error names the file and line); a malformed
    /// summary.json is reported in `warnings` and left out.
    @discardableResult
    public static func write(runDirectory: URL, title: String? = nil, includeETF: Bool? = nil,
                             index: Bool = true) throws -> ReportResult {
        let run = RunFiles(runDirectory)
        let table = try run.metrics()
        var warnings: [String] = []
        var summary: JSONValue?
        var summaryText: String?
        do {
            summary = try run.summary()
            summaryText = summary != nil ? try? String(contentsOf: run.summaryURL, encoding: .utf8) : nil
        } catch {
            warnings.append("summary.json ignored: \(error)")
        }
        let config = try run.configText()
        let name = title ?? run.title(summary: summary, config: config)
        let options = FigureOptions(includeETF: includeETF ?? RunFiles.hasBias(config: config))
        let figures = Figures.render(table: table, title: name, theoryObjective: RunFiles.theoryObjective(summary),
                                     options: options)
        var files: [URL] = []
        for f in figures {
            let u = run.figuresURL.appendingPathComponent(f.filename)
            try AtomicFile.write(f.svg, to: u)
            files.append(u)
        }
        if index {
            let present = ["config.toml", "metrics.csv", "summary.json", "params.npz"].filter {
                FileManager.default.fileExists(atPath: run.url.appendingPathComponent($0).path)
            }
            let page = RunIndex.html(title: name, figures: figures, summary: summary, summaryText: summaryText,
                                     config: config, files: present + figures.map { "figures/" + $0.filename },
                                     warnings: warnings)
            try AtomicFile.write(page, to: run.indexURL)
            files.append(run.indexURL)
        }
        return ReportResult(files: files, warnings: warnings)
    }
}
