import Collapse
import Foundation
import Formats
import Linalg
import Report

/// What the progress callback sees after each epoch.
public struct EpochReport: Sendable {
    public var statistics: EpochStatistics?
    public var epoch: Int
    public var epochs: Int
    public var row: [String: Double]
    public var measurement: NetworkMeasurement?
}

/// Trains a network from a `TrainConfig` and records the run: config.toml, metrics.csv (rewritten after
/// every epoch), checkpoint.npz (every epoch), params.npz and summary.json at the end, features.npz on
/// request. Every file is written atomically; a killed run resumes from its last epoch bit-identically.
public final class NetRun: @unchecked Sendable {
    /// The locked run directory (`RunSlot`: lock, staging beside an old run under --force, clean-up).
    public let slot: RunSlot
    /// Where the run's files go now (the staging directory until a replaced run is committed).
    public var directory: RunDirectory { slot.directory }
    public let trainer: Trainer
    public private(set) var table: MetricsTable
    public let resumedFrom: Int?
    /// Where the run came from (preset, command line, overrides, version), written to summary.json.
    public var provenance: RunProvenance?
    /// The PyTorch state_dict file the run started from (`start(initialWeights:)`), if any.
    public let initialWeights: String?

    /// Where `run(exportWeights: true)` writes the final state_dict.
    public static func weightsFile(in directory: RunDirectory) -> URL { directory.url.appendingPathComponent("weights.safetensors") }

    init(slot: RunSlot, trainer: Trainer, table: MetricsTable, resumedFrom: Int?, initialWeights: String? = nil) {
        self.initialWeights = initialWeights
        self.slot = slot
        self.trainer = trainer
        self.table = table
        self.resumedFrom = resumedFrom
    }

    /// metrics.csv columns: `epoch`, `lr`, `loss`, `accuracy` (train mode, averaged over the epoch),
    /// `eval_loss`, `eval_accuracy` (eval mode over the training set, at measured epochs), `test_loss`,
    /// `test_accuracy` (with a test subset), `seconds` (training time so far), then for every layer
    /// `nc1_<layer>`, `nc1_trace_<layer>`, `nc2_of_<layer>`, `nc2_etf_<layer>`, `cdnv_<layer>`,
    /// `equinorm_<layer>`, `equiangularity_<layer>`, `means_rank_<layer>`, and for the penultimate layer also
    /// `nc2w_of_`, `nc2w_etf_`, `nc3_`, `nc3_centered_`, `nc4_<layer>` (definitions: docs/metrics.md).
    /// With unequal training counts (`counts`, one per class), also, for the penultimate layer,
    /// `nc2_gof_<layer>` and per class k (0-based) `mean_norm_c{k}_<layer>` (‖μ_k‖), then `w_norm_c{k}` (‖w_k‖),
    /// `nc2w_gof` and `minority_angle` (docs/metrics.md, "Imbalance"), then `nc1_c{k}_<layer>` (class k's share
    /// of nc1), `eval_accuracy_c{k}` and, with a test subset, `test_accuracy_c{k}` (the accuracy on class k's
    /// samples); balanced runs have none of them.
    public static func columns(layers: [String], test: Bool, counts: [Int] = []) -> [String] {
        var c = ["epoch", "lr", "loss", "accuracy", "eval_loss", "eval_accuracy"]
        if test { c += ["test_loss", "test_accuracy"] }
        c.append("seconds")
        for (i, l) in layers.enumerated() {
            c += layerMetrics.map { "\($0)_\(l)" }
            if i == layers.count - 1 { c += classifierMetrics.map { "\($0)_\(l)" } }
        }
        if Set(counts).count > 1, let l = layers.last {
            c += ["nc2_gof_\(l)"] + counts.indices.map { "mean_norm_c\($0)_\(l)" }
            c += counts.indices.map { "w_norm_c\($0)" } + ["nc2w_gof", "minority_angle"]
            c += counts.indices.map { "nc1_c\($0)_\(l)" } + counts.indices.map { "eval_accuracy_c\($0)" }
            if test { c += counts.indices.map { "test_accuracy_c\($0)" } }
        }
        return c
    }

    /// The imbalance columns of a measurement (empty for balanced sets), named as in `columns`.
    static func imbalanceRow(_ m: NetworkMeasurement, layer l: String) -> [String: Double] {
        var row: [String: Double] = [:]
        if let imb = m.imbalance {
            row = ["nc2_gof_\(l)": imb.nc2GeneralFrame, "nc2w_gof": imb.nc2wGeneralFrame, "minority_angle": imb.minorityAngle]
            for (k, v) in imb.meanNorms.enumerated() { row["mean_norm_c\(k)_\(l)"] = v }
            for (k, v) in imb.classifierRowNorms.enumerated() { row["w_norm_c\(k)"] = v }
        }
        for (k, v) in (m.nc1Shares ?? []).enumerated() { row["nc1_c\(k)_\(l)"] = v }
        for (k, v) in m.classAccuracy.enumerated() { row["eval_accuracy_c\(k)"] = v }
        return row
    }

