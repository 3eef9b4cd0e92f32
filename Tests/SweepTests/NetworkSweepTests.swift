import Formats
import Foundation
import Report
import Testing
@testable import Sweep

/// Sweeps whose base is a trained-network (`collapse train`) config: a ResNet of width 2 with two stages of
/// one block, trained one epoch on 2 digits per class of the shipped MNIST subset (20 images).
@Suite struct NetworkSweepTests {
    static let base = """
    [data]
    dataset = "mnist5k"
    per_class = 2
    [model]
    width = 2
    blocks = [1, 1]
    [optimizer]
    epochs = 1
    batch_size = 10
    learning_rate = 0.05
    [run]
    seed = 7
    """

    static let sweep = """
    base = "net.toml"
    [axes]
    "optimizer.learning_rate" = [0.05, 0.1]
    """

    static func fixture(_ sweep: String = NetworkSweepTests.sweep) throws -> SweepFixture {
        let f = try SweepFixture(sweep: sweep)
        try base.write(to: f.folder.appendingPathComponent("net.toml"), atomically: true, encoding: .utf8)
        return f
    }

    @Test func rowsCarryTheFinalMetricsAndDoNotDependOnJobs() throws {
        let f = try NetworkSweepTests.fixture()
        let plan = try f.plan()
        #expect(plan.spec.kind == .network && plan.points.allSatisfy { $0.network?.run.threads == 1 && $0.config == nil })
        #expect(plan.points.map { $0.network?.optimizer.learningRate } == [0.05, 0.1])
        let (report, one) = try f.run("j1", jobs: 1)
        #expect(report.ran == 2 && one.missing.isEmpty && one.rows.count == 2)
        #expect(["nc1_stage1", "nc1_stage2", "nc3_stage2", "nc4_stage2", "terminal_phase_epoch"].allSatisfy(one.columns.contains))
        #expect(!one.columns.contains("objective"), "one results schema per sweep: no UFM columns")
        for (i, r) in one.rows.enumerated() {
            #expect(r["point"] == SweepPoint.id(i) && r["status"] == "completed" && r["epochs"] == "1" && (r["error"] ?? "").isEmpty)
            #expect(r["optimizer.learning_rate"] == ["0.05", "0.1"][i])
            for c in ["loss", "accuracy", "eval_loss", "eval_accuracy", "seconds", "training_seconds"] {
                #expect(r[c].flatMap { Double($0) }?.isFinite == true, "\(c) of \(r["point"]!)")
            }
            #expect(r.keys.contains("terminal_phase_epoch"))
        }
        let two = try f.run("j2", jobs: 2, keep: .metrics).1
        #expect(SweepFixture.withoutTiming(one) == SweepFixture.withoutTiming(two))
        #expect(one.rows[0]["loss"] != one.rows[1]["loss"], "the axis reaches the run")

        // The row's NC metrics are the last measured epoch of the kept run's metrics.csv.
        let run = f.out("j2").run("p000001")
        let table = try MetricsTable.read(RunDirectory(run).metrics)
        let last = table.rows.last!
        var compared = 0
        for (c, v) in zip(table.columns, last) where c.hasPrefix("nc") {
            #expect(two.rows[1][c] == SweepResults.number(v), "\(c)")
            compared += 1
        }
        #expect(compared >= 5)
        #expect(!FileManager.default.fileExists(atPath: RunDirectory(run).params.path))
        #expect(!FileManager.default.fileExists(atPath: RunDirectory(run).checkpoint.path))
        #expect(FileManager.default.fileExists(atPath: RunDirectory(run).summary.path))
        #expect(!FileManager.default.fileExists(atPath: f.out("j1").run("p000000").path), "--keep summary leaves no run")

        // Resume: only the point without a record runs again, with the same row.
        try FileManager.default.removeItem(at: f.out("j1").record("p000001"))
        let (again, resumed) = try f.run("j1", jobs: 2)
        #expect(again.ran == 1 && again.skipped == 1)
        #expect(SweepFixture.withoutTiming(resumed) == SweepFixture.withoutTiming(one))
    }

