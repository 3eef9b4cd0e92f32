import Linalg
import Testing
@testable import Collapse

/// Sizes from the input are checked before anything is sized by them, and degenerate class means give the
/// documented undefined value.
@Suite struct BoundsTests {
    @Test func aHugeLabelIsRefusedBeforeSizing() {
        // A label of 10¹² (or Int64.max) must not size a count array: K ≤ N since every class needs a sample.
        for big in [1_000_000_000_000, Int.max] {
            do {
                _ = try FeatureFilePlan.classes(of: [0, 1, 2, 0, 1, big])
                Issue.record("label \(big) accepted")
            } catch let e as CollapseError {
                #expect(e.description.contains("\(big)") && e.description.contains("N = 6"), "\(e)")
            } catch { Issue.record("\(error)") }
        }
        #expect(throws: CollapseError.self) { try FeatureFilePlan.classes(of: [0, 1, -3]) }
    }

    @Test func aHugeClassCountIsRefusedBeforeSizing() {
        for k in [1_000_000_000_000, Int.max] {
            #expect(throws: CollapseError.self) { try FeatureFilePlan.classes(of: [0, 1, 0, 1], requested: k) }
        }
        #expect((try? FeatureFilePlan.classes(of: [0, 1, 0, 1], requested: 2)) == 2)
    }

    @Test func statisticsBeyondMemoryAreRefusedNamingTheDimension() {
        // d = 2·10⁶: a d×d scatter of 32 TB (×4 copies) fits no machine.
        do {
            _ = try ClassStatistics(classes: 2, dimension: 2_000_000, layer: "wide")
            Issue.record("not refused")
        } catch let CollapseError.memory(layer, e) {
            #expect(layer == "wide")
            #expect(e.largest.contains("d×d") && e.largest.contains("2000000"), "\(e)")
        } catch { Issue.record("\(error)") }
        do {
            _ = try ClassStatistics(classes: 3_000_000, dimension: 1, layer: "many")
            Issue.record("not refused")
        } catch let CollapseError.memory(_, e) {
            #expect(e.largest.contains("K×K"), "\(e)")
        } catch { Issue.record("\(error)") }
    }

    @Test func theEstimateCountsTheLargeArrays() {
        let e = ClassStatistics.memoryEstimate(classes: 20_000, dimension: 4)
        #expect(e.total >= 20_000 * 20_000 * 8)  // at least one K×K matrix
        let w = ClassStatistics.memoryEstimate(classes: 2, dimension: 40_000)
        #expect(w.total >= 40_000 * 40_000 * 8)  // at least one d×d matrix
    }

    /// Every class with the same mean (here the same rows): Σ_B = 0, so NC1, NC2 of the centered means,
    /// CDNV and equinorm are NaN with a warning, not ratios of round-off (4.8e32 before).
    @Test func identicalClassMeansGiveNaNAndAWarning() throws {
        let rows = Matrix<Double>([[0.1, 0.7, 3], [0.3, 0.2, 1], [0.1, 0.7, 3], [0.3, 0.2, 1], [0.3, 0.2, 1], [0.1, 0.7, 3]])
        var s = try ClassStatistics(classes: 2, dimension: 3)
        try s.add(rows: rows, labels: [0, 0, 1, 1, 1, 1])  // class 0: a, b; class 1: a, b, b, a
        #expect(s.meansCoincide)
        let m = try NCMetrics.compute(s)
        for name in ["nc1", "nc1_trace", "nc1_topk", "nc2_etf", "cdnv", "equinorm"] {
            #expect(m[name]?.isNaN == true, "\(name) = \(String(describing: m[name]))")
        }
        #expect(m["means_rank"] == 0)
        #expect(m.warnings.count == 1 && m.warnings[0].contains("same mean"), "\(m.warnings)")
        // Distinct means keep their values and give no warning.
        var t = try ClassStatistics(classes: 2, dimension: 3)
        try t.add(rows: rows, labels: [0, 0, 1, 1, 0, 1])
        let n = try NCMetrics.compute(t)
        #expect(n["nc1"]?.isFinite == true && n.warnings.isEmpty)
    }
}