    static let layerMetrics = ["nc1", "nc1_trace", "nc2_of", "nc2_etf", "cdnv", "equinorm", "equiangularity", "means_rank"]
    static let classifierMetrics = ["nc2w_of", "nc2w_etf", "nc3", "nc3_centered", "nc4"]

    /// A new run in `url`; refuses a directory that holds a run unless `overwrite`. `data` replaces the
    /// configured data set (for programs and tests that bring their own samples). `initialWeights` is a
    /// PyTorch state_dict in a `.safetensors` file (`safetensors.torch.save_file(model.state_dict(), …)`)
    /// that replaces the configured initialization; it must match the network tensor for tensor
    /// (`ResNet.load(stateDict:source:)`).
    /// The data set, the network and the initial weights are loaded and checked before the directory is
    /// touched, so a failure leaves nothing behind; a replaced run (`overwrite`) is staged beside the old one
    /// and swapped in after the first epoch's checkpoint (`RunSlot`), so stale features.npz, weights or
    /// figures never survive. `provenance` goes into summary.json, and its header (the preset's comments) at
    /// the top of config.toml.
    public static func start(config: TrainConfig, directory url: URL, overwrite: Bool = false, data: TrainingData? = nil,
                             initialWeights: URL? = nil, provenance: RunProvenance? = nil) throws -> NetRun {
        let trainer = try Trainer(config: config, data: try data ?? TrainingData.load(config.data))
        if let initialWeights {
            try trainer.network.load(stateDict: try Safetensors.read(initialWeights), source: initialWeights.path)
        }
        let slot = try RunSlot.create(url, runFiles: ["config.toml", "metrics.csv", "summary.json", "checkpoint.npz", "params.npz",
                                                      "features.npz", "weights.safetensors"],
                                      overwrite: overwrite, command: "collapse train")
        try AtomicFile.write((provenance?.configHeader ?? "") + config.toml, to: slot.directory.config)
        let table = MetricsTable(columns: columns(layers: trainer.network.config.featureLayerNames, test: trainer.data.test != nil,
                                                  counts: trainer.data.train.samplesPerClass))
        let run = NetRun(slot: slot, trainer: trainer, table: table, resumedFrom: nil, initialWeights: initialWeights?.path)
        run.provenance = provenance
        return run
    }

    /// Reopens a run at its checkpoint; `overrides` may change only `TrainConfig.resumableKeys`
    /// (e.g. `optimizer.epochs` to train longer).
    public static func resume(directory url: URL, overrides: [String] = [], data: TrainingData? = nil) throws -> NetRun {
        let slot = try RunSlot.reopen(url, command: "collapse train --resume")
        let dir = slot.directory
        let fm = FileManager.default
        guard fm.fileExists(atPath: dir.config.path) else {
            throw NetsError.invalidConfig(field: "--resume", reason: "\(url.path) has no config.toml: not a run directory")
        }
        guard fm.fileExists(atPath: dir.checkpoint.path) else {
            throw NetsError.invalidConfig(field: "--resume", reason: "\(url.path) has no checkpoint.npz (the run never finished an epoch)")
        }
        for o in overrides {
            let key = String(o.prefix { $0 != "=" }).trimmingCharacters(in: .whitespaces)
            guard TrainConfig.resumableKeys.contains(key) else {
                throw NetsError.invalidConfig(field: o, reason: "a resumed run can change only \(TrainConfig.resumableKeys.joined(separator: ", "))")
            }
        }
        let config = try TrainConfig.load(dir.config, overrides: overrides)
        let trainer = try Trainer(config: config, data: try data ?? TrainingData.load(config.data))
        try trainer.restore(try NPZ.read(dir.checkpoint), path: dir.checkpoint.path)
        let columns = columns(layers: trainer.network.config.featureLayerNames, test: trainer.data.test != nil,
                              counts: trainer.data.train.samplesPerClass)
        var table = MetricsTable(columns: columns)
        if fm.fileExists(atPath: dir.metrics.path) {
            let old = try MetricsTable.read(dir.metrics)
            guard old.columns == columns else {
                throw NetsError.badCheckpoint(path: dir.metrics.path, reason: "its columns do not match the config's network")
            }
            table = old
            table.truncate(after: Double(trainer.epoch))
        }
        // Keep the comment header the run was started with (the preset's citation and setting).
        let old = (try? String(contentsOf: dir.config, encoding: .utf8)) ?? ""
        let header = old.range(of: "# Resolved").map { String(old[..<$0.lowerBound]) } ?? ""
        try AtomicFile.write(header + config.toml, to: dir.config)
        let run = NetRun(slot: slot, trainer: trainer, table: table, resumedFrom: trainer.epoch)
        run.provenance = RunProvenance.resumed(from: try? JSONValue.read(dir.summary))
        return run
    }

