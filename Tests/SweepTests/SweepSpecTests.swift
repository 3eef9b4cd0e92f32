import Foundation
import Formats
import Testing
@testable import Sweep

@Suite struct SweepAxisTests {
    @Test func linearRangeKnownAnswer() {
        #expect(SweepAxis.linearRange(0, 1, count: 5) == [0, 0.25, 0.5, 0.75, 1])
        #expect(SweepAxis.linearRange(2, 3, count: 1) == [2])
    }

    @Test func logRangeHasExactEndsAndEqualRatios() {
        let v = SweepAxis.logRange(1e-4, 1e-1, count: 4)
        #expect(v.first == 1e-4 && v.last == 1e-1)
        for (x, y) in zip(v, [1e-4, 1e-3, 1e-2, 1e-1]) { #expect(abs(x - y) <= 1e-15 * y) }
    }

    @Test func parsesListsRangesAndSeeds() throws {
        #expect(try SweepAxis.parse(key: "init.seed", .table(["seeds": .int(3), "start": .int(5)])).values == [.int(5), .int(6), .int(7)])
        #expect(try SweepAxis.parse(key: "a.b", .array([.string("relu"), .string("none")])).values.count == 2)
        #expect(try SweepAxis.parse(key: "a.b", .table(["linear": .array([.int(0), .int(2)]), "count": .int(3)])).values == [.double(0), .double(1), .double(2)])
    }

    @Test func refusesEmptyAndMalformedAxes() {
        #expect(errorMessage { _ = try SweepAxis.parse(key: "x.y", .array([])) } == "axis 'x.y' has no values: give at least one")
        #expect(errorMessage { _ = try SweepAxis.parse(key: "x.y", .table(["log": .array([.int(0), .int(1)]), "count": .int(3)])) }?.contains("a > 0") == true)
        #expect(errorMessage { _ = try SweepAxis.parse(key: "x.y", .table(["log": .array([.int(1), .int(2)]), "count": .int(0)])) }?.contains("no values") == true)
        #expect(errorMessage { _ = try SweepAxis.parse(key: "x.y", .table(["linear": .array([.int(1), .int(2)])])) }?.contains("count") == true)
        #expect(errorMessage { _ = try SweepAxis.parse(key: "x.y", .int(3)) }?.contains("a list of values or a range") == true)
    }
}

@Suite struct SweepSpecTests {
    @Test func gridAndZipExpandInOrderLastFastest() throws {
        let f = try SweepFixture(sweep: """
        base = "base.toml"
        [axes]
        "init.seed" = [0, 1]
        "regularization.lambda_h" = [0.01, 0.02, 0.03]
        [zip.depth]
        "model.widths" = [[6], [6, 6]]
        "regularization.lambda_w" = [0.01, 0.02]
        """)
        let plan = try f.plan()
        #expect(plan.points.count == 12)
        #expect(plan.axisKeys == ["init.seed", "regularization.lambda_h", "model.widths", "regularization.lambda_w"])
        #expect(plan.points[1].label == "init.seed = 0, regularization.lambda_h = 0.01, model.widths = [6, 6], regularization.lambda_w = 0.02")
        #expect(plan.points[11].label == "init.seed = 1, regularization.lambda_h = 0.03, model.widths = [6, 6], regularization.lambda_w = 0.02")
        #expect(plan.points[11].config?.model.widths == [6, 6] && plan.points[11].config?.model.lambdaW == [0.02, 0.02])
        #expect(plan.points[7].config?.initialization.seed == 1 && plan.points[7].config?.model.lambdaH == 0.01)
        #expect(plan.points.allSatisfy { $0.config?.run.threads == 1 })
        // depth-2 points add level-2 columns
        #expect(plan.columns.contains("nc1_2") && plan.columns.contains("means_rank_2") && plan.columns.contains("nc3_2"))
    }

    @Test func orderReordersDimensions() throws {
        let f = try SweepFixture(sweep: """
        base = "base.toml"
        order = ["regularization.lambda_h", "init.seed"]
        [axes]
        "init.seed" = [0, 1]
        "regularization.lambda_h" = [0.01, 0.02]
        """)
        #expect(try f.plan().points[1].label == "regularization.lambda_h = 0.01, init.seed = 1")
    }

