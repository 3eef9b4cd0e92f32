import ArgumentParser
import Foundation
import Report
import UFM

/// `collapse run`: optimize a deep unconstrained features model from a TOML config and record the run.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Optimize a (deep) unconstrained features model from a TOML config and record the run.",
        discussion: """
        Writes a run directory: config.toml (the resolved config, every key), metrics.csv (objective, fit, gradient norm and NC1–NC4 per feature level every log.every steps), params.npz (final H1, W1…WL, b; H1 is d_1×N, samples as columns), summary.json, and checkpoint.npz with --checkpoint-every.

        The model, the config keys and their defaults: docs/models.md.

        Examples:
          collapse run experiments/tirer2022-fig4.toml --out runs/fig4
          collapse run cfg.toml --set optimizer.method=lbfgs --set optimizer.steps=500
          collapse run cfg.toml --checkpoint-every 1000 --out runs/long
          collapse run --resume runs/long --set optimizer.steps=60000
        """
    )

    @Argument(help: "The TOML config (omit with --resume).")
    var config: String?

    @Option(help: "The run directory (default: runs/<config name>).")
    var out: String?

    @Option(name: .customLong("init"), help: "Start from this params .npz (arrays H1, W1…WL, b) instead of a random point.")
    var initFile: String?

    @Option(name: .customLong("set"), help: "Override a config key, typed as TOML: --set section.key=value (repeatable).")
    var overrides: [String] = []

    @Option(help: "Write checkpoint.npz every N steps (and at the last step), for --resume.")
    var checkpointEvery: Int?

    @Option(help: "Continue the run in this directory from its checkpoint.npz (bit-identical to an uninterrupted run).")
    var resume: String?

    @Flag(help: "Overwrite an existing run in the output directory.")
    var force = false

    @OptionGroup var memory: MemoryOption

    @Flag(help: "Print only warnings, errors and one final line.")
    var quiet = false

    @Flag(help: "Print a commented config template (every section, with the keys of a deep UFM) and exit.")
    var exampleConfig = false

    func validate() throws {
        if exampleConfig { return }
        if resume == nil, config == nil { throw ValidationError("give a CONFIG.toml, or --resume RUN_DIR (or --example-config for a template)") }
        if resume != nil, config != nil || out != nil || initFile != nil || force {
            throw ValidationError("--resume takes no CONFIG, --out, --init or --force: the run directory has them")
        }
        if let n = checkpointEvery, n < 0 { throw ValidationError("--checkpoint-every must be ≥ 0") }
        if out?.trimmingCharacters(in: .whitespaces).isEmpty == true { throw ValidationError("--out is empty: give a run directory") }
        if resume?.trimmingCharacters(in: .whitespaces).isEmpty == true { throw ValidationError("--resume is empty: give a run directory") }
    }

    func run() throws {
        if exampleConfig {
            print(ExampleConfig.ufm, terminator: "")
            return
        }
        memory.apply()
        var sets = overrides
        if let n = checkpointEvery { sets.append("log.checkpoint_every=\(n)") }
        let recorder: UFMRunRecorder
        if let resume {
            recorder = try UFMRunRecorder.resume(directory: URL(fileURLWithPath: resume), overrides: sets)
            for w in recorder.config.warnings where w.key == "run.threads" { FileHandle.standardError.write(Data("\(w)\n".utf8)) }
            log("resuming \(resume) at step \(recorder.trainer.iterate.step)")
        } else {
            let path = config!
            if let f = initFile { sets.append("init.file=\(TOMLString.quote(URL(fileURLWithPath: f).path))") }
            let url = URL(fileURLWithPath: path)
            let cfg = try ConfigKind.loadUFM(path, overrides: sets)
            for w in cfg.warnings { FileHandle.standardError.write(Data("\(w)\n".utf8)) }
            let name = url.deletingPathExtension().lastPathComponent
            let dir = URL(fileURLWithPath: out ?? "runs/\(name)")
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            let provenance = RunProvenance(configFile: path, citation: RunProvenance.leadingComments(text),
                                           description: ExperimentPresets.describe(text).nonEmpty, overrides: overrides)
            recorder = try UFMRunRecorder.start(config: cfg, directory: dir, overwrite: force, provenance: provenance)
            log("run \(dir.path): \(describe(cfg))")
        }
        let name = resume.map { URL(fileURLWithPath: $0).lastPathComponent }
            ?? URL(fileURLWithPath: config!).deletingPathExtension().lastPathComponent
        try UFMRunDriver.execute(recorder, title: name, quiet: quiet)
    }

    private func log(_ s: String) { if !quiet { print(s) } }

    /// "warning: …" on standard error.
    static func warnLine(_ s: String) { FileHandle.standardError.write(Data("warning: \(s)\n".utf8)) }

    /// "note: …" on standard error.
    static func noteLine(_ s: String) { FileHandle.standardError.write(Data("note: \(s)\n".utf8)) }

    private func describe(_ c: UFMConfig) -> String {
        let s = c.model
        return "K=\(s.classes) \(s.countsLabel) widths=\(s.widths) \(s.activation.rawValue) \(s.loss.rawValue) bias=\(s.bias), "
            + "\(c.optimizer.method.rawValue) for \(c.optimizer.steps) steps"
    }
}

