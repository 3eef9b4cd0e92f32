import ArgumentParser
import Foundation
import Report
import UFM

/// `collapse reproduce NAME`: run a paper preset from experiments/ by name.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reproduce a figure of the seed papers from its preset in experiments/.",
        discussion: """
        Each preset is a plain config file in experiments/ whose comment cites the paper, figure and setting. Unconstrained-features presets run as `collapse run`, trained-network presets (those with a [data] table) as `collapse train`. To change one thing, copy the file and use `collapse run` on the copy, or pass --set section.key=value here.

        Examples:
          collapse reproduce --list
          collapse reproduce tirer2022-fig4     # → runs/tirer2022-fig4
          collapse reproduce sukenik2024-lowrank --set optimizer.steps=200000

        Presets are looked up in $NC_EXPERIMENTS, ./experiments, then beside the binary's repository.
        """
    )

    @Argument(help: "The preset's name (see --list).")
    var name: String?

    @Flag(help: "List the presets, one line each.")
    var list = false

    @Option(help: "The run directory (default: runs/<name>).")
    var out: String?

    @Option(name: .customLong("set"), help: "Override a config key: --set section.key=value (repeatable).")
    var overrides: [String] = []

    @Option(help: "Write checkpoint.npz every N steps (UFM presets), for --resume with collapse run.")
    var checkpointEvery: Int?

    @OptionGroup var memory: MemoryOption

    @Flag(help: "Overwrite an existing run in the output directory.")
    var force = false

    @Flag(help: "Print only warnings, errors and the final summary.")
    var quiet = false

    func validate() throws {
        if !list, name == nil { throw ValidationError("give a preset NAME, or --list") }
        if out?.trimmingCharacters(in: .whitespaces).isEmpty == true { throw ValidationError("--out is empty: give a run directory") }
    }

    func run() throws {
        memory.apply()
        if list {
            let presets = ExperimentPresets.all()
            guard !presets.isEmpty else { throw ExperimentPresets.NotFound(name: "", available: [], searched: ExperimentPresets.searchPath().map(\.path)) }
            let width = presets.map(\.name.count).max() ?? 0
            for p in presets {
                print(p.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + "[\(p.kind.rawValue)]".padding(toLength: 8, withPad: " ", startingAt: 0) + p.summary)
            }
            return
        }
        let preset = try ExperimentPresets.named(name!)
        let dir = out ?? "runs/\(preset.name)"
        switch preset.kind {
        case .ufm:
            var sets = overrides
            if let n = checkpointEvery { sets.append("log.checkpoint_every=\(n)") }
            let cfg = try UFMConfig.load(preset.url, overrides: sets)
            for w in cfg.warnings { FileHandle.standardError.write(Data("\(w)\n".utf8)) }
            let recorder = try UFMRunRecorder.start(config: cfg, directory: URL(fileURLWithPath: dir), overwrite: force)
            if !quiet { print("reproducing \(preset.name): \(preset.summary)\n→ \(dir)") }
            try UFMRunDriver.execute(recorder, title: preset.name, quiet: quiet)
        case .train:
            var args = [preset.url.path, "--out", dir] + overrides.flatMap { ["--set", $0] }
            if force { args.append("--force") }
            let train = try Train.parse(args)
            try train.run()
        }
    }
}