    /// Trains to `optimizer.epochs`, measuring at the configured epochs; returns summary.json's content.
    /// With `exportWeights`, the final weights go to weights.safetensors as a PyTorch state_dict
    /// (`torch.nn.Module.load_state_dict(safetensors.torch.load_file(…))` loads it).
    /// `onBatch(epoch, batch, batches)` and `onEpoch` are for progress display. On an error (divergence
    /// included) metrics.csv and a failed summary are written, then the error is rethrown.
    @discardableResult
    public func run(exportFeatures: Bool = false, exportWeights: Bool = false, onBatch: ((Int, Int, Int) -> Void)? = nil,
                    onEpoch: ((EpochReport) -> Void)? = nil) throws -> JSONValue {
        let config = trainer.config, epochs = config.optimizer.epochs
        defer { slot.runEnded() }
        let t0 = Profile.now()
        var trainSeconds = 0.0, measureSeconds = 0.0, checkpointSeconds = 0.0, trainedImages = 0
        var last: NetworkMeasurement?
        var lastStats: EpochStatistics?
        var failures: [String] = []
        func measureRow(_ epoch: Int, keep: Bool, into row: inout [String: Double]) throws -> NetworkMeasurement {
            let m0 = Profile.now()
            let m = try trainer.measure(trainer.data.train, keepFeatures: keep)
            row["eval_loss"] = m.loss
            row["eval_accuracy"] = m.accuracy
            if let test = trainer.data.test {
                let (l, a, perClass) = trainer.evaluate(test)
                row["test_loss"] = l
                row["test_accuracy"] = a
                for (k, v) in perClass.enumerated() where table.columns.contains("test_accuracy_c\(k)") { row["test_accuracy_c\(k)"] = v }
            }
            for layer in m.layers {
                if let metrics = layer.metrics {
                    for name in NetRun.layerMetrics + NetRun.classifierMetrics {
                        let column = "\(name)_\(layer.name)"
                        if let v = metrics[name], table.columns.contains(column) { row[column] = v }
                    }
                } else if let f = layer.failure {
                    failures.append("epoch \(epoch), layer \(layer.name): \(f)")
                }
            }
            if let l = m.layers.last?.name {
                for (column, v) in NetRun.imbalanceRow(m, layer: l) where table.columns.contains(column) { row[column] = v }
            }
            measureSeconds += Profile.now() - m0
            return m
        }
        do {
            if trainer.epoch == 0 && config.isMeasured(epoch: 0) && table.rows.isEmpty {
                var row: [String: Double] = ["epoch": 0, "lr": trainer.learningRate, "seconds": 0]
                let m = try measureRow(0, keep: exportFeatures && epochs == 0, into: &row)
                table.append(row)
                try table.write(to: directory.metrics)
                onEpoch?(EpochReport(statistics: nil, epoch: 0, epochs: epochs, row: row, measurement: m))
            }
            var elapsed = table.column("seconds")?.compactMap { $0 }.last ?? 0
            while trainer.epoch < epochs {
                let e = trainer.epoch + 1
                let stats = try trainer.trainEpoch { b, n in onBatch?(e, b, n) }
                trainSeconds += stats.seconds
                elapsed += stats.seconds
                trainedImages += trainer.data.train.count
                lastStats = stats
                var row: [String: Double] = ["epoch": Double(e), "lr": stats.learningRate, "loss": stats.loss,
                                             "accuracy": stats.accuracy, "seconds": elapsed]
                var m: NetworkMeasurement?
                if config.isMeasured(epoch: e) {
                    m = try measureRow(e, keep: exportFeatures && e == epochs, into: &row)
                    last = m
                }
                table.append(row)
                let c0 = Profile.now()
                try table.write(to: directory.metrics)
                try NPZ.write(trainer.checkpointArrays(), to: directory.checkpoint)
                try slot.commit()  // a replaced run gives way once the new one can be resumed
                checkpointSeconds += Profile.now() - c0
                onEpoch?(EpochReport(statistics: stats, epoch: e, epochs: epochs, row: row, measurement: m))
            }
            if exportFeatures && (last == nil || !(last!.features.count > 0)) {
                var row: [String: Double] = [:]
                last = try measureRow(trainer.epoch, keep: true, into: &row)
            }
            try NPZ.write(trainer.parameterArrays(), to: directory.params)
            if exportWeights { try Safetensors.write(trainer.network.stateDict(), to: NetRun.weightsFile(in: directory)) }
            if exportFeatures, let m = last { try NPZ.write(m.featureArrays(classifier: trainer.classifier), to: directory.features) }
            let summary = makeSummary(status: "completed", error: nil, lastStats: lastStats, failures: failures,
                                      seconds: (Profile.now() - t0, trainSeconds, measureSeconds, checkpointSeconds),
                                      trainedImages: trainedImages, exported: exportFeatures, exportedWeights: exportWeights)
            try summary.write(to: directory.summary)
            try slot.commit()
            return summary
        } catch {
            try? table.write(to: directory.metrics)
            let summary = makeSummary(status: "failed", error: error, lastStats: lastStats, failures: failures,
                                      seconds: (Profile.now() - t0, trainSeconds, measureSeconds, checkpointSeconds),
                                      trainedImages: trainedImages, exported: false, exportedWeights: false)
            try? summary.write(to: directory.summary)
            throw error
        }
    }

