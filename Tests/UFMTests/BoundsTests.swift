import Foundation
import Formats
import Linalg
import Report
import Testing
@testable import UFM

/// Sizes, counts and checkpoints from the input are checked before they are used; divergence names its cause.
@Suite struct UFMBoundsTests {
    @Test func sampleCountOverflowIsAConfigError() {
        // K·n overflows: refused by the parser before the K counts are expanded.
        let text = "[model]\nclasses = 4294967296\nper_class = 4294967296\nwidths = [4]\n[regularization]\nlambda_h = 0.01\nlambda_w = 0.01\n"
        do { _ = try UFMConfig.parse(text); Issue.record("K·n overflow accepted") } catch let e as ConfigError {
            #expect("\(e)".contains("2^31"), "\(e)")
        } catch { Issue.record("unexpected error \(error)") }
        // Σ n_k overflows for counts built in code.
        var c = smallConfig()
        c.model.classes = 2
        c.model.counts = [Int.max, 1]
        #expect(throws: ConfigError.self) { try c.validate() }
        var w = smallConfig()
        w.model.widths = [Int.max / 2, 5]
        w.model.lambdaW = [0.01, 0.01]
        #expect(throws: ConfigError.self) { try w.validate() }
    }

    @Test func hugeWidthsAndHistoriesAreRefusedNamingTheDimension() throws {
        var c = smallConfig()
        c.model.widths = [1_000_000_000, 5]
        try c.validate()
        do { try c.checkMemory(); Issue.record("widths [1e9, 5] accepted") } catch {
            #expect(error.description.contains("1000000000"), "\(error)")
        }
        var h = smallConfig(method: .lbfgs)
        h.optimizer.history = 1_000_000_000_000
        do { try h.checkMemory(); Issue.record("history 1e12 accepted") } catch {
            #expect(error.largest.contains("optimizer.history"), "\(error)")
        }
        try smallConfig().checkMemory()
        // The recorder refuses before creating the directory.
        let base = try temporaryDirectory("bounds")
        defer { try? FileManager.default.removeItem(at: base) }
        let dir = base.appendingPathComponent("run")
        #expect(throws: MemoryBudgetError.self) { try UFMRunRecorder.start(config: h, directory: dir) }
        #expect(!FileManager.default.fileExists(atPath: dir.path))
    }

    @Test func threadsAboveTheCoreCountAreCappedWithAWarning() {
        var c = smallConfig()
        c.run.threads = 4_294_967_296
        #expect(c.run.resolvedThreads(for: c.model) == max(1, BLASThreads.processors))
        #expect(c.warnings.contains { $0.key == "run.threads" })
    }

    private func checkpoint(_ edit: (inout [(String, NDArray)]) -> Void) throws -> Error? {
        var c = smallConfig(steps: 10)
        let t = UFMTrainer(config: c)
        try t.run(onLog: { _ in })
        var arrays = t.checkpointArrays()
        edit(&arrays)
        c.optimizer.steps = 20
        do { _ = try UFMTrainer(config: c, checkpoint: arrays); return nil } catch { return error }
    }

    private func setCounter(_ i: Int, _ v: Int) -> (inout [(String, NDArray)]) -> Void {
        { arrays in
            let k = arrays.firstIndex { $0.0 == "counters" }!
            var counters = arrays[k].1.integers!
            counters[i] = v
            arrays[k].1 = NDArray(labels: counters)
        }
    }

    @Test func tamperedCheckpointsAreRefused() throws {
        #expect(try checkpoint { _ in } == nil)
        let beyond = try checkpoint(setCounter(0, Int.max))
        #expect("\(beyond.map { "\($0)" } ?? "")".contains("beyond optimizer.steps"))
        #expect(try checkpoint(setCounter(0, 21)) != nil)
        #expect(try checkpoint(setCounter(0, -1)) != nil)
        #expect(try checkpoint(setCounter(1, -5)) != nil)
        let nan = try checkpoint { arrays in
            let k = arrays.firstIndex { $0.0 == "objective" }!
            arrays[k].1 = NDArray([Double.nan, 1])
        }
        #expect("\(nan.map { "\($0)" } ?? "")".contains("not finite"))
    }

    @Test func resumingAFinishedRunWithFewerStepsIsRefusedAndChangesNothing() throws {
        let dir = try temporaryDirectory("shorten")
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = smallConfig(steps: 30, every: 10)
        c.log.checkpointEvery = 10
        try UFMRunRecorder.start(config: c, directory: dir).run()
        let config = try String(contentsOf: RunDirectory(dir).config, encoding: .utf8)
        let summary = try String(contentsOf: RunDirectory(dir).summary, encoding: .utf8)
        #expect(throws: UFMError.self) { try UFMRunRecorder.resume(directory: dir, overrides: ["optimizer.steps=5"]) }
        #expect(try String(contentsOf: RunDirectory(dir).config, encoding: .utf8) == config)
        #expect(try String(contentsOf: RunDirectory(dir).summary, encoding: .utf8) == summary)
    }

    @Test func divergenceNamesTheRealCause() throws {
        var lambda = smallConfig(steps: 5)
        lambda.model.lambdaH = 1e300
        do { try UFMTrainer(config: lambda).run(onLog: { _ in }); Issue.record("no divergence") } catch {
            #expect("\(error)".contains("regularization.lambda_h = 1e+300"), "\(error)")
        }
        var scale = smallConfig(steps: 5)
        scale.initialization.scale = 1e300
        do { try UFMTrainer(config: scale).run(onLog: { _ in }); Issue.record("no divergence") } catch {
            #expect("\(error)".contains("init.scale") && "\(error)".contains("initial point"), "\(error)")
        }
        // A plain too-large learning rate is still blamed on the learning rate.
        var lr = smallConfig(steps: 200)
        lr.optimizer.learningRate = 50
        do { try UFMTrainer(config: lr).run(onLog: { _ in }); Issue.record("no divergence") } catch {
            #expect("\(error)".contains("learning rate"), "\(error)")
        }
    }
}
