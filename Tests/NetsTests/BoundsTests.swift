import Foundation
import Formats
import Linalg
import Report
import Testing
@testable import Nets

/// Sizes and counts from the config are checked before allocation; a finished run cannot be shortened;
/// --force replaces a run only once the new one has its first checkpoint, leaving nothing stale.
@Suite struct NetsBoundsTests {
    @Test func aHugeHeadIsRefusedNamingTheWidth() throws {
        do {
            _ = try Trainer(config: try tinyConfig(head: [1_000_000_000]), data: try syntheticData())
            Issue.record("head_widths [1e9] accepted")
        } catch let NetsError.memory(e) {
            #expect(e.largest.contains("head_widths[0] = 1000000000"), "\(e)")
        }
    }

    @Test func aHugeTestSplitIsAnErrorNotATrap() throws {
        let all = try syntheticData().train
        for test in [Int.max, Int.max - 1, 9] {
            #expect(throws: NetsError.self) { try TrainingData.split(all, trainPerClass: 0, testPerClass: test, seed: 1) }
        }
        #expect(throws: NetsError.self) { try TrainingData.split(all, trainPerClass: Int.max, testPerClass: 1, seed: 1) }
        let (train, test) = try TrainingData.split(all, trainPerClass: 0, testPerClass: 2, seed: 1)
        #expect(train.count == 18 && test?.count == 6)
    }

    @Test func threadsAboveTheCoreCountAreCapped() throws {
        let t = try Trainer(config: try tinyConfig(threads: 4_294_967_296), data: try syntheticData())
        #expect(t.network.parameterCount > 0)
    }

    @Test func aCheckpointBeyondTheEpochsIsRefused() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nets-bounds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let data = try syntheticData()
        try NetRun.start(config: try tinyConfig(epochs: 2), directory: base, data: data).run()
        let config = try String(contentsOf: RunDirectory(base).config, encoding: .utf8)
        #expect(throws: NetsError.self) { try NetRun.resume(directory: base, overrides: ["optimizer.epochs=1"], data: data) }
        #expect(try String(contentsOf: RunDirectory(base).config, encoding: .utf8) == config)
    }

    @Test func forceLeavesNoStaleFeaturesOrFigures() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nets-force-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let data = try syntheticData()
        try NetRun.start(config: try tinyConfig(epochs: 1), directory: base, data: data).run(exportFeatures: true)
        try FileManager.default.createDirectory(at: RunDirectory(base).figures, withIntermediateDirectories: true)
        try "old".write(to: RunDirectory(base).figures.appendingPathComponent("nc1.svg"), atomically: false, encoding: .utf8)
        #expect(FileManager.default.fileExists(atPath: RunDirectory(base).features.path))
        let run = try NetRun.start(config: try tinyConfig(epochs: 1), directory: base, overwrite: true, data: data)
        #expect(run.slot.isStaged)
        try run.run()
        #expect(run.directory.url == base.standardizedFileURL)
        #expect(!FileManager.default.fileExists(atPath: RunDirectory(base).features.path))
        #expect(!FileManager.default.fileExists(atPath: RunDirectory(base).figures.path))
        #expect(FileManager.default.fileExists(atPath: RunDirectory(base).params.path))
    }
}
