import Foundation
import Formats

/// What went wrong reading a run directory, naming the file.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// The directory does not exist.
    case noRunDirectory(path: String)
    /// `metrics.csv` is missing.
    case missingMetrics(path: String)

    public var description: String {
        switch self {
        case .noRunDirectory(let p): "\(p): no such run directory"
        case .missingMetrics(let p):
            "\(p): not found; `collapse plot` needs the metrics.csv that `collapse run` or `collapse train` writes"
        }
    }
}

/// The files of a run directory (written by `collapse run` and `collapse train`) that the report reads:
/// `metrics.csv` (required), `summary.json` and `config.toml` (optional). Internal: the public entry
/// points are `RunReport.write` and `Figures.write` (`RunDirectory` names the files).
struct RunFiles: Sendable {
    let directory: RunDirectory
    init(_ url: URL) { directory = RunDirectory(url) }

    var url: URL { directory.url }
    var metricsURL: URL { directory.metrics }
    var summaryURL: URL { directory.summary }
    var configURL: URL { directory.config }
    var figuresURL: URL { directory.figures }
    var indexURL: URL { directory.index }

    private func exists(_ u: URL) -> Bool { FileManager.default.fileExists(atPath: u.path) }

    /// The metrics table; throws `ReportError.missingMetrics` or the `FormatError` naming the bad line.
    func metrics() throws -> MetricsTable {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw ReportError.noRunDirectory(path: url.path)
        }
        guard exists(metricsURL) else { throw ReportError.missingMetrics(path: metricsURL.path) }
        return try MetricsTable.read(metricsURL)
    }

    /// summary.json, or nil when the run has none. Throws if it exists but is not valid JSON.
    func summary() throws -> JSONValue? {
        exists(summaryURL) ? try JSONValue.read(summaryURL) : nil
    }

    /// config.toml's text, or nil when the run has none.
    func configText() throws -> String? {
        guard exists(configURL) else { return nil }
        do { return try String(contentsOf: configURL, encoding: .utf8) } catch {
            throw FormatError.unreadable(path: configURL.path, reason: FileSystemError.cause(of: error, path: configURL.path, writing: false))
        }
    }

    /// The theory's objective from a summary (`theory.objective`), if finite.
    static func theoryObjective(_ summary: JSONValue?) -> Double? {
        summary?.value(at: "theory.objective")?.number.flatMap { $0.isFinite ? $0 : nil }
    }

    /// The run's display title: summary `title`, then summary `preset`, then config `title`/`preset`/`name`
    /// (top-level keys), then the directory's name.
    func title(summary: JSONValue?, config: String?) -> String {
        for key in ["title", "preset"] { if let s = summary?[key]?.string, !s.isEmpty { return s } }
        if let s = summary?["provenance"]?["preset"]?.string, !s.isEmpty { return s }
        let top = config.flatMap { try? TOMLValue.parseDocument($0, source: "config.toml") } ?? [:]
        for key in ["title", "preset", "name"] {
            if case .string(let s)? = top[key], !s.isEmpty { return s }
        }
        return url.standardizedFileURL.lastPathComponent
    }

    /// Whether the configuration has an output bias: `bias = true` in any table (the UFM's `[model] bias`,
    /// a network's `classifier_bias`). A config that does not parse counts as having none.
    static func hasBias(config: String?) -> Bool {
        guard let config, let doc = try? TOMLValue.parseDocument(config, source: "config.toml") else { return false }
        func search(_ table: [String: TOMLValue]) -> Bool {
            for (k, v) in table {
                if case .table(let t) = v, search(t) { return true }
                if k == "bias" || k == "classifier_bias", v == .bool(true) { return true }
            }
            return false
        }
        return search(doc)
    }
}
