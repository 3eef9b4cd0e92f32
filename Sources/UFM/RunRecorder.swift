import Foundation
import Formats
import Collapse
import Linalg
import Report

/// Runs a UFM config and records it in a run directory: `config.toml`, `metrics.csv`, `params.npz`,
/// `summary.json`, and `checkpoint.npz` every `log.checkpoint_every` steps. Every file is written atomically.
///
/// metrics.csv is rewritten at each checkpoint, at most every `flushInterval` seconds at a logged step,
/// at the end, and when the run fails, so a diverged or killed run keeps what it had logged.
/// `summary.json` reports where the time went: optimization vs metrics vs checkpoints.
public final class UFMRunRecorder {
    /// The locked run directory (`RunSlot`: lock, staging beside an old run under --force, clean-up).
    public let slot: RunSlot
    /// Where the run's files go now (the staging directory until a replaced run is committed).
    public var directory: RunDirectory { slot.directory }
    public let config: UFMConfig
    public let trainer: UFMTrainer
    public private(set) var table: MetricsTable
    /// The step the run resumed from, if it did.
    public let resumedFrom: Int?
    /// Seconds between metrics.csv rewrites at logged steps.
    public var flushInterval = 10.0
    /// Where the run came from (preset, command line, overrides, version), written to summary.json.
    public var provenance: RunProvenance?
    /// The spectra of the class means at the last logged step (summary.json's `final.levels`).
    private var lastSpectra: [UFMMetrics.LevelSpectra] = []

    /// A final ‖∇f‖ above this fraction of max(1, |f|) marks a completed run as not converged
    /// (`convergence.converged = false` and a warning): the iterate is not yet a critical point.
    public static let unconvergedGradientNorm = 1e-4

    /// The text of a config.toml before its "# Resolved configuration" line (the kept preset comments).
    static func header(of text: String) -> String {
        guard let r = text.range(of: "# Resolved configuration") else { return "" }
        return String(text[..<r.lowerBound])
    }

    private init(slot: RunSlot, config: UFMConfig, trainer: UFMTrainer, table: MetricsTable, resumedFrom: Int?) {
        self.slot = slot; self.config = config; self.trainer = trainer; self.table = table; self.resumedFrom = resumedFrom
    }

    /// Prepares a new run in `directory`. Everything that can fail without the disk is checked first
    /// (the config, its memory estimate, the initial point: `init.file`, else random from `init.seed`,
    /// `init.scale`), so a failure leaves no directory behind. Then the directory is locked; one that
    /// already holds a run is refused unless `overwrite`, in which case the new run is staged beside the
    /// old one and replaces it at its first checkpoint or its end (`RunSlot`). Writes config.toml.
    /// `provenance` goes into summary.json, and its header (the preset's comments) at the top of config.toml.
    public static func start(config: UFMConfig, directory url: URL, overwrite: Bool = false,
                             provenance: RunProvenance? = nil) throws -> UFMRunRecorder {
        try config.validate()
        try config.checkMemory()
        let start = try initialParameters(config)
        let trainer = UFMTrainer(config: config, start: start)
        let slot = try RunSlot.create(url, runFiles: runFiles, overwrite: overwrite, command: "collapse run")
        try AtomicFile.write((provenance?.configHeader ?? "") + config.toml, to: slot.directory.config)
        let r = UFMRunRecorder(slot: slot, config: config, trainer: trainer,
                               table: MetricsTable(columns: UFMMetrics.columns(for: config.model)), resumedFrom: nil)
        r.provenance = provenance
        return r
    }

