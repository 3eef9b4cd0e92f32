import ArgumentParser
import Foundation
import Report
import Sweep

/// `collapse sweep`: run a grid of configs in one process, on `--shard`s, or as a Slurm job array.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a sweep (a base config and axes over its keys), locally, in shards, or on Slurm.",
        discussion: """
        The sweep file's schema, the directory it writes and the results.csv columns: docs/sweeps.md.

        Examples:
          collapse sweep experiments/sweeps/tirer2022-thm31-phase.toml --jobs 2
          collapse sweep SWEEP.toml --shard 0/4 --out runs/s       (one of four slices)
          collapse sweep slurm SWEEP.toml --array 8 --out runs/s --submit
          collapse sweep collect runs/s
        """,
        subcommands: [SweepRunCommand.self, SweepSlurmCommand.self, SweepCollectCommand.self],
        defaultSubcommand: SweepRunCommand.self
    )
}

/// The default directory of a sweep file: runs/<file name>.
func defaultSweepDirectory(_ file: String) -> String {
    "runs/" + URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
}

struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run every point of a sweep that has no result yet (the default subcommand).",
        discussion: """
        Every point is validated before any runs. Points run in this process, --jobs at a time, each on one BLAS thread. A killed sweep resumes where it stopped: rerun the same command; a finished point is never run again. A point that diverges or fails is a row with its status. Inside a Slurm array job the shard comes from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT. When every point has a result, writes results.csv, figures/ and index.html.
        """
    )

    @Argument(help: "The sweep file (TOML).")
    var sweep: String

    @Option(help: "The sweep directory (default: runs/<sweep file name>).")
    var out: String?

    @Option(help: "Points run at once in this process.")
    var jobs = 1

    @Option(help: "What each point leaves besides its row: summary, metrics (runs/<id>/metrics.csv, summary.json) or all.")
    var keep: KeepMode = .summary

    @Option(help: "Run only slice I of N (0 ≤ I < N): the points i with i mod N = I.")
    var shard: String?

    @Flag(help: "Validate every point and print the plan; run nothing.")
    var dryRun = false

    @Flag(help: "Print only the final lines.")
    var quiet = false

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be ≥ 1") }
    }

    func run() throws {
        let spec = try SweepSpec.load(URL(fileURLWithPath: sweep))
        let plan = try SweepPlan(spec: spec)
        let sh = try shard.map(Shard.parse) ?? Shard.fromSlurm(ProcessInfo.processInfo.environment) ?? .whole
        let dir = SweepDirectory(URL(fileURLWithPath: out ?? defaultSweepDirectory(sweep)))
        if dryRun {
            print("\(spec.title): \(plan.points.count) points, all valid; shard \(sh) has \(plan.points(in: sh).count)")
            for p in plan.points(in: sh).prefix(50) { print("  \(p.id)  \(p.label)") }
            return
        }
        try dir.prepare(plan, sweepText: try String(contentsOf: URL(fileURLWithPath: sweep), encoding: .utf8))
        if !quiet { print("sweep \(dir.url.path): \(plan.points.count) points, shard \(sh), --jobs \(jobs), --keep \(keep.rawValue)") }
        var options = SweepOptions()
        options.jobs = jobs
        options.keep = keep
        options.shard = sh
        let q = quiet
        let report = try SweepRunner.run(plan, in: dir, options: options) { line in if !q { print(line) } }
        let counts = report.statuses.keys.sorted().map { "\(report.statuses[$0]!) \($0)" }.joined(separator: ", ")
        print("shard \(sh): ran \(report.ran) point(s)\(counts.isEmpty ? "" : " (\(counts))"), \(report.skipped) already done, in \(String(format: "%.1f", report.seconds)) s")
        let table = try SweepCollect.gather(dir)
        if table.missing.isEmpty {
            try SweepReportWriter.write(dir, table: table)
            print("results: \(dir.results.path), \(dir.index.path)")
        } else if sh.count > 1 {
            print("\(table.missing.count) of \(table.total) points of the sweep still have no result (other shards); then: collapse sweep collect \(dir.url.path)")
        }
    }
}

