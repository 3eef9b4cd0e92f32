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

    @Flag(help: "Print only warnings, errors and the final line.")
    var quiet = false

    func validate() throws {
        if resume == nil, config == nil { throw ValidationError("give a CONFIG.toml, or --resume RUN_DIR") }
        if resume != nil, config != nil || out != nil || initFile != nil || force {
            throw ValidationError("--resume takes no CONFIG, --out, --init or --force: the run directory has them")
        }
        if let n = checkpointEvery, n < 0 { throw ValidationError("--checkpoint-every must be ≥ 0") }
    }

    func run() throws {
        var sets = overrides
        if let n = checkpointEvery { sets.append("log.checkpoint_every=\(n)") }
        let recorder: UFMRunRecorder
        if let resume {
            recorder = try UFMRunRecorder.resume(directory: URL(fileURLWithPath: resume), overrides: sets)
            log("resuming \(resume) at step \(recorder.trainer.iterate.step)")
        } else {
            let path = config!
            if let f = initFile { sets.append("init.file=\(TOMLString.quote(URL(fileURLWithPath: f).path))") }
            let cfg = try UFMConfig.load(URL(fileURLWithPath: path), overrides: sets)
            for w in cfg.warnings { FileHandle.standardError.write(Data("\(w)\n".utf8)) }
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let dir = URL(fileURLWithPath: out ?? "runs/\(name)")
            recorder = try UFMRunRecorder.start(config: cfg, directory: dir, overwrite: force)
            log("run \(dir.path): \(describe(cfg))")
        }
        let name = resume.map { URL(fileURLWithPath: $0).lastPathComponent }
            ?? URL(fileURLWithPath: config!).deletingPathExtension().lastPathComponent
        try UFMRunDriver.execute(recorder, title: name, quiet: quiet)
    }

    private func log(_ s: String) { if !quiet { print(s) } }

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
        let spec = recorder.config.model
        let lastNC1 = "nc1_\(spec.depth)"
        let progress = ProgressReporter(total: recorder.config.optimizer.steps, label: title, unit: "step",
                                        mode: quiet ? .silent : .automatic,
                                        startStep: recorder.trainer.iterate.step)
        let summary: JSONValue
        do {
            summary = try recorder.run { snap, row in
                progress.update(step: snap.step) { [("objective", snap.objective), (lastNC1, row[lastNC1] ?? .nan)] }
            }
            progress.finish()
        } catch {
            progress.finish()
            // Whatever was logged is on disk; draw it so the divergence can be seen.
            _ = try? RunReport.write(runDirectory: recorder.directory.url, title: title)
            throw error
        }
        let report = try RunReport.write(runDirectory: recorder.directory.url, title: title)
        for w in report.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        print(RunSummaryText.render(summary: summary, table: recorder.table, directory: recorder.directory.url))
    }
}
