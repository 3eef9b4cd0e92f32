import Foundation
import Collapse
import Formats
import Linalg
import Report
import Testing
@testable import UFM

/// A fresh empty temporary directory.
func temporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ufm-tests-\(getpid())-\(name)-\(UInt32.random(in: 0...UInt32.max))")
    try? FileManager.default.removeItem(at: url)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

struct Interrupted: Error {}

@Suite struct RunRecorderTests {
    @Test func writesAllFilesWithNCMetrics() throws {
        let dir = try temporaryDirectory("files")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = smallConfig(steps: 40, every: 10)
        c.model.bias = false
        let rec = try UFMRunRecorder.start(config: c, directory: dir)
        let summary = try rec.run()
        let d = RunDirectory(dir)
        // config.toml is the resolved config.
        #expect(try UFMConfig.load(d.config) == c)
        // metrics.csv: one row per logged step, objective columns and NC metrics per level.
        let table = try MetricsTable.read(d.metrics)
        #expect(table.columns == ["step", "objective", "fit", "gradient_norm",
                                  "nc1_1", "nc1_trace_1", "nc2_of_1", "nc2_etf_1", "alignment_sin2_1", "means_rank_1", "means_rank_eff_1",
                                  "nc1_2", "nc1_trace_2", "nc2_of_2", "nc2_etf_2", "alignment_sin2_2", "means_rank_2", "means_rank_eff_2", "nc3_2", "nc4_2"])
        #expect(table.column("step")! == [0, 10, 20, 30, 40])
        for name in table.columns { #expect(table.column(name)!.allSatisfy { $0 != nil && $0!.isFinite }, "\(name)") }
        // The last row's level metrics are those of the final Z_1 = H_1 and Z_2 = σ(W_1 H_1), with (W_2, b) as classifier.
        let final = rec.trainer.parameters
        let z2 = (final.w(1) * final.h1).map { max($0, 0) }
        let m1 = try NCMetrics.measure(columns: final.h1, classes: 3, weight: final.w(1))
        let m2 = try NCMetrics.measure(columns: z2, classes: 3, classifier: Classifier(weight: final.w(2), bias: nil))
        // …equal to what NCMetrics.measure (which computes everything) reports for the same features.
        for (l, m) in [(1, m1), (2, m2)] {
            // (means_rank_eff is not an NCMetrics name: UFMRunRecordTests checks it against the singular values.)
            for name in UFMMetrics.levelNames + (l == 2 ? UFMMetrics.lastLevelNames : []) where name != "means_rank_eff" {
                let logged = table.column("\(name)_\(l)")!.last!!, expected = m[name]!
                #expect(abs(logged - expected) <= 1e-12 * max(abs(expected), 1e-300), "\(name)_\(l): \(logged) vs \(expected)")
            }
        }
        // params.npz holds the final θ under the documented names.
        let params = try NPZ.read(d.params)
        #expect(params.map(\.name) == ["H1", "W1", "W2"])
        #expect(try UFMParameters(spec: c.model, arrays: params.map { ($0.name, $0.array) }) == final)
        // summary.json.
        #expect(summary["status"] == "completed")
        #expect(summary["final"]?["step"] == 40)
        #expect(summary["final"]?["objective"] == JSONValue(rec.trainer.iterate.value))
        #expect(summary["iterations_per_second"] != nil && summary["seconds"] != nil)
        #expect(summary["timing"]?["metrics_seconds"] != nil && summary["timing"]?["optimization_seconds"] != nil)
        #expect(FileManager.default.fileExists(atPath: d.summary.path))
    }

    @Test func refusesAnExistingRunUnlessForced() throws {
        let dir = try temporaryDirectory("exists")
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = smallConfig(steps: 2)
        try UFMRunRecorder.start(config: c, directory: dir).run()
        #expect(throws: RunDirectoryError.self) { try UFMRunRecorder.start(config: c, directory: dir) }
        try UFMRunRecorder.start(config: c, directory: dir, overwrite: true).run()
    }

    /// 2k steps straight vs k steps + checkpoint + an interruption + resume: identical params and metrics.
    @Test(arguments: OptimizerMethod.allCases)
    func resumeGivesBitIdenticalResults(method: OptimizerMethod) throws {
        let k = 20
        let straightDir = try temporaryDirectory("straight"), resumedDir = try temporaryDirectory("resumed")
        defer { try? FileManager.default.removeItem(at: straightDir); try? FileManager.default.removeItem(at: resumedDir) }
        var c = smallConfig(method: method, steps: 2 * k, every: 5)
        c.log.checkpointEvery = k
        try UFMRunRecorder.start(config: c, directory: straightDir).run()

        // Interrupted after step k + 7 (its checkpoint is at step k).
        let first = try UFMRunRecorder.start(config: c, directory: resumedDir)
        #expect(throws: Interrupted.self) { try first.run { snap, _ in if snap.step > k + 7 { throw Interrupted() } } }
        let failed = try String(contentsOf: RunDirectory(resumedDir).summary, encoding: .utf8)
        #expect(failed.contains("\"failed\""))
        let resumed = try UFMRunRecorder.resume(directory: resumedDir)
        #expect(resumed.resumedFrom == k)
        try resumed.run()

        let a = try NPZ.read(RunDirectory(straightDir).params), b = try NPZ.read(RunDirectory(resumedDir).params)
        #expect(a.map(\.name) == b.map(\.name))
        #expect(zip(a, b).allSatisfy { $0.array == $1.array })
        let ta = try MetricsTable.read(RunDirectory(straightDir).metrics), tb = try MetricsTable.read(RunDirectory(resumedDir).metrics)
        #expect(ta == tb)
    }

    /// A finished run with a final checkpoint can be extended with --set optimizer.steps=…, matching a longer run.
    @Test func resumeCanExtendAFinishedRun() throws {
        let short = try temporaryDirectory("short"), long = try temporaryDirectory("long")
        defer { try? FileManager.default.removeItem(at: short); try? FileManager.default.removeItem(at: long) }
        var c = smallConfig(method: .lbfgs, steps: 15, every: 5)
        c.log.checkpointEvery = 100
        try UFMRunRecorder.start(config: c, directory: short).run()
        let ext = try UFMRunRecorder.resume(directory: short, overrides: ["optimizer.steps=30"])
        try ext.run()
        c.optimizer.steps = 30
        let straight = try UFMRunRecorder.start(config: c, directory: long)
        try straight.run()
        #expect(ext.trainer.parameters == straight.trainer.parameters)
        #expect(try UFMConfig.load(RunDirectory(short).config).optimizer.steps == 30)
        #expect(throws: ConfigError.self) { try UFMRunRecorder.resume(directory: short, overrides: ["optimizer.learning_rate=1"]) }
    }

    @Test func resumeWithoutCheckpointIsAnError() throws {
        let dir = try temporaryDirectory("nockpt")
        defer { try? FileManager.default.removeItem(at: dir) }
        try UFMRunRecorder.start(config: smallConfig(steps: 3), directory: dir).run()
        do { _ = try UFMRunRecorder.resume(directory: dir); Issue.record("resumed") } catch let e as UFMError {
            #expect(e.description.contains("checkpoint.npz"))
        }
    }

    /// Divergence keeps the logged rows on disk and records the error in summary.json.
    @Test func divergenceKeepsTheLoggedMetrics() throws {
        let dir = try temporaryDirectory("diverge")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = smallConfig(steps: 500, every: 1)
        c.optimizer.learningRate = 50
        let rec = try UFMRunRecorder.start(config: c, directory: dir)
        do { try rec.run(); Issue.record("no divergence") } catch let UFMError.diverged(step, _, _, _) {
            let table = try MetricsTable.read(RunDirectory(dir).metrics)
            #expect(table.rows.count == step)
            let summary = try String(contentsOf: RunDirectory(dir).summary, encoding: .utf8)
            #expect(summary.contains("\"failed\"") && summary.contains("step \(step)"))
        }
    }

    /// --init: a run from someone else's params file reproduces their trajectory; a bad file names the array.
    @Test func initFileStartsFromTheGivenPoint() throws {
        let a = try temporaryDirectory("initA"), b = try temporaryDirectory("initB")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        var c = smallConfig(steps: 10)
        let start = UFMParameters.random(spec: c.model, seed: 77, scale: 0.2)
        let file = a.appendingPathComponent("start.npz")
        try NPZ.write(start.arrays().map { (name: $0.0, array: $0.1) }, to: file)
        c.initialization.file = file.path
        c.initialization.seed = 12345  // ignored when a file is given
        let rec = try UFMRunRecorder.start(config: c, directory: b)
        #expect(rec.trainer.parameters == start)
        try rec.run()
        let direct = UFMTrainer(config: c, start: start)
        try direct.run { _ in }
        #expect(rec.trainer.parameters == direct.parameters)

        var wrong = c
        wrong.model.widths = [6, 7]
        do { _ = try UFMRunRecorder.start(config: wrong, directory: b, overwrite: true); Issue.record("accepted") } catch let e as UFMError {
            #expect(e.description.contains("start.npz") && e.description.contains("'W1'") && e.description.contains("[7, 6]"))
        }
    }
}