struct SweepSlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write (and with --submit, submit) the sbatch script that runs a sweep as a Slurm job array.",
        discussion: "Validates every point and prepares the sweep directory first. Array task i runs shard i/N. After the job: collapse sweep collect DIR."
    )

    @Argument(help: "The sweep file (TOML).")
    var sweep: String

    @Option(help: "Number of array tasks (shards).")
    var array: Int

    @Option(help: "The sweep directory (default: runs/<sweep file name>).")
    var out: String?

    @Option(help: "Slurm partition.")
    var partition: String?

    @Option(help: "Time limit per task (Slurm syntax, e.g. 1:00:00).")
    var time: String?

    @Option(help: "CPUs per task; each task runs that many points at once.")
    var cpus = 1

    @Option(help: "What each point leaves besides its row: summary, metrics or all.")
    var keep: KeepMode = .summary

    @Flag(help: "Submit the script with sbatch.")
    var submit = false

    @Flag(help: "With --submit: wait until every task has ended (sbatch --wait).")
    var wait = false

    func validate() throws {
        if array < 1 { throw ValidationError("--array must be ≥ 1") }
        if cpus < 1 { throw ValidationError("--cpus must be ≥ 1") }
        if wait, !submit { throw ValidationError("--wait needs --submit") }
    }

    func run() throws {
        let file = URL(fileURLWithPath: sweep).standardizedFileURL
        let spec = try SweepSpec.load(file)
        let plan = try SweepPlan(spec: spec)
        let dir = SweepDirectory(URL(fileURLWithPath: out ?? defaultSweepDirectory(sweep)).standardizedFileURL)
        try dir.prepare(plan, sweepText: try String(contentsOf: file, encoding: .utf8))
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        var script = SlurmScript(tasks: array, executable: exe, sweepFile: file.path, directory: dir.url.path,
                                 workingDirectory: FileManager.default.currentDirectoryPath, jobName: "sweep-" + spec.title)
        script.partition = partition
        script.time = time
        script.cpus = cpus
        script.keep = keep
        script.presetFolders = ExperimentPresets.environmentFolders().map { $0.standardizedFileURL.path }.joined(separator: ":").nonEmpty
        try FileManager.default.createDirectory(at: dir.slurm, withIntermediateDirectories: true)
        let url = dir.slurm.appendingPathComponent("sweep.sbatch")
        try script.text.write(to: url, atomically: true, encoding: .utf8)
        print("wrote \(url.path): \(plan.points.count) points in \(array) array task(s)")
        guard submit else {
            print("submit it with: sbatch \(url.path)   then: collapse sweep collect \(dir.url.path)")
            return
        }
        let id = try SlurmScript.submit(url, wait: wait)
        print("submitted job \(id)\(wait ? " (finished)" : ""); logs in \(dir.slurm.path); then: collapse sweep collect \(dir.url.path)")
    }
}

struct SweepCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Merge the point results of a sweep directory (shards, array tasks) into results.csv and draw the figures.",
        discussion: "Refuses, listing them, when points have no result; --partial writes what exists and marks the missing points in every figure."
    )

    @Argument(help: "The sweep directory.")
    var directory: String

    @Flag(help: "Write results.csv and figures from the points that have results, marking the missing ones.")
    var partial = false

    func run() throws {
        let dir = SweepDirectory(URL(fileURLWithPath: directory))
        let table = try SweepCollect.gather(dir)
        if !table.missing.isEmpty, !partial {
            throw SweepError.missingPoints(path: dir.url.path, missing: table.missing, total: table.total)
        }
        try SweepReportWriter.write(dir, table: table)
        let counts = table.statuses.keys.sorted().map { "\(table.statuses[$0]!) \($0)" }.joined(separator: ", ")
        print("\(dir.results.path): \(table.rows.count) of \(table.total) points (\(counts))\(table.missing.isEmpty ? "" : "; \(table.missing.count) missing, marked in the figures")")
        print("figures: \(dir.index.path)")
    }
}

extension KeepMode: ExpressibleByArgument {}
