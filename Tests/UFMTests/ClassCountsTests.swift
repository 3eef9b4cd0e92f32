import Collapse
import Formats
import Foundation
import Linalg
import Report
import Testing
@testable import UFM

/// Per-class counts n_1 … n_K: the config key, the class-major layout, params files and the statistics.
@Suite struct ClassCountsTests {
    let unbalanced = exampleTOML.replacingOccurrences(of: "per_class = 50         # n", with: "per_class = [50, 5, 20, 50]")

    @Test func perClassAcceptsAnArrayAndRoundTrips() throws {
        let c = try UFMConfig.parse(unbalanced)
        #expect(c.model.counts == [50, 5, 20, 50])
        #expect(!c.model.isBalanced && c.model.perClass == 0 && c.model.samples == 125)
        #expect(c.model.classStarts == [0, 50, 55, 75, 125])
        #expect(c.toml.contains("per_class = [50, 5, 20, 50]"))
        #expect(try UFMConfig.parse(c.toml) == c)
        // A number still means n for every class, and an equal array is the same model.
        let b = try UFMConfig.parse(exampleTOML)
        #expect(b.model.counts == [50, 50, 50, 50] && b.model.isBalanced && b.model.perClass == 50)
        #expect(try UFMConfig.parse(exampleTOML, overrides: ["model.per_class=[50, 50, 50, 50]"]) == b)
        #expect(b.toml.contains("per_class = 50\n"))
    }

    @Test func labelsFollowTheClassMajorSegments() {
        let s = ModelSpec(classes: 3, counts: [2, 1, 3], widths: [4], lambdaH: 0.1, lambdaW: [0.1])
        #expect((0..<6).map { s.label(ofSample: $0) } == [0, 0, 1, 2, 2, 2])
    }

    @Test(arguments: [
        ("model.per_class=[50, 5, 20]", "has 3 entries but model.classes = 4"),
        ("model.per_class=[50, 0, 20, 50]", "class 1 has n_2 = 0"),
        ("model.per_class=[50, 5, -3, 50]", "class 2 has n_3 = -3"),
        ("model.per_class=[50, 5.5, 20, 50]", "an array of integers"),
        ("model.per_class=\"many\"", "an integer or an array of integers"),
        ("model.per_class=0", "n must be at least 1"),
    ])
    func badCountsNameKeyClassAndValue(override: String, message: String) {
        let e = configError(exampleTOML, [override])
        #expect(e?.description.contains("'model.per_class'") == true, "\(String(describing: e))")
        #expect(e?.description.contains(message) == true, "\(String(describing: e))")
    }