    private func makeSummary(status: String, error: Error?, lastStats: EpochStatistics?, failures: [String],
                             seconds: (total: Double, train: Double, measure: Double, checkpoint: Double),
                             trainedImages: Int, exported: Bool, exportedWeights: Bool) -> JSONValue {
        let config = trainer.config, net = trainer.network, data = trainer.data
        var s: JSONValue = ["status": .string(status)]
        if let error {
            s.set("error", .string("\(error)"))
            var failure: JSONValue = ["message": .string("\(error)")]
            if case NetsError.diverged(let epoch, let step, let loss) = error {
                failure = ["kind": "diverged", "epoch": .number(Double(epoch)), "step": .number(Double(step)),
                           "loss": JSONValue(loss), "message": .string("\(error)")]
            }
            failure.set("last_epoch", .number(Double(trainer.epoch)))
            s.set("failure", failure)
        }
        if let p = provenance { s.set("provenance", p.json) }
        s.set("dataset", [
            "name": .string(config.data.dataset.rawValue), "train_samples": .number(Double(data.train.count)),
            "train_per_class": .array(data.train.samplesPerClass.map { .number(Double($0)) }),
            "test_samples": .number(Double(data.test?.count ?? 0)),
            "normalization": data.normalization.map { .string("\($0)") } ?? .null,
        ])
        s.set("model", [
            "architecture": .string(net.config.stem == .cifar ? "CIFAR-style ResNet (kuangliu/pytorch-cifar) with MLP head"
                                    : "ResNet with torchvision's ImageNet stem (7×7 stride 2, 3×3 max-pool) and MLP head"),
            "stem": .string(net.config.stem.rawValue), "init": .string(net.config.initialization.rawValue),
            "width": .number(Double(net.config.width)), "blocks": .array(net.config.blocks.map { .number(Double($0)) }),
            "head_widths": .array(net.config.headWidths.map { .number(Double($0)) }),
            "classifier_bias": .bool(net.config.classifierBias), "parameters": .number(Double(net.parameterCount)),
            "layers": .array(net.config.featureLayerNames.map { .string($0) }),
        ])
        s.set("epochs", .number(Double(trainer.epoch)))
        if let r = resumedFrom { s.set("resumed_from_epoch", .number(Double(r))) }
        if let w = initialWeights { s.set("initial_weights", .string(w)) }
        // The final row, and the first epoch from which the eval-mode training accuracy stayed at 100%.
        if let lastRow = table.rows.last {
            var final: JSONValue = [:]
            for (c, v) in zip(table.columns, lastRow) { if let v { final.set(c, .number(v)) } }
            s.set("final", final)
        }
        if let acc = table.column("eval_accuracy"), let ep = table.column("epoch") {
            var tpt: Double? = nil
            for (a, e) in zip(acc, ep) {
                guard let a, let e else { continue }
                if a >= 1 { if tpt == nil { tpt = e } } else { tpt = nil }
            }
            s.set("terminal_phase_epoch", JSONValue(tpt))
        }
        s.set("seconds", ["total": .number(seconds.total), "training": .number(seconds.train),
                          "measurement": .number(seconds.measure), "checkpoints": .number(seconds.checkpoint)])
        s.set("training_images_per_second", JSONValue(seconds.train > 0 ? Double(trainedImages) / seconds.train : nil))
        s.set("threads", .number(Double(config.run.threads)))
        s.set("shards", .number(Double(net.context.shards)))
        s.set("blas", .blas(BLASInfo.current, threads: 1, note: "single-threaded inside each shard"))
        if !failures.isEmpty { s.set("metric_failures", .array(failures.map { .string($0) })) }
        s.set("files", .array((["config.toml", "metrics.csv", "checkpoint.npz", "params.npz"] + (exported ? ["features.npz"] : [])
                                 + (exportedWeights ? ["weights.safetensors"] : [])).map { .string($0) }))
        _ = lastStats
        return s
    }
}
