import Foundation
import Collapse
import Formats
import Linalg
import Report
import Testing
@testable import UFM

/// What a UFM run records about itself: one-step `final` on failure, class-mean spectra per level, the
/// trivial-metric and convergence warnings, the kept preset comments, and nothing left behind on a bad start.
@Suite struct UFMRunRecordTests {
    @Test func divergedRunReportsOneStepAndWhatHappened() throws {
        let dir = try temporaryDirectory("diverged")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = smallConfig(steps: 40, every: 10)
        c.optimizer.learningRate = 1000
        let rec = try UFMRunRecorder.start(config: c, directory: dir)
        var caught: UFMError?
        do { try rec.run() } catch let e as UFMError { caught = e }
        guard let (step, f, _) = caught?.divergence else { Issue.record("expected a divergence, got \(String(describing: caught))"); return }
        let summary = try JSONValue.read(RunDirectory(dir).summary)
        #expect(summary["status"]?.string == "failed")
        #expect(summary["failure"]?["kind"]?.string == "diverged")
        #expect(summary["failure"]?["step"]?.number == Double(step))
        #expect(summary["failure"]?["objective"]?.number == f)
        // `final` is the last logged row, every value from that one step.
        let table = try MetricsTable.read(RunDirectory(dir).metrics)
        let last = try #require(table.rows.last)
        #expect(summary["final"]?["step"]?.number == last[0])
        #expect(summary["failure"]?["last_logged_step"]?.number == last[0])
        for name in ["objective", "fit", "gradient_norm", "nc1_1", "nc3_2"] {
            #expect(summary["final"]?[name]?.number == table.column(name)!.last!, "\(name)")
        }
        #expect(summary["final"]?["objective"]?.number != f)
    }

