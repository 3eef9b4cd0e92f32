import Foundation
import Testing
@testable import Report

@Suite struct FigureTests {
    func figure(_ figs: [RenderedFigure], _ name: String) throws -> SVGInspector {
        let f = try #require(figs.first { $0.name == name }, "no figure \(name) among \(figs.map(\.name))")
        return try #require(SVGInspector.parse(f.svg), "\(name).svg is not well-formed XML")
    }

    @Test func everyFigureIsWellFormedXML() throws {
        for table in [Synthetic.ufm(), Synthetic.network()] {
            let figs = Figures.render(table: table, title: "A & B <run> \"x\"", theoryObjective: 0.3127,
                                      options: FigureOptions(includeETF: true))
            #expect(figs.last?.name == "overview")
            for f in figs {
                let svg = try #require(SVGInspector.parse(f.svg), "\(f.filename) is not well-formed")
                #expect(svg.elements.first?.name == "svg")
                #expect(svg.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
                #expect(svg.texts(class: "figure-title").first == "A & B <run> \"x\"")
            }
        }
    }

    @Test func ufmFiguresHaveOneCurvePerLevelAndTheDashedTheoryLine() throws {
        let figs = Figures.render(table: Synthetic.ufm(levels: 3), title: "ufm", theoryObjective: 0.3127)
        #expect(figs.map(\.name) == ["objective", "objective_gap", "nc1", "nc2_of", "nc3", "gradient_norm", "overview"])

        let objective = try figure(figs, "objective")
        #expect(objective.all("path", class: "curve").count == 1)
        let theory = objective.all("line", class: "reference")
        #expect(theory.count == 1)
        #expect(theory.first?.attributes["stroke-dasharray"] != nil)
        #expect(objective.all("g", class: "legend-entry").map(\.text).contains { $0.hasPrefix("theory") })
        #expect(objective.all("g", class: "y-axis").first?.attributes["data-scale"] == "linear")

        let nc1 = try figure(figs, "nc1")
        #expect(nc1.all("path", class: "curve").map { $0.attributes["data-label"] } == ["level 1 (H₁)", "level 2 (H₂)", "level 3 (H₃)"])
        #expect(nc1.all("g", class: "legend-entry").map(\.text) == ["level 1 (H₁)", "level 2 (H₂)", "level 3 (H₃)"])
        #expect(nc1.all("g", class: "y-axis").first?.attributes["data-scale"] == "log")
        #expect(nc1.texts(class: "tick-label").contains("10⁻⁸"))
        #expect(nc1.texts(class: "axis-label").contains("NC1 = Tr(ΣWΣB+)/K"))
        #expect(nc1.texts(class: "axis-label").contains("step (gradient-descent iterations)"))

        // Level colors are the same in every panel.
        let nc3 = try figure(figs, "nc3")
        #expect(nc3.all("path", class: "curve").map { $0.attributes["stroke"] } == nc1.all("path", class: "curve").map { $0.attributes["stroke"] })
        #expect(Set(nc1.all("path", class: "curve").compactMap { $0.attributes["stroke"] }).count == 3)

        // The overview: objective, NC1, NC2, NC3 (no ETF without a bias), one shared legend.
        let overview = try figure(figs, "overview")
        #expect(overview.all("g", class: "panel").map { $0.attributes["data-name"] } == ["objective", "nc1", "nc2_of", "nc3"])
        #expect(overview.all("path", class: "curve").count == 1 + 3 * 3)
        #expect(overview.all("g", class: "legend-entry").map(\.text) == ["objective", "theory (0.3127)", "level 1 (H₁)", "level 2 (H₂)", "level 3 (H₃)"])
        #expect(overview.all("line", class: "reference").count == 1)
    }

    @Test func etfPanelOnlyWhenAsked() throws {
        let without = Figures.render(table: Synthetic.ufm(), title: "t", theoryObjective: nil)
        #expect(!without.contains { $0.name == "nc2_etf" })
        #expect(!without.contains { $0.name == "objective_gap" })
        let with = Figures.render(table: Synthetic.ufm(), title: "t", theoryObjective: nil, options: FigureOptions(includeETF: true))
        let overview = try figure(with, "overview")
        #expect(overview.all("g", class: "panel").map { $0.attributes["data-name"] } == ["objective", "nc1", "nc2_of", "nc2_etf", "nc3"])
        let objective = try figure(with, "objective")
        #expect(objective.all("line", class: "reference").isEmpty)
    }