    @Test func paramsFilesForOtherCountsAreRefusedNamingBothShapes() throws {
        let spec = ModelSpec(classes: 3, counts: [4, 1, 2], widths: [5], lambdaH: 0.1, lambdaW: [0.1])
        let p = UFMParameters.random(spec: spec, seed: 3, scale: 1)
        let arrays = p.arrays()
        #expect(arrays.map(\.0) == ["H1", "W1", "class_counts"])
        #expect(try UFMParameters(spec: spec, arrays: arrays) == p)
        // Another total: H1 has the wrong number of columns.
        let other = ModelSpec(classes: 3, counts: [4, 2, 2], widths: [5], lambdaH: 0.1, lambdaW: [0.1])
        #expect(throws: UFMError.classCounts(name: "H1", found: [5, 7], expected: [5, 8], counts: [4, 2, 2])) {
            try UFMParameters(spec: other, arrays: arrays)
        }
        let msg = UFMError.classCounts(name: "H1", found: [5, 7], expected: [5, 8], counts: [4, 2, 2]).description
        #expect(msg.contains("'H1'") && msg.contains("[5, 7]") && msg.contains("[5, 8]") && msg.contains("model.per_class = [4, 2, 2]"))
        // The same total, other counts: the saved class_counts array says so.
        let permuted = ModelSpec(classes: 3, counts: [1, 4, 2], widths: [5], lambdaH: 0.1, lambdaW: [0.1])
        #expect(throws: UFMError.classCounts(name: "class_counts", found: [4, 1, 2], expected: [1, 4, 2], counts: [1, 4, 2])) {
            try UFMParameters(spec: permuted, arrays: arrays)
        }
        let balanced = ModelSpec(classes: 3, perClass: 2, widths: [5], lambdaH: 0.1, lambdaW: [0.1])
        #expect(UFMParameters.random(spec: balanced, seed: 1, scale: 1).arrays().map(\.0) == ["H1", "W1"])
        #expect(throws: UFMError.self) { try UFMParameters(spec: ModelSpec(classes: 3, counts: [3, 2, 2], widths: [5], lambdaH: 0.1, lambdaW: [0.1]),
                                                           arrays: UFMParameters.random(spec: balanced, seed: 1, scale: 1).arrays()) }
    }

    /// The statistics of class-major columns with counts against a direct per-sample computation.
    @Test func columnStatisticsWithCountsMatchADirectComputation() throws {
        let counts = [7, 1, 1500, 3]  // crosses the 1024-column dsyrk block inside class 2
        var rng = Xoshiro256StarStar(seed: 9)
        let d = 3, N = counts.reduce(0, +)
        var h = Matrix<Double>(rows: d, cols: N)
        var labels: [Int] = []
        for (k, c) in counts.enumerated() { labels += Array(repeating: k, count: c) }
        for i in 0..<d { for j in 0..<N { h[i, j] = Double(labels[j] * (i + 1)) + rng.nextNormal() } }
        let s = try ClassStatistics(columns: h, counts: counts)
        #expect(s.counts == counts && s.sampleCount == N)
        var trace = [Double](repeating: 0, count: counts.count), scatter = Matrix<Double>(rows: d, cols: d)
        for k in counts.indices {
            let cols = (0..<N).filter { labels[$0] == k }
            let mu = (0..<d).map { i in cols.map { h[i, $0] }.reduce(0, +) / Double(cols.count) }
            for i in 0..<d { #expect(abs(s.means[k, i] - mu[i]) <= 1e-12 * max(1, abs(mu[i]))) }
            for j in cols {
                for a in 0..<d {
                    trace[k] += (h[a, j] - mu[a]) * (h[a, j] - mu[a])
                    for b in 0..<d { scatter[a, b] += (h[a, j] - mu[a]) * (h[b, j] - mu[b]) }
                }
            }
        }
        for k in counts.indices { #expect(abs(s.classScatterTraces[k] - trace[k]) <= 1e-10 * max(trace[k], 1)) }
        let sw = s.withinScatter
        for a in 0..<d { for b in 0..<d { #expect(abs(sw[a, b] - scatter[a, b]) <= 1e-10 * scatter.trace) } }
        #expect(throws: CollapseError.self) { try ClassStatistics(columns: h, counts: [7, 1, 1500]) }
        #expect(throws: CollapseError.self) { try ClassStatistics(columns: h, counts: [7, 0, 1501, 3]) }
    }

    /// A run with unbalanced counts writes them to config.toml, params.npz and the checkpoint, and resumes
    /// bit-identically.
    @Test func runsCheckpointAndResumeWithCounts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("counts-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = try UFMConfig.parse(unbalanced, overrides: ["model.widths=[6, 5]", "optimizer.steps=40", "log.every=10",
                                                             "log.checkpoint_every=20", "model.per_class=[5, 1, 3, 2]"])
        let full = try UFMRunRecorder.start(config: c, directory: dir.appendingPathComponent("full"))
        try full.run()
        let params = try NPZ.read(full.directory.params)
        #expect(params.first { $0.name == "class_counts" }?.array.integers == [5, 1, 3, 2])
        #expect(params.first { $0.name == "H1" }?.array.shape == [6, 11])
        c.optimizer.steps = 20
        let half = try UFMRunRecorder.start(config: c, directory: dir.appendingPathComponent("half"))
        try half.run()
        let resumed = try UFMRunRecorder.resume(directory: dir.appendingPathComponent("half"), overrides: ["optimizer.steps=40"])
        try resumed.run()
        #expect(resumed.trainer.parameters == full.trainer.parameters)
        #expect(try MetricsTable.read(resumed.directory.metrics).rows == (try MetricsTable.read(full.directory.metrics).rows))
    }

    /// An unbalanced L-BFGS run logs the per-class columns, and at its end they match the prediction:
    /// the minority class's mean and classifier row vanish, the others have the predicted norms.
    @Test func unbalancedRunLogsPerClassColumnsThatMatchTheTheory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("counts-metrics-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = try UFMConfig.parse(unbalanced, overrides: ["model.classes=3", "model.per_class=[5, 1, 3]", "model.widths=[4]",
                                                             "model.activation=\"none\"", "regularization.lambda_h=0.15",
                                                             "regularization.lambda_w=0.15", "optimizer.method=\"lbfgs\"",
                                                             "optimizer.steps=3000", "optimizer.tolerance=1e-11", "log.every=1000"])
        let rec = try UFMRunRecorder.start(config: c, directory: dir)
        try rec.run()
        let table = try MetricsTable.read(rec.directory.metrics)
        for name in UFMMetrics.unbalancedColumns(for: c.model) { #expect(table.columns.contains(name), "\(name)") }
        let p = try #require(try Theory.predict(c.model).classPredictions)
        #expect(p.map(\.survives) == [true, false, true])
        func last(_ name: String) -> Double { (table.column(name)?.last ?? nil) ?? .nan }
        for k in 0..<3 {
            #expect(abs(last("mean_norm_c\(k)_1") - p[k].meanNorms[0]) <= 1e-6, "class \(k) mean norm")
            #expect(abs(last("w_norm_c\(k)") - p[k].classifierRowNorm) <= 1e-6, "class \(k) row norm")
        }
        #expect(last("nc2_gof_pred_1") <= 1e-6 && last("nc2_gof_1") <= 1e-6)
    }
}
