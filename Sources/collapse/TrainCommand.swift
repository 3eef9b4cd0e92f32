import ArgumentParser
import Report
import Formats
import Foundation
import Linalg
import Nets

/// `collapse train`: train a ResNet (with an optional MLP head) from a TOML config and record the run.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a CIFAR-style ResNet18 (+ MLP head) in Float on OpenBLAS and measure NC per layer.",
        discussion: """
        Writes a run directory: config.toml (resolved, every key), metrics.csv (per epoch: loss, accuracy, and at measured epochs NC1, NC2 (OF, ETF), … per layer, NC3/NC4 of the classifier), checkpoint.npz after every epoch (weights, BN statistics, momentum, RNG state, epoch), params.npz (final weights, PyTorch state_dict names) and summary.json; weights.safetensors with --export-weights (the same state_dict for PyTorch's load_state_dict); features.npz with --export-features (one N×d array per layer, samples as rows, labels, classifier weight/bias: readable by `collapse measure` and NumPy). Keys and defaults: docs/networks.md.

        Examples:
          collapse train experiments/tirer2022-fig5-mse.toml --out runs/fig5-mse
          collapse train experiments/sukenik2023-mlp-head.toml --set optimizer.epochs=10
          collapse train --resume runs/fig5-mse --set optimizer.epochs=80
          collapse train experiments/tirer2022-fig5-mse.toml --init torch_init.safetensors --export-weights
        """
    )

    @Argument(help: "The TOML config (omit with --resume).")
    var config: String?

    @Option(help: "The run directory (default: runs/<config name>).")
    var out: String?

    @Option(help: "Continue the run in this directory from its checkpoint.npz.")
    var resume: String?

    @Option(name: .customLong("set"), help: "Override a config key: --set section.key=value (repeatable).")
    var overrides: [String] = []

    @Flag(help: "Write features.npz: the final network's features per layer, for collapse measure or NumPy.")
    var exportFeatures = false

    @OptionGroup var memory: MemoryOption

    @Option(name: .customLong("init"), help: "Start from a PyTorch state_dict saved with safetensors.torch.save_file (PyTorch's names and shapes, BN buffers included; docs/networks.md) instead of model.init.")
    var initWeights: String?

    @Flag(help: "Also write weights.safetensors: the final weights as a PyTorch state_dict (load_state_dict loads it).")
    var exportWeights = false

    @Flag(help: "Overwrite an existing run in the output directory.")
    var force = false

    @Flag(help: "Print only warnings, errors and one final line.")
    var quiet = false

    @Flag(help: "Print a config template (every section and key, with its default) and exit.")
    var exampleConfig = false

    func validate() throws {
        if exampleConfig { return }
        if resume == nil, config == nil { throw ValidationError("give a CONFIG.toml, or --resume RUN_DIR (or --example-config for a template)") }
        if resume != nil, config != nil || out != nil || force || initWeights != nil {
            throw ValidationError("--resume takes no CONFIG, --out, --force or --init: the run directory has them")
        }
        if out?.trimmingCharacters(in: .whitespaces).isEmpty == true { throw ValidationError("--out is empty: give a run directory") }
        if resume?.trimmingCharacters(in: .whitespaces).isEmpty == true { throw ValidationError("--resume is empty: give a run directory") }
    }

    func run() throws {
        if exampleConfig {
            print(try ExampleConfig.train(), terminator: "")
            return
        }
        memory.apply()
        let run: NetRun
        let title: String
        if let resume {
            run = try NetRun.resume(directory: URL(fileURLWithPath: resume), overrides: overrides)
            if !quiet { print("resuming \(resume) after epoch \(run.trainer.epoch)") }
            title = URL(fileURLWithPath: resume).lastPathComponent
        } else {
            let path = config!
            let url = URL(fileURLWithPath: path)
            let text: String
            do { text = try String(contentsOf: url, encoding: .utf8) } catch {
                // The config reader names the cause (no such file, not UTF-8 at line:column, …).
                _ = try TrainConfig.load(url, overrides: overrides)
                throw NetsError.invalidConfig(field: path, reason: "cannot read the config: \(FileSystemError.cause(of: error, path: path, writing: false))")
            }
            let cfg = try ConfigKind.parseTrain(text, overrides: overrides, source: path)
            title = url.deletingPathExtension().lastPathComponent
            let provenance = RunProvenance(configFile: path, citation: RunProvenance.leadingComments(text),
                                           description: ExperimentPresets.describe(text).nonEmpty, overrides: overrides)
            run = try TrainDriver.start(cfg, directory: URL(fileURLWithPath: out ?? "runs/\(title)"), force: force,
                                        initialWeights: initWeights.map { URL(fileURLWithPath: $0) },
                                        provenance: provenance, quiet: quiet)
        }
        try TrainDriver.execute(run, title: title, exportFeatures: exportFeatures, exportWeights: exportWeights, quiet: quiet)
    }
}