/// TOML basic-string quoting for values passed through `--set`.
enum TOMLString {
    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Runs a recorder with a progress display, then writes the figures and index.html and prints the summary
/// (objective vs theory, NC metrics per level). Shared by `collapse run` and `collapse reproduce`.
enum UFMRunDriver {
    static func execute(_ recorder: UFMRunRecorder, title: String, quiet: Bool) throws {
        for n in recorder.slot.notes { Run.noteLine(n) }
        recorder.slot.keepsLockAfterRun = true  // the report below is part of the run
        defer { recorder.slot.release() }
        let spec = recorder.config.model
        let lastNC1 = "nc1_\(spec.depth)"
        let progress = ProgressReporter(total: recorder.config.optimizer.steps, label: title, unit: "step",
                                        mode: quiet ? .silent : .automatic,
                                        startStep: recorder.trainer.iterate.step)
        for w in UFMRunRecorder.trivialMetricWarnings(spec) { warn(w) }
        let summary: JSONValue
        do {
            summary = try recorder.run { snap, row in
                progress.update(step: snap.step) { [("objective", snap.objective), (lastNC1, row[lastNC1] ?? .nan)] }
            }
            progress.finish()
        } catch {
            let last = recorder.table.rows.last?.first.flatMap { $0 }.map { "step \(Int($0))" } ?? "none"
            var what = "the run failed"
            if let d = (error as? UFMError)?.divergence { what = "diverged at step \(d.step)" }
            progress.finish(failure: "\(what); last logged: \(last)")
            // Whatever was logged is on disk; draw it (with the failure banner) so the divergence can be seen.
            if (try? RunReport.write(runDirectory: recorder.directory.url, title: title)) != nil {
                warn("summary.json records the failure; the figures show the logged steps: open \(recorder.directory.url.appendingPathComponent("index.html").path)")
            }
            // A run that was to replace another (--force) and failed before its first checkpoint leaves
            // the old run in place; its own files are kept beside it.
            if let kept = recorder.slot.abandon() {
                Run.noteLine("the previous run in \(recorder.slot.target.path) was kept; this failed run is in \(kept.path)")
            }
            throw error
        }
        let report = try RunSummaryStatus.agreeing(summary, at: recorder.directory.summary) {
            try RunReport.write(runDirectory: recorder.directory.url, title: title)
        }
        for w in report.warnings { warn(w) }
        if case .array(let ws)? = summary["warnings"] {
            for case .string(let w) in ws where !w.hasPrefix("NC1 is trivially") { warn(w) }
        }
        if quiet {
            print(RunSummaryText.finalLine(summary: summary, directory: recorder.directory.url))
        } else {
            print(RunSummaryText.render(summary: summary, table: recorder.table, directory: recorder.directory.url))
        }
    }

    static func warn(_ s: String) { Run.warnLine(s) }
}

/// Keeps summary.json's `status` and the exit status in agreement: when writing the figures or
/// index.html fails after the summary said "completed", the summary is rewritten as "failed" with the
/// error, and the error is rethrown (exit status 1).
enum RunSummaryStatus {
    static func agreeing<T>(_ summary: JSONValue, at url: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            var s = summary
            s.set("status", .string("failed"))
            s.set("error", .string("the run completed, but writing its report failed: \(error)"))
            try? s.write(to: url)
            throw error
        }
    }
}
