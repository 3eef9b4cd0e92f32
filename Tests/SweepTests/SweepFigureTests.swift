import Foundation
import Report
import Testing
@testable import Sweep

@Suite struct SweepFigureTests {
    /// A results table by hand: x ∈ {1, 2}, y ∈ {10, 20}, two seeds; value = x + y/10 + seed.
    static func table(missing: [String] = []) -> SweepResultsTable {
        var rows: [[String: String]] = []
        var n = 0
        for x in [1, 2] { for y in [10, 20] { for s in [0, 1] {
            let id = SweepPoint.id(n); n += 1
            if missing.contains(id) { continue }
            rows.append(["point": id, "a.x": "\(x)", "a.y": "\(y)", "init.seed": "\(s)", "v": "\(Double(x) + Double(y) / 10 + Double(s))"])
        } } }
        return SweepResultsTable(title: "t", axes: ["a.x", "a.y", "init.seed"], columns: ["point", "a.x", "a.y", "init.seed", "v"],
                                 rows: rows, missing: missing, total: 8)
    }

    static func points() -> [(id: String, overrides: [String])] {
        var out: [(String, [String])] = []
        var n = 0
        for x in [1, 2] { for y in [10, 20] { for s in [0, 1] {
            out.append((SweepPoint.id(n), ["a.x=\(x)", "a.y=\(y)", "init.seed=\(s)"])); n += 1
        } } }
        return out
    }

    @Test func cellsAggregateOverSeeds() {
        let figs = SweepFigures(table: SweepFigureTests.table(), points: SweepFigureTests.points(), baseText: "")
        let phase = PhaseFigure(name: "p", x: "a.x", y: "a.y", value: "v", aggregate: .mean, boundary: false)
        let m = figs.heatMap(phase)
        #expect(m.xs == [1, 2] && m.ys == [10, 20])
        // mean over seeds 0, 1 of x + y/10 + s = x + y/10 + 0.5
        #expect(m.cells == [[2.5, 3.5], [3.5, 4.5]])
        var minPhase = phase
        minPhase.aggregate = .fraction(op: ">", threshold: 3)
        #expect(figs.heatMap(minPhase).cells == [[0, 0.5], [0.5, 1]])
        #expect(!m.missing.flatMap { $0 }.contains(true))
    }

    @Test func missingPointsAreMarkedAndCounted() {
        let figs = SweepFigures(table: SweepFigureTests.table(missing: ["p000003"]), points: SweepFigureTests.points(), baseText: "")
        let m = figs.heatMap(PhaseFigure(name: "p", x: "a.x", y: "a.y", value: "v", aggregate: .mean, boundary: false))
        // p000003 is x = 1, y = 20, seed 1: that cell is marked, its mean is over the one seed left
        #expect(m.missing == [[false, false], [true, false]])
        #expect(m.cells[1][0] == 3)
        #expect(m.caption.contains("1 of 8 points have no result"))
        let svg = HeatMapRenderer.render(m, title: "t")
        #expect(svg.contains("class=\"missing\"") && svg.contains("red hatching"))
    }

    /// The boundary of Thm 3.1 (bias-free, L = 1): c = K√(nλ_Hλ_W) = 1, i.e. λ_W = 1/(K²·n·λ_H).
    @Test func boundaryIsTirerBrunaC1() throws {
        let f = try SweepFixture(sweep: """
        base = "base.toml"
        [axes]
        "regularization.lambda_h" = { log = [1e-1, 10.0], count = 3 }
        "regularization.lambda_w" = { log = [1e-3, 1e-1], count = 3 }
        """)
        let plan = try f.plan()
        let rows = plan.points.map { p -> [String: String] in
            var r = ["point": p.id]
            for a in p.assignments { r[a.key] = a.literal }
            return r
        }
        let table = SweepResultsTable(title: "t", axes: plan.axisKeys, columns: plan.columns, rows: rows, missing: [], total: rows.count)
        let figs = SweepFigures(table: table, points: plan.points.map { ($0.id, $0.overrides) }, baseText: SweepFixture.base)
        let phase = PhaseFigure(name: "p", x: "regularization.lambda_h", y: "regularization.lambda_w", value: "objective", aggregate: .mean, boundary: true)
        let m = figs.heatMap(phase)
        #expect(m.xLog && m.yLog)
        #expect(m.boundary.count >= 10)
        for p in m.boundary {
            let expected = 1 / (9 * 4 * p.x)  // K = 3, n = 4
            #expect(abs(p.y - expected) <= 1e-9 * expected, "λ_H = \(p.x): λ_W = \(p.y), expected \(expected)")
        }
        #expect(m.boundary.allSatisfy { $0.y >= 1e-3 * (1 - 1e-9) && $0.y <= 1e-1 * (1 + 1e-9) })
        #expect(HeatMapRenderer.render(m, title: "t").contains("class=\"boundary\""))
    }

    @Test func positionInterpolatesBetweenCellCenters() {
        #expect(HeatMapRenderer.position(1e-2, in: [1e-3, 1e-2, 1e-1], log: true) == 1.5)
        #expect(abs(HeatMapRenderer.position(10.0.squareRoot() * 1e-3, in: [1e-3, 1e-2, 1e-1], log: true) - 1.0) < 1e-12)
        #expect(HeatMapRenderer.position(3, in: [1, 2, 3, 4], log: false) == 2.5)
    }

    @Test func linePanelHasMeanAndBand() {
        let figs = SweepFigures(table: SweepFigureTests.table(), points: SweepFigureTests.points(), baseText: "")
        let p = figs.linePanel(LineFigure(name: "l", x: "a.x", value: "v", series: "a.y", aggregate: .mean))
        #expect(p.series.count == 4)
        #expect(p.series[0].label == "a.y = 10" && p.series[0].y == [2.5, 3.5])
        // band outline: minima over seeds left to right, then maxima back
        #expect(p.series[1].x == [1, 2, 2, 1] && p.series[1].y == [2, 3, 4, 3])
    }
}
