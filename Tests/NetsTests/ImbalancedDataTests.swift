import Collapse
import Foundation
import Formats
import Linalg
@testable import Report
import Testing
@testable import Nets

/// K classes of 1×6×6 images with `counts[k]` samples of class k (class-major): a fixed random pattern per
/// class plus noise, as `syntheticData`.
func unbalancedData(counts: [Int], noise: Double = 0.3, seed: UInt64 = 5) throws -> TrainingData {
    var rng = Xoshiro256StarStar(seed: seed)
    let patterns = counts.indices.map { _ in (0..<36).map { _ in rng.nextNormal() } }
    var pixels: [Float] = [], labels: [Int] = []
    for (c, n) in counts.enumerated() { for _ in 0..<n {
        pixels += patterns[c].map { Float($0 + noise * rng.nextNormal()) }
        labels.append(c)
    } }
    let train = try Dataset(name: "synthetic", images: Matrix(rows: labels.count, cols: 36, storage: pixels), labels: labels,
                            channels: 1, height: 6, width: 6, classNames: counts.indices.map(String.init))
    return TrainingData(train: train, test: nil, normalization: nil)
}

@Suite struct ImbalancedDataTests {
    func rows(_ d: Dataset) -> [[Float]] { (0..<d.count).map { d.images.row($0) } }

    /// A counts array draws exactly n_k samples of class k, class-major, the same for the same seed, other
    /// samples for another seed, and for equal counts the same subset as the number.
    @Test func countsSubset() throws {
        let pool = try syntheticData(classes: 4, perClass: 10).train
        let a = try TrainingData.subset(pool, counts: [7, 7, 2, 3], seed: 11)
        #expect(a.samplesPerClass == [7, 7, 2, 3])
        #expect(a.labels == a.labels.sorted(), "class-major")
        #expect(rows(a) == rows(try TrainingData.subset(pool, counts: [7, 7, 2, 3], seed: 11)), "deterministic")
        #expect(rows(a) != rows(try TrainingData.subset(pool, counts: [7, 7, 2, 3], seed: 12)), "the seed matters")
        // Every drawn sample is one of its class's samples in the pool, none twice.
        let poolRows = rows(pool)
        for (i, r) in rows(a).enumerated() {
            let j = try #require(poolRows.firstIndex(of: r))
            #expect(pool.labels[j] == a.labels[i])
        }
        #expect(Set(rows(a)).count == a.count)
        let balanced = try TrainingData.subset(pool, counts: [4, 4, 4, 4], seed: 3)
        #expect(rows(balanced) == rows(try pool.balancedSubset(perClass: 4, seed: 3)), "the same draw as per_class = 4")
        // The mnist5k split with counts: disjoint train/test, counts as asked.
        let (train, test) = try TrainingData.split(pool, trainPerClass: 0, trainCounts: [6, 6, 1, 2], testPerClass: 3, seed: 1)
        #expect(train.samplesPerClass == [6, 6, 1, 2] && test?.samplesPerClass == [3, 3, 3, 3])
        #expect(Set(rows(train)).isDisjoint(with: Set(rows(test!))))
    }

    @Test func configArrayParsesAndRoundTrips() throws {
        let c = try TrainConfig.parse("[data]\nper_class = [500, 500, 50]")
        #expect(c.data.perClassCounts == [500, 500, 50] && c.data.perClass == 0)
        #expect(try TrainConfig.parse(c.toml) == c)
        #expect(try TrainConfig.parse("", overrides: ["data.per_class=[3, 4]"]).data.perClassCounts == [3, 4])
        #expect(try TrainConfig.parse("[data]\nper_class = 20").data.perClassCounts == [])
    }

