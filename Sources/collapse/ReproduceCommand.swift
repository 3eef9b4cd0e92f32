import ArgumentParser
import Foundation
import Report
import Nets
import UFM

/// `collapse reproduce NAME`: run a paper preset from experiments/ by name.
struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reproduce a figure of the seed papers from its preset (shipped inside the binary).",
        discussion: """
        Each preset is a plain config file (experiments/ of the source, shipped inside the binary) whose comment cites the paper, figure and setting. Unconstrained-features presets run as `collapse run`, trained-network presets (those with a [data] table) as `collapse train`. To change one thing, copy the file and use `collapse run` on the copy, or pass --set section.key=value here.

        Examples:
          collapse reproduce --list
          collapse reproduce tirer2022-fig4     # → runs/tirer2022-fig4
          collapse reproduce sukenik2024-lowrank --set optimizer.steps=200000

        Your own presets: --presets DIR (repeatable) or NC_PRESETS=DIR1:DIR2 adds the *.toml files of those folders. The current directory is not searched, and a file with the name of a shipped preset never replaces it (it is reported, to be renamed).
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

    @Option(name: .customLong("presets"), help: "A folder of your own presets (*.toml), added to the shipped ones (repeatable; also NC_PRESETS).")
    var presetFolders: [String] = []

    @Option(help: "Write checkpoint.npz every N steps, for --resume with collapse run (UFM presets; trained-network runs checkpoint after every epoch).")
    var checkpointEvery: Int?

    @OptionGroup var memory: MemoryOption

    @Flag(help: "Overwrite an existing run in the output directory.")
    var force = false

    @Flag(help: "Print only warnings, errors and one final line.")
    var quiet = false

    func validate() throws {
        if !list, name == nil { throw ValidationError("give a preset NAME, or --list") }
        if out?.trimmingCharacters(in: .whitespaces).isEmpty == true { throw ValidationError("--out is empty: give a run directory") }
        if let n = checkpointEvery, n < 0 { throw ValidationError("--checkpoint-every must be ≥ 0") }
    }

    func run() throws {
        memory.apply()
        let presets = try ExperimentPresets.load(folders: ExperimentPresets.environmentFolders() + presetFolders.map { URL(fileURLWithPath: $0) })
        for w in presets.shadowWarnings { Run.warnLine(w) }
        if list {
            let width = presets.presets.map(\.name.count).max() ?? 0
            for p in presets.presets {
                var line = p.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + "[\(p.kind.rawValue)]".padding(toLength: 8, withPad: " ", startingAt: 0) + p.summary
                if case .file(let u) = p.origin { line += "  (\(u.path))" }
                print(line)
            }
            return
        }
        let preset = try presets.named(name!)
        let dir = URL(fileURLWithPath: out ?? "runs/\(preset.name)")
        let provenance = RunProvenance(preset: preset.name, configFile: preset.location,
                                       citation: RunProvenance.leadingComments(preset.text),
                                       description: preset.summary.nonEmpty, overrides: overrides)
        switch preset.kind {
        case .ufm:
            var sets = overrides
            if let n = checkpointEvery { sets.append("log.checkpoint_every=\(n)") }
            let cfg: UFMConfig
            do { cfg = try UFMConfig.parse(preset.text, overrides: sets, source: preset.location) } catch let e as ConfigError {
                throw WrongCommand(description: "preset \(preset.name): \(e)")
            }
            for w in cfg.warnings { FileHandle.standardError.write(Data("\(w)\n".utf8)) }
            let recorder = try UFMRunRecorder.start(config: cfg, directory: dir, overwrite: force, provenance: provenance)
            if !quiet { print("reproducing \(preset.name): \(preset.summary)\n→ \(dir.path)") }
            try UFMRunDriver.execute(recorder, title: preset.name, quiet: quiet)
        case .train:
            guard checkpointEvery == nil else {
                throw ValidationError("--checkpoint-every applies to unconstrained-features presets; \(preset.name) trains a network, "
                                      + "which writes checkpoint.npz after every epoch (resume with collapse train --resume \(dir.path))")
            }
            let cfg = try ConfigKind.parseTrain(preset.text, overrides: overrides, source: preset.location)
            if !quiet { print("reproducing \(preset.name): \(preset.summary)") }
            let run = try TrainDriver.start(cfg, directory: dir, force: force, provenance: provenance, quiet: quiet)
            try TrainDriver.execute(run, title: preset.name, exportFeatures: false, quiet: quiet)
        }
    }
}