    /// The files whose presence means a directory holds a run.
    static let runFiles = ["config.toml", "metrics.csv", "summary.json", "params.npz", "checkpoint.npz"]

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
        let slot = try RunSlot.reopen(url, command: "collapse run --resume")
        let dir = slot.directory
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
        try config.checkMemory()
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
        // Keep the comment header the run was started with (the preset's citation and setting).
        let header = (try? String(contentsOf: dir.config, encoding: .utf8)).map(UFMRunRecorder.header(of:)) ?? ""
        try AtomicFile.write(header + config.toml, to: dir.config)
        let r = UFMRunRecorder(slot: slot, config: config, trainer: trainer, table: table, resumedFrom: trainer.iterate.step)
        r.provenance = RunProvenance.resumed(from: try? JSONValue.read(dir.summary))
        return r
    }

    /// Runs to the end and writes every file; returns the summary. `progress` sees each logged row (and may
    /// throw to stop the run).
    /// On divergence (or any error) metrics.csv and a summary with `"status": "failed"` are written, then
    /// the error is rethrown.
    @discardableResult
    public func run(progress: ((TrainingSnapshot, [String: Double]) throws -> Void)? = nil) throws -> JSONValue {
        let previousThreads = BLASThreads.count
        if let t = config.run.resolvedThreads(for: config.model) { BLASThreads.count = t }
        defer { BLASThreads.count = previousThreads; slot.runEnded() }
        let threads = BLASThreads.count
        let clock = ContinuousClock()
        let t0 = clock.now
        var metricsTime = Duration.zero
        var lastFlush = clock.now
        do {
            let outcome = try trainer.run(onLog: { snap in
                let m0 = clock.now
                let (row, spectra) = try UFMMetrics.measure(snap)
                self.lastSpectra = spectra
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
                try self.slot.commit()  // a replaced run gives way once the new one can be resumed
                lastFlush = clock.now
            })
            try table.write(to: directory.metrics)
            try NPZ.write(trainer.parameters.arrays().map { (name: $0.0, array: $0.1) }, to: directory.params)
            let summary = makeSummary(outcome: outcome, error: nil, seconds: (clock.now - t0).seconds,
                                      metricsSeconds: metricsTime.seconds, threads: threads)
            try summary.write(to: directory.summary)
            try slot.commit()
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
        // `final` holds the values of ONE step: the last step when it was logged (always, for a completed
        // run), otherwise the last logged row. A diverged iterate (NaN, or 1e20 at step t) is reported under
        // `failure`, never mixed with the fit and NC values of an earlier step.
        var final: JSONValue = [:]
        let lastRow = table.rows.last
        let lastStep = (lastRow?.first ?? nil).map { Int($0) }
        if let row = lastRow, lastStep == it.step || error != nil {
            for (name, v) in zip(table.columns, row) { final.set(name, JSONValue(v)) }
            if !lastSpectra.isEmpty { final.set("levels", UFMRunRecorder.levelsJSON(lastSpectra)) }
        } else {
            final = ["step": .number(Double(it.step)), "objective": JSONValue(it.value), "gradient_norm": JSONValue(it.gradientNorm)]
        }
        let finalObjective = final["objective"]?.number ?? .nan
        // Tirer & Bruna 2022 / Súkeník et al. 2023–2024 closed forms (docs/theory.md): the prediction and
        // final.gap_to_theory = objective − predicted value (negative: the run beat a DNC candidate).
        let theory = Theory.json(for: config.model)
        if case .number(let predicted)? = theory["objective"], finalObjective.isFinite {
            final.set("gap_to_theory", .number(finalObjective - predicted))
        }
        var s: JSONValue = ["status": .string(error == nil ? "completed" : "failed")]
        if let error {
            s.set("error", .string("\(error)"))
            var failure: JSONValue = ["message": .string("\(error)")]
            if let (step, f, reason) = (error as? UFMError)?.divergence {
                failure = ["kind": "diverged", "step": .number(Double(step)), "objective": JSONValue(f),
                           "reason": .string(reason), "message": .string("\(error)")]
            }
            failure.set("last_logged_step", JSONValue(lastStep.map(Double.init)))
            s.set("failure", failure)
        }
        if let p = provenance { s.set("provenance", p.json) }
        s.set("final", final)
        var warnings = UFMRunRecorder.trivialMetricWarnings(config.model)
        if error == nil, let g = final["gradient_norm"]?.number, finalObjective.isFinite {
            let threshold = UFMRunRecorder.unconvergedGradientNorm * max(1, abs(finalObjective))
            let converged = g <= threshold || outcome?.reason == .tolerance
            s.set("convergence", ["gradient_norm": .number(g), "threshold": .number(threshold), "converged": .bool(converged)])
            if !converged {
                warnings.append(String(format: "not converged: the final ‖∇f‖ = %.3g is above %.3g (1e-4·max(1, |f|)); "
                                       + "the last iterate is not a critical point yet, so its values are not the model's optimum "
                                       + "(run longer: --set optimizer.steps=…)", g, threshold))
            }
        }
        if !warnings.isEmpty { s.set("warnings", .array(warnings.map { .string($0) })) }
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

    /// Metrics that mean nothing for this model, one sentence each: with one sample per class (n = 1)
    /// every feature IS its class mean, so Σ_W = 0 and NC1 = 0 at every step (not a sign of collapse).
    public static func trivialMetricWarnings(_ spec: ModelSpec) -> [String] {
        guard spec.perClass == 1 else { return [] }
        return ["NC1 is trivially 0 here: one sample per class (model.per_class = 1), so every feature equals its class "
                + "mean and there is no within-class variability to measure; read NC2, NC3 and the ranks instead"]
    }

    /// summary.json's `final.levels`: per level, the singular values, numerical ranks (as in `NC.spectrum`:
    /// σ_j > max(d_l, K)·ε·σ₁) and effective ranks (σ_j > 10⁻²·σ₁) of the centered and uncentered class means.
    static func levelsJSON(_ spectra: [UFMMetrics.LevelSpectra]) -> JSONValue {
        .array(spectra.map { l in
            ["level": .number(Double(l.level)),
             "means_rank": .number(Double(l.centered.rank)),
             "means_effective_rank": .number(Double(UFMMetrics.effectiveRank(l.centered.singularValues))),
             "means_singular_values": JSONValue(l.centered.singularValues),
             "uncentered_means_rank": .number(Double(l.uncentered.rank)),
             "uncentered_means_effective_rank": .number(Double(UFMMetrics.effectiveRank(l.uncentered.singularValues))),
             "uncentered_means_singular_values": JSONValue(l.uncentered.singularValues)]
        })
    }
}