    @Test func divergedPointIsARowAndTheSweepGoesOn() throws {
        let f = try NetworkSweepTests.fixture("base = \"net.toml\"\n[axes]\n\"optimizer.learning_rate\" = [0.05, 1e30]\n")
        let (_, table) = try f.run("out", jobs: 2)
        #expect(table.rows.map { $0["status"] } == ["completed", "diverged"])
        #expect(table.rows[1]["error"]?.contains("training diverged at epoch 1") == true)
        #expect(table.rows[1]["epochs"] == "0", "no epoch finished")
        #expect(table.rows[1]["nc1_stage2"].flatMap { Double($0) } != nil, "the initialization's measurement is kept")
    }

    @Test func keepAllLeavesTheTrainDirectoryAndARerunReplacesIt() throws {
        let f = try NetworkSweepTests.fixture("base = \"net.toml\"\n[axes]\n\"run.seed\" = [3]\n")
        let first = try f.run("out", keep: .all).1
        let run = RunDirectory(f.out("out").run("p000000"))
        for u in [run.params, run.checkpoint, run.metrics, run.summary, run.config] {
            #expect(FileManager.default.fileExists(atPath: u.path), "\(u.lastPathComponent)")
        }
        #expect(FileManager.default.fileExists(atPath: f.out("out").run("p000000").appendingPathComponent("index.html").path))
        // A point whose record is lost (a killed sweep) runs again over its old run directory, to the same row.
        try FileManager.default.removeItem(at: f.out("out").record("p000000"))
        let (again, second) = try f.run("out", keep: .all)
        #expect(again.ran == 1 && second.rows.first?["status"] == "completed")
        #expect(SweepFixture.withoutTiming(first) == SweepFixture.withoutTiming(second))
    }

    @Test func aNetworkPresetIsANetworkBase() throws {
        let spec = try SweepSpec.parse("base = \"sukenik2023-mlp-head\"\n[axes]\n\"model.width\" = [2, 4]\n",
                                       source: "preset.toml", directory: FileManager.default.temporaryDirectory)
        #expect(spec.kind == .network)
        let plan = try SweepPlan(spec: spec)
        #expect(plan.points.map { $0.network?.model.width } == [2, 4])
        #expect(try SweepSpec.parse("base = \"tirer2022-fig4\"\n", source: "u.toml", directory: FileManager.default.temporaryDirectory).kind == .ufm)
    }

    @Test func badAxisKeyNamesTheTrainKeys() throws {
        let f = try NetworkSweepTests.fixture("base = \"net.toml\"\n[axes]\n\"optimizer.learning_rat\" = [0.1]\n")
        let m = errorMessage { _ = try f.plan() }
        #expect(m?.contains("axis 'optimizer.learning_rat' is not a config key; valid keys:") == true)
        #expect(m?.contains("optimizer.learning_rate") == true && m?.contains("data.per_class") == true)
        #expect(m?.contains("regularization.lambda_h") == false, "the UFM keys are not valid for a network base")
        let ufmKey = try NetworkSweepTests.fixture("base = \"net.toml\"\n[axes]\n\"regularization.lambda_h\" = [0.1]\n")
        #expect(errorMessage { _ = try ufmKey.plan() }?.contains("axis 'regularization.lambda_h' is not a config key") == true)
    }

    @Test func invalidValueNamesTheAxisAndThePoint() throws {
        let f = try NetworkSweepTests.fixture("base = \"net.toml\"\n[axes]\n\"model.width\" = [2, 0]\n")
        let m = errorMessage { _ = try f.plan() }
        #expect(m?.contains("axis 'model.width' makes point 1 (model.width = 0) invalid") == true)
        #expect(m?.contains("must be ≥ 1") == true)
    }
}
