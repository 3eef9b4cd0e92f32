import Collapse
import Foundation
import Formats
import Linalg
import Report
import Testing
@testable import Nets

/// A small synthetic problem: K classes of 1×6×6 images, each class a fixed random pattern plus noise.
func syntheticData(classes k: Int = 3, perClass n: Int = 8, noise: Double = 0.3, seed: UInt64 = 3) throws -> TrainingData {
    var rng = Xoshiro256StarStar(seed: seed)
    let patterns = (0..<k).map { _ in (0..<36).map { _ in rng.nextNormal() } }
    var pixels: [Float] = [], labels: [Int] = []
    for c in 0..<k { for _ in 0..<n {
        pixels += patterns[c].map { Float($0 + noise * rng.nextNormal()) }
        labels.append(c)
    } }
    let train = try Dataset(name: "synthetic", images: Matrix(rows: k * n, cols: 36, storage: pixels), labels: labels,
                            channels: 1, height: 6, width: 6, classNames: (0..<k).map(String.init))
    return TrainingData(train: train, test: nil, normalization: nil)
}

func tinyConfig(threads: Int = 1, epochs: Int = 2, head: [Int] = []) throws -> TrainConfig {
    try TrainConfig.parse("""
        [model]
        width = 2
        blocks = [1, 1]
        head_widths = \(TOMLLiteral.ints(head))
        [optimizer]
        epochs = \(epochs)
        batch_size = 10
        learning_rate = 0.05
        [run]
        threads = \(threads)
        seed = 7
        """)
}

@Suite struct ConfigTests {
    @Test func defaultsAndRoundTrip() throws {
        let c = try TrainConfig.parse("")
        #expect(c.model.width == 16 && c.model.blocks == [2, 2, 2, 2] && c.loss.kind == .mse && c.loss.mseScale == .mean)
        #expect(c.optimizer.learningRate == 0.05 && c.optimizer.gamma == 0.1 && c.optimizer.stepEpochs == 40)
        let custom = try TrainConfig.parse("""
            [data]
            dataset = "fashion-mnist"
            per_class = 100
            [model]
            width = 8
            head_widths = [32, 32]
            classifier_bias = true
            stem = "imagenet"
            init = "pytorch"
            [loss]
            kind = "ce"
            [optimizer]
            weight_decay = 1e-4
            weight_decay_head = 1e-3
            """)
        #expect(custom.optimizer.weightDecay == [.backbone: 1e-4, .head: 1e-3, .classifier: 1e-4])
        #expect(custom.model.stem == .imagenet && custom.model.initialization == .pytorch)
        #expect(c.model.stem == .cifar && c.model.initialization == .torchvision, "defaults")
        #expect(try TrainConfig.parse(custom.toml) == custom, "the resolved config parses back to itself")
        #expect(try TrainConfig.parse("", overrides: ["optimizer.epochs=7", "model.width=4"]).optimizer.epochs == 7)
    }

    /// Every network preset in experiments/ parses and validates.
    @Test(arguments: ["tirer2022-fig5-mse", "tirer2022-fig5-ce", "fashion-mnist-depthwise", "sukenik2023-mlp-head"])
    func presetsParse(name: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let c = try TrainConfig.load(root.appendingPathComponent("experiments/\(name).toml"))
        #expect(c.optimizer.learningRate == 0.05 && c.optimizer.stepEpochs == 40 && c.optimizer.gamma == 0.1)
        #expect(c.loss.kind == (name.hasSuffix("ce") ? .ce : .mse) && c.model.classifierBias == name.hasSuffix("ce"))
        #expect(c.model.stem == .cifar && c.model.initialization == .torchvision, "the presets state their stem and init")
    }

    @Test func errorsNameTheKey() {
        func field(_ text: String) -> String? {
            do { _ = try TrainConfig.parse(text); return nil } catch { if case .invalidConfig(let f, _) = error { return f }; return "?" }
        }
        #expect(field("[model]\nwidht = 3") == "model.widht")
        #expect(field("[modle]\nwidth = 3") == "modle")
        #expect(field("[model]\nwidth = \"wide\"") == "model.width")
        #expect(field("[optimizer]\ngamma = 10") == "optimizer.gamma")
        #expect(field("[loss]\nkind = \"hinge\"") == "loss.kind")
        #expect(field("[optimizer]\nbatch_size = 1") == "optimizer.batch_size")
        #expect(field("[data]\nper_class = -1") == "data.per_class")
    }
}

@Suite struct TrainingTests {
    func parameters(_ t: Trainer) -> [[Float]] { t.network.parameters.map { $0.value.array } }

