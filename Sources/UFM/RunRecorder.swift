import Foundation
import Formats
import Linalg
import Report

/// Runs a UFM config and records it in a run directory: `config.toml`, `metrics.csv`, `params.npz`,
/// `summary.json`, and `checkpoint.npz` every `log.checkpoint_every` steps. Every file is written atomically.
///
/// metrics.csv is rewritten at each checkpoint, at most every `flushInterval` seconds at a logged step,
/// at the end, and when the run fails, so a diverged or killed run keeps what it had logged.
/// `summary.json` reports where the time went: optimization vs metrics vs checkpoints.
public final class UFMRunRecorder {
    public let directory: RunDirectory
    public let config: UFMConfig
    public let trainer: UFMTrainer
    public private(set) var table: MetricsTable
    /// The step the run resumed from, if it did.
    public let resumedFrom: Int?
    /// Seconds between metrics.csv rewrites at logged steps.
    public var flushInterval = 10.0

    private init(directory: RunDirectory, config: UFMConfig, trainer: UFMTrainer, table: MetricsTable, resumedFrom: Int?) {
        self.directory = directory; self.config = config; self.trainer = trainer; self.table = table; self.resumedFrom = resumedFrom
    }

    /// Prepares a new run in `directory`: refuses a directory that already holds a run (unless `overwrite`),
    /// loads the initial point (`init.file`, else random from `init.seed`, `init.scale`), writes config.toml.
    public static func start(config: UFMConfig, directory url: URL, overwrite: Bool = false) throws -> UFMRunRecorder {
        try config.validate()
        let dir = RunDirectory(url)
        let existing = [dir.config, dir.metrics, dir.summary, dir.params, dir.checkpoint].filter { FileManager.default.fileExists(atPath: $0.path) }
        if !existing.isEmpty {
            guard overwrite else { throw UFMError.runDirectory(path: url.path, reason: "it already holds a run (\(existing[0].lastPathComponent)); choose another --out, --resume it, or pass --force to overwrite") }
            for f in existing { try FileManager.default.removeItem(at: f) }
        }
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let start = try initialParameters(config)
        try AtomicFile.write(config.toml, to: dir.config)
        return UFMRunRecorder(directory: dir, config: config, trainer: UFMTrainer(config: config, start: start),
                              table: MetricsTable(columns: UFMMetrics.columns(for: config.model)), resumedFrom: nil)
    }

    /// The configured initial point.
    public static func initialParameters(_ config: UFMConfig) throws -> UFMParameters {
        let path = config.initialization.file
        guard !path.isEmpty else { return .random(spec: config.model, seed: config.initialization.seed, scale: config.initialization.scale) }
        let arrays = try NPZ.read(URL(fileURLWithPath: path))
        do { return try UFMParameters(spec: config.model, arrays: arrays.map { ($0.name, $0.array) }) } catch let e as UFMError {
            throw UFMError.inFile(path: path, error: e)
        }
    }

    /// Keys that `resume` may change: they do not alter the trajectory, only where it stops and what is logged.
    public static let resumableKeys = ["optimizer.steps", "optimizer.tolerance", "log.every", "log.checkpoint_every", "run.threads"]

    /// Reopens a run directory at its checkpoint; `overrides` may change only `resumableKeys`
    /// (e.g. `optimizer.steps` to run longer). The metrics rows after the checkpoint's step are dropped
    /// (they are recomputed identically).
    public static func resume(directory url: URL, overrides: [String] = []) throws -> UFMRunRecorder {
        let dir = RunDirectory(url)
        guard FileManager.default.fileExists(atPath: dir.config.path) else {
            throw UFMError.runDirectory(path: url.path, reason: "no config.toml: not a run directory")
        }
        guard FileManager.default.fileExists(atPath: dir.checkpoint.path) else {
            throw UFMError.runDirectory(path: url.path, reason: "no checkpoint.npz: the run was started without --checkpoint-every")
        }
        for o in overrides {
            let key = String(o.prefix { $0 != "=" }).trimmingCharacters(in: .whitespaces)
            guard resumableKeys.contains(key) else {
                throw ConfigError.badOverride(text: o, reason: "a resumed run can change only \(resumableKeys.joined(separator: ", ")) (anything else changes the trajectory)")
            }
        }
        let config = try UFMConfig.load(dir.config, overrides: overrides)
        let arrays = try NPZ.read(dir.checkpoint).map { ($0.name, $0.array) }
        let trainer: UFMTrainer
        do { trainer = try UFMTrainer(config: config, checkpoint: arrays) } catch let e as UFMError {
            throw UFMError.inFile(path: dir.checkpoint.path, error: e)
        }
        var table = MetricsTable(columns: UFMMetrics.columns(for: config.model))
        if FileManager.default.fileExists(atPath: dir.metrics.path) {
            let old = try MetricsTable.read(dir.metrics)
            guard old.columns == table.columns else {
                throw UFMError.runDirectory(path: url.path, reason: "metrics.csv has columns \(old.columns), expected \(table.columns)")
            }
            table = old
            table.truncate(after: Double(trainer.iterate.step))
        }
        try AtomicFile.write(config.toml, to: dir.config)
        return UFMRunRecorder(directory: dir, config: config, trainer: trainer, table: table, resumedFrom: trainer.iterate.step)
    }

