import ArgumentParser
import Report
import Foundation
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

    @Option(name: .customLong("init"), help: "Start from a PyTorch state_dict saved with safetensors.torch.save_file (PyTorch's names and shapes, BN buffers included; docs/networks.md) instead of model.init.")
    var initWeights: String?

    @Flag(help: "Also write weights.safetensors: the final weights as a PyTorch state_dict (load_state_dict loads it).")
    var exportWeights = false

    @Flag(help: "Overwrite an existing run in the output directory.")
    var force = false

    func validate() throws {
        if resume == nil, config == nil { throw ValidationError("give a CONFIG.toml, or --resume RUN_DIR") }
        if resume != nil, config != nil || out != nil || force || initWeights != nil {
            throw ValidationError("--resume takes no CONFIG, --out, --force or --init: the run directory has them")
        }
    }

    func run() throws {
        let run: NetRun
        if let resume {
            run = try NetRun.resume(directory: URL(fileURLWithPath: resume), overrides: overrides)
            print("resuming \(resume) after epoch \(run.trainer.epoch)")
        } else {
            let path = config!
            let cfg = try TrainConfig.load(URL(fileURLWithPath: path), overrides: overrides)
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let dir = URL(fileURLWithPath: out ?? "runs/\(name)")
            run = try NetRun.start(config: cfg, directory: dir, overwrite: force,
                                   initialWeights: initWeights.map { URL(fileURLWithPath: $0) })
            let t = run.trainer, net = t.network.config
            print("run \(dir.path): \(t.data.train.name), \(t.data.train.count) training samples"
                  + (t.data.test.map { ", \($0.count) test" } ?? "")
                  + "; ResNet w=\(net.width) blocks=\(net.blocks) head=\(net.headWidths) (\(t.network.parameterCount) parameters); "
                  + "\(cfg.loss.kind.rawValue)\(cfg.loss.kind == .mse ? " (\(cfg.loss.mseScale.rawValue))" : ""), "
                  + "\(cfg.optimizer.epochs) epochs; \(cfg.run.threads) thread(s)")
        }
        let tty = isatty(STDOUT_FILENO) != 0
        let layers = run.trainer.network.config.featureLayerNames
        var lastDraw = 0.0
        let summary = try run.run(exportFeatures: exportFeatures, exportWeights: exportWeights, onBatch: { e, b, n in
            guard tty else { return }
            let now = Date().timeIntervalSince1970
            if now - lastDraw < 0.25 && b < n { return }
            lastDraw = now
            print("\u{1B}[2K\repoch \(e) batch \(b)/\(n)", terminator: "")
            fflush(nil)
        }, onEpoch: { r in
            if tty { print("\u{1B}[2K\r", terminator: "") }
            var line = String(format: "epoch %3d/%d", r.epoch, r.epochs)
            if let s = r.statistics {
                line += String(format: "  lr %.4g  loss %.5f  acc %6.2f%%  %.1f s", s.learningRate, s.loss, 100 * s.accuracy, s.seconds)
            }
            if let a = r.row["eval_accuracy"] { line += String(format: "  eval acc %6.2f%%", 100 * a) }
            if let a = r.row["test_accuracy"] { line += String(format: "  test acc %6.2f%%", 100 * a) }
            if r.measurement != nil {
                line += "  nc1 " + layers.map { l in r.row["nc1_\(l)"].map { String(format: "%.3g", $0) } ?? "-" }.joined(separator: " ")
            }
            print(line)
            fflush(nil)
        })
        let title = resume.map { URL(fileURLWithPath: $0).lastPathComponent }
            ?? URL(fileURLWithPath: config!).deletingPathExtension().lastPathComponent
        // Networks: both NC2 panels. Pooled post-ReLU features carry a large common mean, so the
        // orthogonal-frame distance can stay flat while the centered (simplex-ETF) one falls.
        let report = try RunReport.write(runDirectory: run.directory.url, title: title, includeETF: true)
        for w in report.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        let tpe = summary["terminal_phase_epoch"]?.serialized(indent: 0) ?? "null"
        print("done: \(run.trainer.epoch) epochs, terminal phase (100% eval-mode training accuracy) from epoch \(tpe) → \(run.directory.url.path)")
        print("figures: \(run.directory.url.path)/figures/overview.svg; open \(run.directory.url.path)/index.html")
    }
}