/// The linear model logs NC3/NC4 at every level against the end-to-end map W_L⋯W_l (Tirer & Bruna, Thm 4.1).
@Suite struct LinearModelPerLevelClassifierTests {
    @Test func everyLevelIsMeasuredAgainstTheProductOfTheLaterWeights() throws {
        let spec = ModelSpec(classes: 3, perClass: 4, widths: [5, 4, 6], activation: .none, loss: .mse, bias: true,
                             lambdaH: 1e-3, lambdaW: [1e-3])
        #expect(UFMMetrics.columns(for: spec).filter { $0.hasPrefix("nc3_") } == ["nc3_1", "nc3_2", "nc3_3"])
        let p = UFMParameters.random(spec: spec, seed: 3, scale: 0.5)
        let objective = UFMObjective(spec: spec)
        let snap = TrainingSnapshot(step: 0, objective: 0, fit: 0, gradientNorm: 0,
                                    features: objective.features(p), parameters: p)
        let row = try UFMMetrics.row(snap)
        let product = p.w(3) * p.w(2) * p.w(1)  // K×d_1
        let expected = try NCMetrics.measure(columns: p.h1, classes: 3, classifier: Classifier(weight: product, bias: p.b))
        #expect(abs(row["nc3_1"]! - expected["nc3"]!) <= 1e-12)
        // NC4 needs the second pass: compare with a direct count of disagreements.
        var agreement = try NearestClassCenterAgreement(statistics: ClassStatistics(columns: p.h1, classes: 3),
                                                        classifier: Classifier(weight: product, bias: p.b))
        try agreement.add(columns: p.h1)
        #expect(row["nc4_1"] == agreement.value)
    }
}