    /// Runs to the end and writes every file; returns the summary. `progress` sees each logged row (and may
    /// throw to stop the run).
    /// On divergence (or any error) metrics.csv and a summary with `"status": "failed"` are written, then
    /// the error is rethrown.
    @discardableResult
    public func run(progress: ((TrainingSnapshot, [String: Double]) throws -> Void)? = nil) throws -> JSONValue {
        let previousThreads = BLASThreads.count
        if let t = config.run.resolvedThreads(for: config.model) { BLASThreads.count = t }
        defer { BLASThreads.count = previousThreads }
        let threads = BLASThreads.count
        let clock = ContinuousClock()
        let t0 = clock.now
        var metricsTime = Duration.zero
        var lastFlush = clock.now
        do {
            let outcome = try trainer.run(onLog: { snap in
                let m0 = clock.now
                let row = try UFMMetrics.row(snap)
                self.table.truncate(after: Double(snap.step) - 0.5)  // a resumed run re-logs its first step
                self.table.append(row)
                metricsTime += clock.now - m0
                try progress?(snap, row)
                if (clock.now - lastFlush).seconds >= self.flushInterval {
                    try self.table.write(to: self.directory.metrics)
                    lastFlush = clock.now
                }
            }, onCheckpoint: { trainer in
                // metrics.csv first: a kill between the two writes leaves the older checkpoint, whose resume
                // drops the newer rows and recomputes them, so no logged row is ever lost.
                try self.table.write(to: self.directory.metrics)
                try NPZ.write(trainer.checkpointArrays().map { (name: $0.0, array: $0.1) }, to: self.directory.checkpoint)
                lastFlush = clock.now
            })
            try table.write(to: directory.metrics)
            try NPZ.write(trainer.parameters.arrays().map { (name: $0.0, array: $0.1) }, to: directory.params)
            let summary = makeSummary(outcome: outcome, error: nil, seconds: (clock.now - t0).seconds,
                                      metricsSeconds: metricsTime.seconds, threads: threads)
            try summary.write(to: directory.summary)
            return summary
        } catch {
            try? table.write(to: directory.metrics)
            let summary = makeSummary(outcome: nil, error: error, seconds: (clock.now - t0).seconds,
                                      metricsSeconds: metricsTime.seconds, threads: threads)
            try? summary.write(to: directory.summary)
            throw error
        }
    }

    private func makeSummary(outcome: TrainingOutcome?, error: Error?, seconds: Double, metricsSeconds: Double, threads: Int) -> JSONValue {
        let it = trainer.iterate
        var final: JSONValue = ["step": .number(Double(it.step)), "objective": JSONValue(it.value),
                                "gradient_norm": JSONValue(it.gradientNorm)]
        if let last = table.rows.last {
            final.set("fit", JSONValue(table.column("fit")?.last ?? nil))
            for (name, v) in zip(table.columns, last) where name.hasPrefix("nc") { final.set(name, JSONValue(v)) }
        }
        // Tirer & Bruna 2022 / Súkeník et al. 2023–2024 closed forms (docs/theory.md): the prediction and
        // final.gap_to_theory = objective − predicted value (negative: the run beat a DNC candidate).
        let theory = Theory.json(for: config.model)
        if case .number(let predicted)? = theory["objective"], it.value.isFinite {
            final.set("gap_to_theory", .number(it.value - predicted))
        }
        var s: JSONValue = ["status": .string(error == nil ? "completed" : "failed")]
        if let error { s.set("error", .string("\(error)")) }
        s.set("final", final)
        s.set("theory", theory)
        if let o = outcome {
            s.set("stop_reason", .string(o.reason.rawValue))
            s.set("iterations", .number(Double(o.iterations)))
            s.set("evaluations", .number(Double(o.evaluations)))
            s.set("iterations_per_second", JSONValue(o.optimizationSeconds > 0 ? Double(o.iterations) / o.optimizationSeconds : nil))
        }
        s.set("seconds", .number(seconds))
        var timing: JSONValue = ["metrics_seconds": .number(metricsSeconds)]
        if let o = outcome {
            timing.set("optimization_seconds", .number(o.optimizationSeconds))
            timing.set("logging_seconds", .number(o.loggingSeconds))
            timing.set("checkpoint_seconds", .number(o.checkpointSeconds))
            timing.set("metrics_to_optimization_ratio", JSONValue(o.optimizationSeconds > 0 ? metricsSeconds / o.optimizationSeconds : nil))
        }
        s.set("timing", timing)
        s.set("blas_threads", .number(Double(threads)))
        s.set("blas", .blas(BLASInfo.current, threads: threads))
        s.set("parameters", .number(Double(trainer.objective.dimension)))
        if let r = resumedFrom { s.set("resumed_from_step", .number(Double(r))) }
        return s
    }
}