    @Test func minorityPresetParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let c = try TrainConfig.load(root.appendingPathComponent("experiments/fashion-mnist-minority-collapse.toml"))
        #expect(c.data.dataset == .fashionMNIST && c.data.perClassCounts == [500, 500, 500, 500, 500, 5, 5, 5, 5, 5])
        #expect(c.optimizer.weightDecay[.classifier] == 5e-3 && c.loss.kind == .mse && !c.model.classifierBias && c.model.width == 16 && c.model.blocks == [2, 2, 2, 2])
    }

    /// Bad counts name the key, the class and the value.
    @Test func badCountsNameKeyClassAndValue() throws {
        func failure(_ text: String) -> (field: String, reason: String)? {
            do { _ = try TrainConfig.parse(text); return nil } catch {
                if case .invalidConfig(let f, let r) = error { return (f, r) }
                return ("?", "\(error)")
            }
        }
        let zero = try #require(failure("[data]\nper_class = [5, 0, 3]"))
        #expect(zero.field == "data.per_class" && zero.reason.contains("class 1") && zero.reason.contains("count 0"), "\(zero)")
        let negative = try #require(failure("[data]\nper_class = [5, 4, -2]"))
        #expect(negative.field == "data.per_class" && negative.reason.contains("class 2") && negative.reason.contains("-2"), "\(negative)")
        #expect(failure("[data]\nper_class = []")?.field == "data.per_class")
        #expect(failure("[data]\nper_class = [5, 2.5]")?.field == "data.per_class")

        let pool = try syntheticData(classes: 4, perClass: 10).train
        func dataFailure(_ counts: [Int], test: Int = 0) -> (field: String, reason: String)? {
            do {
                if test > 0 { _ = try TrainingData.split(pool, trainPerClass: 0, trainCounts: counts, testPerClass: test, seed: 0) }
                else { _ = try TrainingData.subset(pool, counts: counts, seed: 0) }
                return nil
            } catch let e as NetsError {
                if case .invalidConfig(let f, let r) = e { return (f, r) }
                return ("?", "\(e)")
            } catch { return ("?", "\(error)") }
        }
        let length = try #require(dataFailure([3, 3, 3]))
        #expect(length.field == "data.per_class" && length.reason.contains("3 entries") && length.reason.contains("4 classes"), "\(length)")
        let tooMany = try #require(dataFailure([3, 3, 11, 3]))
        #expect(tooMany.field == "data.per_class" && tooMany.reason.contains("class 2") && tooMany.reason.contains("11")
                && tooMany.reason.contains("has 10"), "\(tooMany)")
        let withTest = try #require(dataFailure([3, 8, 3, 3], test: 3))
        #expect(withTest.reason.contains("class 1") && withTest.reason.contains("test_per_class = 3"), "\(withTest)")
    }

    /// Balanced runs keep exactly the old columns; unbalanced ones add the per-class columns.
    @Test func columnsOnlyForUnbalancedCounts() {
        let layers = ["stage1", "stage2"]
        #expect(NetRun.columns(layers: layers, test: false, counts: [5, 5, 5]) == NetRun.columns(layers: layers, test: false))
        let c = NetRun.columns(layers: layers, test: false, counts: [5, 5, 2])
        let extra = Array(c.dropFirst(NetRun.columns(layers: layers, test: false).count))
        #expect(extra == ["nc2_gof_stage2", "mean_norm_c0_stage2", "mean_norm_c1_stage2", "mean_norm_c2_stage2",
                          "w_norm_c0", "w_norm_c1", "w_norm_c2", "nc2w_gof", "minority_angle",
                          "nc1_c0_stage2", "nc1_c1_stage2", "nc1_c2_stage2", "eval_accuracy_c0", "eval_accuracy_c1", "eval_accuracy_c2"])
        let withTest = NetRun.columns(layers: layers, test: true, counts: [5, 5, 2])
        #expect(Array(withTest.suffix(3)) == ["test_accuracy_c0", "test_accuracy_c1", "test_accuracy_c2"])
    }

    /// An unbalanced tiny training logs the per-class columns, and their last values equal the norms and the
    /// minority angle computed here directly from the exported penultimate features and classifier.
    @Test func unbalancedRunLogsPerClassColumns() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nets-imbalance-\(getpid())")
        defer { try? FileManager.default.removeItem(at: base) }
        let counts = [12, 12, 4, 3]
        let run = try NetRun.start(config: try tinyConfig(epochs: 3), directory: base, data: try unbalancedData(counts: counts))
        try run.run(exportFeatures: true)
        let table = try MetricsTable.read(run.directory.metrics)
        let arrays = try NPZ.read(run.directory.features)
        func array(_ n: String) throws -> NDArray { try #require(arrays.first { $0.name == n }?.array) }
        let h = try array("stage2").matrix(name: "stage2")              // N×d
        let w = try array("weight").matrix(name: "weight")              // K×d
        let labels = try #require(try array("labels").integers)
        #expect(labels.count == counts.reduce(0, +))
        func last(_ c: String) throws -> Double { try #require(table.column(c)?.last ?? nil, "column \(c)") }
        let K = counts.count, d = h.cols
        var rowsW: [[Double]] = []
        for k in 0..<K {
            var mu = [Double](repeating: 0, count: d)
            var n = 0
            for i in 0..<h.rows where labels[i] == k { n += 1; for j in 0..<d { mu[j] += h[i, j] } }
            #expect(n == counts[k])
            let norm = mu.map { ($0 / Double(n)) * ($0 / Double(n)) }.reduce(0, +).squareRoot()
            let got = try last("mean_norm_c\(k)_stage2")
            #expect(abs(got - norm) <= 1e-5 * max(norm, 1e-3), "‖μ_\(k)‖: \(got) vs \(norm)")
            let row = (0..<d).map { w[k, $0] }
            rowsW.append(row)
            let wn = row.map { $0 * $0 }.reduce(0, +).squareRoot()
            let gotW = try last("w_norm_c\(k)")
            #expect(abs(gotW - wn) <= 1e-6 * max(wn, 1e-3), "‖w_\(k)‖: \(gotW) vs \(wn)")
        }
        // The minority classes are 2 and 3 (counts below the largest): one pair.
        let dot = zip(rowsW[2], rowsW[3]).map { $0 * $1 }.reduce(0, +)
        let n2 = rowsW[2].map { $0 * $0 }.reduce(0, +).squareRoot(), n3 = rowsW[3].map { $0 * $0 }.reduce(0, +).squareRoot()
        let angle = acos(dot / (n2 * n3))
        let gotAngle = try last("minority_angle")
        #expect(abs(gotAngle - angle) <= 1e-6 * max(angle, 1e-3), "minority angle \(gotAngle) vs \(angle)")
        #expect(table.rows.count == 4 && table.column("mean_norm_c0_stage2")!.allSatisfy { $0 != nil }, "every measured epoch")
        // Per-class accuracy from the exported features and classifier (arg-max of W h), and the shares of nc1
        // add up to nc1 of the same row.
        var correct = [Int](repeating: 0, count: K)
        let bias = try arrays.first { $0.name == "bias" }.map { try $0.array.matrix(name: "bias").storage } ?? []
        for i in 0..<h.rows {
            let scores = (0..<K).map { k in (0..<d).map { w[k, $0] * h[i, $0] }.reduce(0, +) + (bias.isEmpty ? 0 : bias[k]) }
            if scores.indices.max(by: { scores[$0] < scores[$1] }) == labels[i] { correct[labels[i]] += 1 }
        }
        var weighted = 0.0
        for k in 0..<K {
            let got = try last("eval_accuracy_c\(k)")
            #expect(abs(got - Double(correct[k]) / Double(counts[k])) <= 1e-12, "accuracy of class \(k): \(got) vs \(correct[k])/\(counts[k])")
            weighted += got * Double(counts[k])
        }
        #expect(abs(weighted / Double(h.rows) - (try last("eval_accuracy"))) <= 1e-12)
        let shares = try (0..<K).map { try last("nc1_c\($0)_stage2") }
        let nc1 = try last("nc1_stage2")
        #expect(shares.allSatisfy { $0 >= 0 } && abs(shares.reduce(0, +) - nc1) <= 1e-9 * nc1, "Σ c_k = \(shares.reduce(0, +)) vs nc1 \(nc1)")
        // The figures draw the per-class panels.
        let panels = Figures.panels(table: table, theoryObjective: nil)
        let meanPanel = try #require(panels.first { $0.name == "mean_norm" })
        #expect(meanPanel.series.map(\.label) == ["class 0", "class 1", "class 2", "class 3"])
        #expect(panels.contains { $0.name == "w_norm" && $0.series.count == K })
        #expect(Figures.overview(panels).contains { $0.name == "mean_norm" })
        // Each class's share of NC1 is its own panel, not a "layer" of the NC1 panel.
        #expect(panels.contains { $0.name == "nc1_per_class" && $0.series.count == K })
        #expect(panels.first { $0.name == "nc1" }?.series.map(\.label) == ["stage1", "stage2"])
        #expect(panels.contains { $0.name == "eval_accuracy_per_class" && $0.series.count == K })
        #expect(Figures.overview(panels).contains { $0.name == "eval_accuracy_per_class" })
    }

    /// Per-class columns are told apart from layer columns: `nc1_c3_stage4` is class 3 at stage4, not a layer
    /// "c3_stage4" of NC1, and `nc1_trace_stage4` or `cdnv_stage4` are not per-class.
    @Test func perClassColumnNames() {
        #expect(PerClassColumn("nc1_c3_stage4") == PerClassColumn(family: "nc1", k: 3, level: "stage4"))
        #expect(PerClassColumn("mean_norm_c12_2") == PerClassColumn(family: "mean_norm", k: 12, level: "2"))
        #expect(PerClassColumn("w_norm_c0") == PerClassColumn(family: "w_norm", k: 0, level: ""))
        #expect(PerClassColumn("test_accuracy_c7") == PerClassColumn(family: "test_accuracy", k: 7, level: ""))
        for c in ["nc1_trace_stage4", "nc1_stage4", "nc1_cdnv", "nc1_c", "nc1_c3_", "test_accuracy", "cdnv_c1x", "nc1_cx_1"] {
            #expect(PerClassColumn(c) == nil, "\(c)")
        }
    }

    /// A column without a catalog family (as minority_angle) is drawn from its measured rows only, so a run
    /// with `measure.every = 2` gets a connected curve rather than isolated points.
    @Test func plainPanelsSkipUnmeasuredRows() throws {
        var table = MetricsTable(columns: ["epoch", "minority_angle"])
        table.append(["epoch": 0, "minority_angle": 1.5])
        table.append(["epoch": 1])
        table.append(["epoch": 2, "minority_angle": 1.2])
        let p = try #require(Figures.panels(table: table, theoryObjective: nil).first { $0.name == "minority_angle" })
        #expect(p.series.count == 1 && p.series[0].x == [0, 2] && p.series[0].y == [1.5, 1.2])
    }
}