    @Test func unknownAxisNamesTheKeyAndTheValidOnes() throws {
        let f = try SweepFixture(sweep: "base = \"base.toml\"\n[axes]\n\"regularization.lamda_w\" = [0.1]\n")
        let m = errorMessage { _ = try f.plan() }
        #expect(m?.hasPrefix("axis 'regularization.lamda_w' is not a config key; valid keys: model.classes") == true)
        #expect(m?.contains("regularization.lambda_w") == true)
    }

    @Test func invalidValueNamesAxisAndPoint() throws {
        let f = try SweepFixture(sweep: """
        base = "base.toml"
        [axes]
        "init.seed" = [0, 1]
        "optimizer.learning_rate" = [0.1, -1.0]
        """)
        #expect(errorMessage { _ = try f.plan() }
            == "axis 'optimizer.learning_rate' makes point 1 (init.seed = 0, optimizer.learning_rate = -1.0) invalid: 'optimizer.learning_rate' = -1.0 is invalid: must be > 0")
    }

    @Test func badFilesAreRefused() throws {
        let cases: [(String, String)] = [
            ("base = \"base.toml\"\n[axes]\n\"init.seed\" = []\n", "axis 'init.seed' has no values"),
            ("base = \"base.toml\"\nbogus = 1\n", "unknown sweep entry 'bogus'"),
            ("[axes]\n", "base: give base"),
            ("base = \"nope.toml\"\n", "cannot read"),
            ("base = \"base.toml\"\n[set]\n\"init.seed\" = 1\n[axes]\n\"init.seed\" = [0]\n", "set twice"),
            ("base = \"base.toml\"\n[zip.g]\n\"init.seed\" = [0, 1]\n\"init.scale\" = [0.1]\n", "init.scale: 1, init.seed: 2"),
            ("base = \"base.toml\"\n[report]\nphase = { x = \"a\" }\n", "needs y"),
            ("base = \"base.toml\"\n[report]\nphase = { x = \"a\", y = \"b\", value = \"c\", aggregate = \"fraction\" }\n", "needs condition"),
        ]
        for (text, expected) in cases {
            let f = try SweepFixture(sweep: text)
            let m = errorMessage { _ = try f.plan() }
            #expect(m?.contains(expected) == true, "\(text): \(m ?? "no error")")
        }
    }

    @Test func aggregates() throws {
        #expect(SweepAggregate.mean.apply([1, 2, .nan, 6]) == 3)
        #expect(SweepAggregate.min.apply([3, 1, 2]) == 1)
        #expect(SweepAggregate.median.apply([4, 1, 3, 2]) == 2.5)
        #expect(SweepAggregate.fraction(op: "<", threshold: 1e-6).apply([1e-7, 1e-3, .nan, 1e-9]) == 0.5)
        #expect(SweepAggregate.mean.apply([.nan]).isNaN)
        #expect(SweepAggregate.fraction(op: "abs<", threshold: 1e-3).apply([-1e-4, 2e-3, -5e-3, 1e-5]) == 0.5)
        #expect(try SweepReportSettings.aggregate("fraction", condition: "abs < 1e-3", what: "t") == .fraction(op: "abs<", threshold: 1e-3))
        #expect(errorMessage { _ = try SweepReportSettings.aggregate("fraction", condition: "≈ 3", what: "t") }?.contains("not an operator") == true)
    }

    @Test func shards() throws {
        #expect(try Shard.parse("2/4") == Shard(index: 2, count: 4))
        #expect(errorMessage { _ = try Shard.parse("4/4") }?.contains("0 … 3") == true)
        #expect(errorMessage { _ = try Shard.parse("x") }?.contains("I/N") == true)
        #expect(try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "5"]) == Shard(index: 2, count: 4))
        #expect(try Shard.fromSlurm([:]) == nil)
        #expect(errorMessage { _ = try Shard.fromSlurm(["SLURM_ARRAY_TASK_ID": "1"]) }?.contains("SLURM_ARRAY_TASK_COUNT") == true)
    }

    @Test func csvQuotesAndParsesBack() throws {
        let rows: [[String: String]] = [["a": "1", "b": "[6, 6]", "c": "say \"hi\""], ["a": "nan", "b": "", "c": "x"]]
        let text = SweepResults.csv(columns: ["a", "b", "c"], rows: rows)
        #expect(text == "a,b,c\n1,\"[6, 6]\",\"say \"\"hi\"\"\"\nnan,,x\n")
        let back = try SweepResults.parse(text, path: "t")
        #expect(back.columns == ["a", "b", "c"] && back.rows == rows)
    }
}