/// Starts a trained-network run, trains it with a progress display, then writes the figures and index.html
/// and prints the result. Shared by `collapse train` and `collapse reproduce`.
enum TrainDriver {
    static func start(_ cfg: TrainConfig, directory dir: URL, force: Bool, initialWeights: URL? = nil,
                      provenance: RunProvenance, quiet: Bool) throws -> NetRun {
        let run = try NetRun.start(config: cfg, directory: dir, overwrite: force, initialWeights: initialWeights, provenance: provenance)
        let t = run.trainer, net = t.network.config
        if !quiet {
            print("run \(dir.path): \(t.data.train.name), \(t.data.train.count) training samples"
                  + (t.data.test.map { ", \($0.count) test" } ?? "")
                  + "; ResNet w=\(net.width) blocks=\(net.blocks) head=\(net.headWidths) (\(t.network.parameterCount) parameters); "
                  + "\(cfg.loss.kind.rawValue)\(cfg.loss.kind == .mse ? " (\(cfg.loss.mseScale.rawValue))" : ""), "
                  + "\(cfg.optimizer.epochs) epochs; \(cfg.run.threads) thread(s)")
        }
        return run
    }

    /// The per-epoch line: every number labelled, e.g.
    /// `epoch  12/60  lr 0.05  loss 0.01234  acc 99.80%  7.9 s  eval acc 100.00%  test acc 97.10%  NC1 stage1=0.52 stage2=0.31 …`.
    static func epochLine(_ r: EpochReport, layers: [String]) -> String {
        var line = String(format: "epoch %3d/%d", r.epoch, r.epochs)
        if let s = r.statistics {
            line += String(format: "  lr %.4g  loss %.5f  acc %6.2f%%  %.1f s", s.learningRate, s.loss, 100 * s.accuracy, s.seconds)
        }
        if let a = r.row["eval_accuracy"] { line += String(format: "  eval acc %6.2f%%", 100 * a) }
        if let a = r.row["test_accuracy"] { line += String(format: "  test acc %6.2f%%", 100 * a) }
        if r.measurement != nil {
            line += "  NC1 " + layers.map { l in "\(l)=" + (r.row["nc1_\(l)"].map { String(format: "%.3g", $0) } ?? "-") }.joined(separator: " ")
        }
        return line
    }

    static func execute(_ run: NetRun, title: String, exportFeatures: Bool, exportWeights: Bool = false, quiet: Bool) throws {
        run.slot.keepsLockAfterRun = true  // the report below is part of the run
        defer { run.slot.release() }
        for n in run.slot.notes { Run.noteLine(n) }
        if let note = BLASThreads.capped(run.trainer.config.run.threads).note { Run.noteLine(note) }
        let tty = !quiet && isatty(STDOUT_FILENO) != 0
        let layers = run.trainer.network.config.featureLayerNames
        var lastDraw = 0.0
        let summary: JSONValue
        do {
            summary = try run.run(exportFeatures: exportFeatures, exportWeights: exportWeights, onBatch: { e, b, n in
                guard tty else { return }
                let now = Date().timeIntervalSince1970
                if now - lastDraw < 0.25 && b < n { return }
                lastDraw = now
                print("\u{1B}[2K\repoch \(e) batch \(b)/\(n)", terminator: "")
                fflush(nil)
            }, onEpoch: { r in
                guard !quiet else { return }
                if tty { print("\u{1B}[2K\r", terminator: "") }
                print(epochLine(r, layers: layers))
                fflush(nil)
            })
        } catch {
            if tty { print("") }
            // Whatever was recorded is on disk; draw it (with the failure banner) so the failure can be seen.
            if !run.table.rows.isEmpty, (try? RunReport.write(runDirectory: run.directory.url, title: title, includeETF: true)) != nil {
                Run.warnLine("summary.json records the failure; the figures show the completed epochs: open \(run.directory.url.appendingPathComponent("index.html").path)")
            }
            if let kept = run.slot.abandon() {
                Run.noteLine("the previous run in \(run.slot.target.path) was kept; this failed run is in \(kept.path)")
            }
            throw error
        }
        // Networks: both NC2 panels. Pooled post-ReLU features carry a large common mean, so the
        // orthogonal-frame distance can stay flat while the centered (simplex-ETF) one falls.
        let report = try RunSummaryStatus.agreeing(summary, at: run.directory.summary) {
            try RunReport.write(runDirectory: run.directory.url, title: title, includeETF: true)
        }
        for w in report.warnings { Run.warnLine(w) }
        let tpe = summary["terminal_phase_epoch"]?.number.map { "from epoch \(Int($0))" } ?? "not reached"
        print("done: \(run.trainer.epoch) epochs, terminal phase (100% eval-mode training accuracy) \(tpe) → \(run.directory.url.path)")
        if !quiet {
            print("figures: \(run.directory.url.path)/figures/overview.svg; open \(run.directory.url.path)/index.html")
        }
    }
}
