import ArgumentParser
import Foundation
import Report

/// `collapse plot RUN_DIR`: redraws a run's figures and index.html from its files.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Redraw a run's figures (figures/*.svg) and index.html from its metrics.csv.",
        discussion: """
        Reads RUN_DIR/metrics.csv (required), RUN_DIR/summary.json (the theory's objective, drawn as a dashed \
        line, and the final values) and RUN_DIR/config.toml (shown in index.html; `bias = true` adds the \
        NC2-vs-simplex-ETF panel). Writes one SVG per metric, figures/overview.svg, and index.html, which \
        opens offline in any browser.
        """
    )

    @Argument(help: "The run directory written by `collapse run` or `collapse train`.")
    var runDirectory: String

    @OptionGroup var memory: MemoryOption

    @Option(help: "Title of the figures (default: the run's title or preset from summary.json, else the directory name).")
    var title: String?

    @Flag(inversion: .prefixedNo, help: "Draw the NC2-vs-simplex-ETF panel (default: when config.toml sets bias = true).")
    var etf: Bool?

    func run() throws {
        memory.apply()
        let result = try RunReport.write(runDirectory: URL(fileURLWithPath: runDirectory), title: title, includeETF: etf)
        for w in result.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        let figures = result.files.filter { $0.pathExtension == "svg" }.count
        print("wrote \(figures) figure(s) to \(runDirectory)/figures and \(runDirectory)/index.html")
    }
}
