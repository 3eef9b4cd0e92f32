import Foundation
import Testing
@testable import Sweep

@Suite struct SweepRunnerTests {
    static let sweep = """
    base = "base.toml"
    [axes]
    "init.seed" = { seeds = 2 }
    "regularization.lambda_h" = { log = [1e-3, 1e-1], count = 3 }
    """

    @Test func oneRowPerPointWithTheoryAndMetrics() throws {
        let f = try SweepFixture(sweep: SweepRunnerTests.sweep)
        let (report, table) = try f.run("out")
        #expect(report.ran == 6 && table.missing.isEmpty && table.rows.count == 6)
        let r = table.rows[4]
        #expect(r["point"] == "p000004" && r["init.seed"] == "1" && r["regularization.lambda_h"] == "0.01")
        #expect(r["status"] == "completed" && r["stop_reason"] == "steps" && r["steps"] == "40" && r["depth"] == "1")
        #expect(r["theory_status"] == "global" && r["theory_regime"] == "collapse" && r["theory_threshold"] == "1")
        // gap_to_theory = objective − theory_objective, each as written
        let gap = Double(r["objective"]!)! - Double(r["theory_objective"]!)!
        #expect(abs(Double(r["gap_to_theory"]!)! - gap) <= 1e-12 * max(1, abs(gap)))
        // c = K·√(n·λ_H·λ_W) = 3·√(4·0.01·0.01)
        #expect(abs(Double(r["theory_control"]!)! - 0.06) <= 1e-15)
        #expect(Double(r["nc1_1"]!) != nil && ["2", "3"].contains(r["means_rank_1"]!))
        // the same point run as `collapse run` would: its own plan's config, through the same recorder
        #expect(r["objective"] == PointRunner.run(try f.plan().points[4], directory: f.folder.appendingPathComponent("single"), keep: .summary)["objective"])
        #expect(!FileManager.default.fileExists(atPath: f.folder.appendingPathComponent("single").path))
    }

    @Test func resultsDoNotDependOnJobsOrShards() throws {
        let f = try SweepFixture(sweep: SweepRunnerTests.sweep)
        let one = try f.run("j1", jobs: 1).1
        let two = try f.run("j2", jobs: 2).1
        #expect(SweepFixture.withoutTiming(one) == SweepFixture.withoutTiming(two))
        for i in 0..<3 { try f.run("sh", jobs: 2, shard: Shard(index: i, count: 3)) }
        let sharded = try SweepCollect.gather(f.out("sh"))
        #expect(sharded.missing.isEmpty)
        #expect(SweepFixture.withoutTiming(sharded) == SweepFixture.withoutTiming(one))
    }

    @Test func resumeRunsOnlyPointsWithoutARecord() throws {
        let f = try SweepFixture(sweep: SweepRunnerTests.sweep)
        try f.run("out", jobs: 2)
        let dir = f.out("out")
        let kept = try String(contentsOf: dir.record("p000001"), encoding: .utf8)
        try FileManager.default.removeItem(at: dir.record("p000003"))
        let (again, table) = try f.run("out", jobs: 2)
        #expect(again.ran == 1 && again.skipped == 5 && table.missing.isEmpty)
        #expect(try String(contentsOf: dir.record("p000001"), encoding: .utf8) == kept)
        #expect(try f.run("out").0.ran == 0)
    }

    @Test func missingPointsAreListed() throws {
        let f = try SweepFixture(sweep: SweepRunnerTests.sweep)
        try f.run("out", shard: Shard(index: 1, count: 2))
        let m = errorMessage { try SweepCollect.writeResults(f.out("out")) }
        #expect(m?.contains("3 of 6 points have no result yet: p000000, p000002, p000004") == true)
        #expect(!FileManager.default.fileExists(atPath: f.out("out").results.path))
    }

    @Test func divergedPointIsARowAndTheSweepGoesOn() throws {
        let f = try SweepFixture(sweep: """
        base = "base.toml"
        [axes]
        "optimizer.learning_rate" = [0.1, 50.0]
        """)
        let (_, table) = try f.run("out", jobs: 2)
        #expect(table.rows.map { $0["status"] } == ["completed", "diverged"])
        #expect(table.rows[1]["error"]?.contains("diverged") == true || table.rows[1]["error"]?.contains("exceeds") == true)
        #expect(table.rows[1]["steps"].flatMap { Int($0) }.map { $0 < 40 } == true)
    }

    @Test func keepModesLeaveWhatTheySay() throws {
        let f = try SweepFixture(sweep: "base = \"base.toml\"\n[axes]\n\"init.seed\" = [0]\n")
        try f.run("s", keep: .summary)
        #expect(!FileManager.default.fileExists(atPath: f.out("s").run("p000000").path))
        try f.run("m", keep: .metrics)
        let m = f.out("m").run("p000000")
        #expect(FileManager.default.fileExists(atPath: m.appendingPathComponent("metrics.csv").path))
        #expect(!FileManager.default.fileExists(atPath: m.appendingPathComponent("params.npz").path))
        try f.run("a", keep: .all)
        #expect(FileManager.default.fileExists(atPath: f.out("a").run("p000000").appendingPathComponent("params.npz").path))
        #expect(FileManager.default.fileExists(atPath: f.out("a").run("p000000").appendingPathComponent("index.html").path))
    }

    @Test func scratchNamesAreFixedPerDirectoryAndPoint() {
        let a = SweepDirectory(URL(fileURLWithPath: "/tmp/x/sweep")), b = SweepDirectory(URL(fileURLWithPath: "/tmp/y/sweep"))
        #expect(a.scratch("p000001") == SweepDirectory(URL(fileURLWithPath: "/tmp/x/sweep")).scratch("p000001"))
        #expect(a.scratch("p000001") != b.scratch("p000001") && a.scratch("p000001") != a.scratch("p000002"))
    }

    @Test func aDirectoryOfAnotherSweepIsRefused() throws {
        let f = try SweepFixture(sweep: SweepRunnerTests.sweep)
        try f.run("out")
        try "base = \"base.toml\"\n[axes]\n\"init.seed\" = [5]\n".write(to: f.sweepURL, atomically: true, encoding: .utf8)
        #expect(errorMessage { try f.run("out") }?.contains("holds a different sweep") == true)
    }
}