    @Test func networkFiguresUseLayerNamesAndSplits() throws {
        let figs = Figures.render(table: Synthetic.network(), title: "net", theoryObjective: nil)
        #expect(figs.map(\.name) == ["loss", "accuracy", "nc1", "nc2_of", "nc3", "overview"])
        let nc1 = try figure(figs, "nc1")
        #expect(nc1.all("g", class: "legend-entry").map(\.text) == ["stage3", "stage4", "head"])
        #expect(nc1.texts(class: "axis-label").contains("epoch (passes over the training set)"))
        let loss = try figure(figs, "loss")
        #expect(loss.all("g", class: "legend-entry").map(\.text) == ["train", "test"])
        #expect(loss.all("g", class: "y-axis").first?.attributes["data-scale"] == "log")
        let accuracy = try figure(figs, "accuracy")
        #expect(accuracy.all("g", class: "y-axis").first?.attributes["data-scale"] == "linear")
    }

    @Test func nanZerosAndEmptyColumnsDoNotCrash() throws {
        var t = MetricsTable(columns: ["step", "objective", "nc1_1", "nc1_2", "nc3_1", "nc2_of_1"])
        for i in 0..<50 {
            let s = Double(i)
            t.append(row: [s, i % 7 == 3 ? .nan : 1 + exp(-s), i >= 40 ? 0 : pow(10, -s / 5), nil,
                           i < 10 ? nil : -1 + s / 100, i == 20 ? .infinity : 0.5])
        }
        let figs = Figures.render(table: t, title: "edge cases", theoryObjective: .nan)
        for f in figs { #expect(SVGInspector.parse(f.svg) != nil, "\(f.filename) is not well-formed") }

        let nc1 = try figure(figs, "nc1")
        #expect(nc1.all("g", class: "y-axis").first?.attributes["data-scale"] == "log")
        #expect(nc1.texts(class: "note").joined(separator: " ") == "10 values ≤ 0 not shown (log scale)")
        // The empty level still has its legend entry, marked as having no data, and no curve.
        #expect(nc1.all("g", class: "legend-entry").map(\.text) == ["level 1 (H₁)", "level 2 (H₂) (no data)"])
        #expect(nc1.all("path", class: "curve").count == 1)

        // NaN breaks the objective's curve into several subpaths; a NaN theory draws no line.
        let objective = try figure(figs, "objective")
        let d = try #require(objective.all("path", class: "curve").first?.attributes["d"])
        #expect(d.filter { $0 == "M" }.count == 8)
        #expect(objective.all("line", class: "reference").isEmpty)

        // Negative values keep a linear axis.
        let nc3 = try figure(figs, "nc3")
        #expect(nc3.all("g", class: "y-axis").first?.attributes["data-scale"] == "linear")

        // A header-only table and a table with only an x column.
        for empty in [MetricsTable(columns: ["step", "objective", "nc1_1"]), MetricsTable(columns: ["epoch"])] {
            let figs = Figures.render(table: empty, title: "empty", theoryObjective: 1)
            for f in figs { #expect(SVGInspector.parse(f.svg) != nil) }
        }
        let onlyX = Figures.render(table: MetricsTable(columns: ["epoch"]), title: "x", theoryObjective: nil)
        #expect(try figure(onlyX, "overview").texts(class: "no-data") == ["no metrics to plot"])
    }

    @Test func unknownColumnsGetTheirOwnPanel() {
        var t = MetricsTable(columns: ["step", "rank/W_1", "nc1_1"])
        t.append(row: [0, 3, 1])
        t.append(row: [1, 2, 0.5])
        let figs = Figures.render(table: t, title: "t", theoryObjective: nil)
        #expect(figs.map(\.name) == ["nc1", "rank_W_1", "overview"])
    }

    @Test func longRunsAreThinnedWithoutChangingTheirExtremes() {
        var r: [(Double, Double)] = []
        for i in 0..<10_000 { r.append((Double(i) / 100, sin(Double(i)))) }
        let thin = PanelRenderer.thin(r)
        #expect(thin.count <= 4 * 100)
        #expect(thin.map(\.1).min() == r.map(\.1).min() && thin.map(\.1).max() == r.map(\.1).max())
        #expect(thin.first! == r.first! && thin.last! == r.last!)
        #expect(zip(thin, thin.dropFirst()).allSatisfy { $0.0 <= $1.0 })
    }

    @Test func richTextMarkup() {
        #expect(RichText.plain("Tr(Σ_{W} Σ_{B}^{+})/K") == "Tr(ΣW ΣB+)/K")
        let t = RichText.tspans("a_{i} b", size: 10)
        #expect(t == "a<tspan dy=\"2.8\" font-size=\"7.2\">i</tspan><tspan dx=\"3.2\" dy=\"-2.8\">b</tspan>")
        #expect(RichText.tspans("x < y & z", size: 10) == "x &lt; y &amp; z")
        #expect(xmlEscape("\u{1}ok\"'") == "ok&quot;&#39;")
    }
}
