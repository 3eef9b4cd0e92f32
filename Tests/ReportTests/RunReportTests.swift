import Foundation
import Formats
import Testing
@testable import Report

@Suite struct RunReportTests {
    /// A fresh run directory under the temporary directory.
    func runDirectory(metrics: String?, summary: String? = nil, config: String? = nil) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        if let metrics { try metrics.write(to: dir.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8) }
        if let summary { try summary.write(to: dir.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8) }
        if let config { try config.write(to: dir.appendingPathComponent("config.toml"), atomically: true, encoding: .utf8) }
        return dir
    }

    @Test func writesFiguresAndAnIndexThatEscapesTheConfig() throws {
        let summary: JSONValue = [
            "title": "Deep UFM <K=4>", "theory": ["objective": 0.3127, "collapse": true],
            "final": ["objective": 0.31270001, "gap_to_theory": 1e-8], "seed": 7,
        ]
        let config = "# <script>alert('x')</script> & co\ntitle = \"ignored: summary wins\"\n[model]\nbias = true # with bias\n"
        let dir = try runDirectory(metrics: Synthetic.ufm(levels: 2, steps: 40).csv, summary: summary.serialized(), config: config)
        defer { try? FileManager.default.removeItem(at: dir) }

        let result = try RunReport.write(runDirectory: dir)
        #expect(result.warnings.isEmpty)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("figures").path))
        #expect(names == ["objective.svg", "objective_gap.svg", "nc1.svg", "nc2_of.svg", "nc2_etf.svg", "nc3.svg",
                          "gradient_norm.svg", "overview.svg"])  // bias = true adds the ETF panel

        let html = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("<title>Deep UFM &lt;K=4&gt;</title>"))
        // Nothing fetched from anywhere: no src attributes, no external links, stylesheets or images.
        #expect(!html.contains("src=") && !html.contains("href=\"http") && !html.contains("<link") && !html.contains("<img"))
        #expect(!html.contains("@import") && !html.contains("url("))
        // The final-vs-theory table and the raw JSON.
        #expect(html.contains("<tr><td>objective</td><td class=\"num\">0.3127</td><td class=\"num\">0.3127</td></tr>"))
        #expect(html.contains("<tr><td>gap_to_theory</td><td class=\"num\">1e-08</td><td class=\"num\"></td></tr>"))
        #expect(html.contains("<tr><td>seed</td><td class=\"num\">7</td></tr>"))
        #expect(html.contains("&quot;gap_to_theory&quot;: 1e-08"))
        // Every inlined figure is there, and the page (XHTML-compatible apart from the doctype) parses as XML.
        #expect(html.components(separatedBy: "<svg ").count - 1 == 8)
        let body = html.replacingOccurrences(of: "<!DOCTYPE html>\n", with: "")
            .replacingOccurrences(of: "<meta charset=\"utf-8\">", with: "<meta charset=\"utf-8\"/>")
            .replacingOccurrences(of: "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", with: "")
        #expect(SVGInspector.parse(body) != nil)
    }

    @Test func titleAndETFChoices() throws {
        let dir = try runDirectory(metrics: Synthetic.ufm(levels: 1, steps: 10).csv, config: "preset = \"tirer2022-fig4\"\nbias = false\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        try RunReport.write(runDirectory: dir, includeETF: true)
        let overview = try String(contentsOf: dir.appendingPathComponent("figures/overview.svg"), encoding: .utf8)
        #expect(overview.contains("<title>tirer2022-fig4</title>"))
        #expect(overview.contains("data-name=\"nc2_etf\""))
        try Figures.write(runDirectory: dir, title: "Custom")
        let again = try String(contentsOf: dir.appendingPathComponent("figures/overview.svg"), encoding: .utf8)
        #expect(again.contains("<title>Custom</title>") && !again.contains("data-name=\"nc2_etf\""))
    }

    @Test func configIsReadAsTOML() {
        #expect(RunFiles.hasBias(config: "bias = true"))
        #expect(RunFiles.hasBias(config: "[model]\nbias=true  # yes"))
        #expect(RunFiles.hasBias(config: "model.bias = true"))
        #expect(!RunFiles.hasBias(config: "# bias = true\nbias = false"))
        #expect(!RunFiles.hasBias(config: "name = \"bias = true\""))
        #expect(!RunFiles.hasBias(config: nil))
        #expect(RunFiles.hasBias(config: "[model]\nclassifier_bias = true"))
        let files = RunFiles(URL(fileURLWithPath: "/tmp/some-run"))
        #expect(files.title(summary: nil, config: "title = \"a # b\" # c") == "a # b")
        #expect(files.title(summary: nil, config: "[x]\ntitle = \"in a table\"") == "some-run")
    }

    @Test func malformedMetricsNameTheFileAndLine() throws {
        let bad = "step,objective,nc1_1\n0,1.0,0.5\n\n100,0.9,abc\n"
        let dir = try runDirectory(metrics: bad)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("metrics.csv").path
        #expect(throws: FormatError.invalidContent(path: path, reason: "line 4, column 'nc1_1': 'abc' is not a number")) {
            try RunReport.write(runDirectory: dir)
        }
        try "step,objective\n0,1\n1,2,3\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: FormatError.invalidContent(path: path, reason: "line 3 has 3 fields, the header has 2")) {
            try RunReport.write(runDirectory: dir)
        }
        try "step,nc1_1,nc1_1\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: FormatError.invalidContent(path: path, reason: "line 1: column 'nc1_1' appears twice in the header")) {
            try RunReport.write(runDirectory: dir)
        }
        try "\n\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: FormatError.invalidContent(path: path, reason: "empty metrics file (no header)")) {
            try RunReport.write(runDirectory: dir)
        }
        // CRLF and blanks around fields are fine.
        try "step, objective\r\n0, 1.5\r\n1,nan\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        let t = try MetricsTable.read(URL(fileURLWithPath: path))
        #expect(t.columns == ["step", "objective"] && t.rows.count == 2 && t.rows[0] == [0, 1.5])
    }

    @Test func missingFilesAndBadSummary() throws {
        let dir = try runDirectory(metrics: nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: ReportError.missingMetrics(path: dir.appendingPathComponent("metrics.csv").path)) {
            try RunReport.write(runDirectory: dir)
        }
        let nowhere = dir.appendingPathComponent("nope")
        #expect(throws: ReportError.noRunDirectory(path: nowhere.path)) { try RunReport.write(runDirectory: nowhere) }

        // A malformed summary.json is a warning, not a failure.
        try Synthetic.ufm(levels: 1, steps: 5).csv.write(to: dir.appendingPathComponent("metrics.csv"), atomically: true, encoding: .utf8)
        try "{\"theory\": {\"objective\": 0.5,}}".write(to: dir.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
        let result = try RunReport.write(runDirectory: dir)
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("line 1, column 30: expected a member name in quotes") == true)
        let html = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.contains("class=\"warn\""))
    }
}

@Suite struct SummaryTableTests {
    @Test func theoryColumnOnlyWithATheory() {
        let withTheory = RunIndex.summaryTables(["final": ["objective": 0.5], "theory": ["objective": 0.25]])
        #expect(withTheory.contains("<th>theory</th>"))
        #expect(withTheory.contains("<tr><td>objective</td><td class=\"num\">0.5</td><td class=\"num\">0.25</td></tr>"))
        let without = RunIndex.summaryTables(["final": ["objective": 0.5, "nc1_2": 1.2345678e-31], "status": "completed",
                                              "timing": ["seconds": 2.5], "big": .array((0..<20).map { .number(Double($0)) })])
        #expect(!without.contains("<th>theory</th>"))
        #expect(without.contains("<tr><td>nc1_2</td><td class=\"num\">1.23457e-31</td></tr>"))
        #expect(without.contains("<tr><td>status</td><td>completed</td></tr>"))
        #expect(without.contains("<tr><td>timing.seconds</td><td class=\"num\">2.5</td></tr>"))
        #expect(without.contains("<tr><td>big</td><td>[20 values: see summary.json]</td></tr>"))
    }
}