    @Test func trainingReducesTheLossAndFitsTheData() throws {
        let t = try Trainer(config: try tinyConfig(epochs: 15), data: try syntheticData())
        let first = try t.trainEpoch()
        var last = first
        for _ in 1..<15 { last = try t.trainEpoch() }
        #expect(last.loss < first.loss / 2, "loss \(first.loss) → \(last.loss)")
        #expect(t.evaluate(t.data.train).accuracy == 1)
    }

    /// Same config and seed → the same bits, with 1 or 2 threads (shards fixed at 2).
    @Test func bitIdenticalAcrossThreadCounts() throws {
        var results: [[[Float]]] = []
        for threads in [1, 2] {
            let t = try Trainer(config: try tinyConfig(threads: threads, head: [3]), data: try syntheticData())
            try t.trainEpoch(); try t.trainEpoch()
            results.append(parameters(t) + t.network.batchNorms.map { $0.runningVariance.array })
        }
        #expect(results[0] == results[1])
    }

    /// A run stopped after one epoch and resumed equals an uninterrupted run, bit for bit.
    @Test func resumeIsBitIdentical() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nets-resume-\(getpid())")
        defer { try? FileManager.default.removeItem(at: base) }
        let data = try syntheticData()
        let straight = try NetRun.start(config: try tinyConfig(epochs: 3), directory: base.appendingPathComponent("a"), data: data)
        try straight.run()
        let interrupted = try NetRun.start(config: try tinyConfig(epochs: 1), directory: base.appendingPathComponent("b"), data: data)
        try interrupted.run()
        let resumed = try NetRun.resume(directory: base.appendingPathComponent("b"), overrides: ["optimizer.epochs=3"], data: data)
        #expect(resumed.trainer.epoch == 1)
        try resumed.run()
        #expect(parameters(straight.trainer) == parameters(resumed.trainer))
        let a = try MetricsTable.read(straight.directory.metrics), b = try MetricsTable.read(resumed.directory.metrics)
        #expect(a.rows.count == 4 && a.column("loss") == b.column("loss") && a.column("nc1_stage2") == b.column("nc1_stage2"))
        #expect(throws: NetsError.self) { try NetRun.resume(directory: base.appendingPathComponent("b"), overrides: ["model.width=3"], data: data) }
        #expect(throws: RunDirectoryError.self) { try NetRun.start(config: try tinyConfig(), directory: base.appendingPathComponent("a"), data: data) }
    }

    /// The streamed per-layer metrics equal the metrics of the exported features computed in one go, and
    /// the exported penultimate features are the network's features (checked against a direct forward pass).
    @Test func measurementMatchesExportedFeatures() throws {
        let t = try Trainer(config: try tinyConfig(head: [4]), data: try syntheticData(perClass: 7))
        try t.trainEpoch()
        let m = try t.measure(t.data.train, keepFeatures: true)
        #expect(m.layers.map(\.name) == ["stage1", "stage2", "head1"])
        for (i, layer) in m.layers.enumerated() {
            let rows = m.features[i].rows
            let last = i == m.layers.count - 1
            let reference = try NCMetrics.measure(rows: rows, labels: m.labels, classes: 3, classifier: last ? t.classifier : nil)
            let got = try #require(layer.metrics)
            for name in ["nc1", "nc2_of", "nc2_etf"] + (last ? ["nc3", "nc4"] : []) {
                let (x, y) = (got[name]!, reference[name]!)
                #expect(abs(x - y) <= 1e-9 * max(1, abs(y)), "\(layer.name) \(name): \(x) vs \(y)")
            }
        }
        // Sample 5's head features from a direct eval-mode forward pass of that sample alone.
        let input = FloatBuffer(count: 36)
        var label: Int32 = 0
        t.data.train.gather([5], into: input.base, labels: &label)
        t.network.forward(input.base, batch: 1, training: false, measure: true)
        let (f, d) = t.network.features(layer: 2)
        for j in 0..<d { #expect(abs(f[j] - m.features[2].rows[5, j]) < 1e-6) }
    }

    @Test func mnist5kSplitIsDisjointAndBalanced() throws {
        let data = try syntheticData(classes: 3, perClass: 10)
        let (train, test) = try TrainingData.split(data.train, trainPerClass: 6, testPerClass: 3, seed: 1)
        #expect(train.samplesPerClass == [6, 6, 6] && test?.samplesPerClass == [3, 3, 3])
        #expect(train.labels == train.labels.sorted(), "class-major")
        let rowsOf = { (d: Dataset) in Set((0..<d.count).map { d.images.row($0) }) }
        #expect(rowsOf(train).isDisjoint(with: rowsOf(test!)))
        #expect(throws: NetsError.self) { try TrainingData.split(data.train, trainPerClass: 8, testPerClass: 3, seed: 1) }
    }
}