    @Test func summaryHasTheClassMeansSpectraPerLevel() throws {
        let dir = try temporaryDirectory("spectra")
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = smallConfig(steps: 20, every: 10)
        let rec = try UFMRunRecorder.start(config: c, directory: dir)
        let summary = try rec.run()
        let levels = try #require(summary["final"]?["levels"]?.elements)
        #expect(levels.count == c.model.depth)
        // Independent check: Σ σ_j² = ‖M_c‖²_F, with M_c computed here from the final features.
        let p = rec.trainer.parameters
        let features = [p.h1, (p.w(1) * p.h1).map { max($0, 0) }]
        let k = c.model.classes, n = c.model.perClass
        for (l, z) in features.enumerated() {
            var means = [[Double]](repeating: [Double](repeating: 0, count: z.rows), count: k)
            for j in 0..<z.cols { for i in 0..<z.rows { means[j / n][i] += z[i, j] / Double(n) } }
            let global = (0..<z.rows).map { i in means.reduce(0) { $0 + $1[i] } / Double(k) }
            let frob = means.reduce(0) { acc, m in acc + zip(m, global).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            let sv = (levels[l]["means_singular_values"]?.elements ?? []).compactMap { $0.number }
            #expect(!sv.isEmpty)
            #expect(abs(sv.reduce(0) { $0 + $1 * $1 } - frob) <= 1e-10 * frob, "level \(l + 1)")
            let uncentered = means.reduce(0) { acc, m in acc + m.reduce(0) { $0 + $1 * $1 } }
            let su = (levels[l]["uncentered_means_singular_values"]?.elements ?? []).compactMap { $0.number }
            #expect(!su.isEmpty)
            #expect(abs(su.reduce(0) { $0 + $1 * $1 } - uncentered) <= 1e-10 * uncentered)
            // The rank in summary.json is the last logged means_rank_l of metrics.csv.
            #expect(levels[l]["means_rank"]?.number == rec.table.column("means_rank_\(l + 1)")!.last!)
            // The effective rank counts the singular values above 1% of the largest.
            let eff = Double(sv.filter { $0 > 0.01 * sv[0] }.count)
            #expect(levels[l]["means_effective_rank"]?.number == eff)
            #expect(rec.table.column("means_rank_eff_\(l + 1)")!.last! == eff)
        }
    }

    @Test func effectiveRankCountsAboveTheRelativeThreshold() {
        #expect(UFMMetrics.effectiveRank([2, 1, 0.03, 0.019, 1e-16]) == 3)
        #expect(UFMMetrics.effectiveRank([]) == 0 && UFMMetrics.effectiveRank([0, 0]) == 0)
    }

    @Test func oneSamplePerClassWarnsThatNC1IsTrivial() throws {
        var spec = smallConfig().model
        #expect(UFMRunRecorder.trivialMetricWarnings(spec).isEmpty)
        spec.counts = Array(repeating: 1, count: spec.classes)
        #expect(UFMRunRecorder.trivialMetricWarnings(spec).first?.contains("NC1 is trivially 0") == true)
        let dir = try temporaryDirectory("trivial")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = smallConfig(steps: 10, every: 5)
        c.model.counts = Array(repeating: 1, count: c.model.classes)
        let summary = try UFMRunRecorder.start(config: c, directory: dir).run()
        #expect(summary["warnings"]?.elements?.contains { $0.string?.contains("per_class = 1") == true } == true)
    }

    @Test func aLargeFinalGradientIsFlagged() throws {
        let dir = try temporaryDirectory("unconverged")
        defer { try? FileManager.default.removeItem(at: dir) }
        let short = try UFMRunRecorder.start(config: smallConfig(steps: 3, every: 1), directory: dir).run()
        #expect(short["convergence"]?["converged"] == .bool(false))
        #expect(short["warnings"]?.elements?.contains { $0.string?.hasPrefix("not converged") == true } == true)
        var c = smallConfig(method: .lbfgs, steps: 2000, every: 100)
        c.optimizer.tolerance = 1e-10
        let dir2 = try temporaryDirectory("converged")
        defer { try? FileManager.default.removeItem(at: dir2) }
        let done = try UFMRunRecorder.start(config: c, directory: dir2).run()
        #expect(done["convergence"]?["converged"] == .bool(true), "\(done.serialized())")
        #expect(done["warnings"] == nil)
    }

    @Test func configTomlKeepsThePresetCommentsAcrossAResume() throws {
        let dir = try temporaryDirectory("comments")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = smallConfig(steps: 20, every: 10)
        c.log.checkpointEvery = 10
        let prov = RunProvenance(preset: "p", configFile: "p.toml", citation: "Author & Other, Fig. 2:\n- a bullet", overrides: ["optimizer.steps=20"])
        try UFMRunRecorder.start(config: c, directory: dir, provenance: prov).run()
        let d = RunDirectory(dir)
        var text = try String(contentsOf: d.config, encoding: .utf8)
        #expect(text.hasPrefix("# Author & Other, Fig. 2:\n# - a bullet\n#\n# From preset p, p.toml; overrides: optimizer.steps=20.\n"), "\(text)")
        #expect(try UFMConfig.load(d.config) == c)
        #expect(try JSONValue.read(d.summary)["provenance"]?["preset"]?.string == "p")
        try UFMRunRecorder.resume(directory: dir, overrides: ["optimizer.steps=30"]).run()
        text = try String(contentsOf: d.config, encoding: .utf8)
        #expect(text.hasPrefix("# Author & Other, Fig. 2:"))
        #expect(try UFMConfig.load(d.config).optimizer.steps == 30)
        // The resumed summary keeps where the run came from.
        let resumed = try JSONValue.read(d.summary)["provenance"]
        #expect(resumed?["preset"]?.string == "p" && resumed?["overrides"]?.elements?.first?.string == "optimizer.steps=20")
        #expect(resumed?["resumed_by"]?.string != nil)
    }

    @Test func aMissingInitFileLeavesNoDirectory() throws {
        let parent = try temporaryDirectory("noinit")
        defer { try? FileManager.default.removeItem(at: parent) }
        var c = smallConfig()
        c.initialization.file = parent.appendingPathComponent("missing.npz").path
        let dir = parent.appendingPathComponent("run")
        #expect(throws: (any Error).self) { try UFMRunRecorder.start(config: c, directory: dir) }
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }

    @Test func linearIsAnotherNameForNoActivation() throws {
        for word in ["none", "linear", "LINEAR", "identity"] {
            let text = "[model]\nclasses = 3\nper_class = 2\nwidths = [4, 4]\nactivation = \"\(word)\"\n[regularization]\nlambda_h = 0.01\nlambda_w = 0.01\n"
            #expect(try UFMConfig.parse(text).model.activation == Activation.none, "\(word)")
        }
        #expect(throws: ConfigError.self) {
            try UFMConfig.parse("[model]\nclasses = 3\nper_class = 2\nwidths = [4]\nactivation = \"tanh\"\n[regularization]\nlambda_h = 0.01\nlambda_w = 0.01\n")
        }
    }
}
