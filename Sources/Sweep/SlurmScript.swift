import Foundation

/// The sbatch script of a sweep as a Slurm job array (`collapse sweep slurm`): N array tasks, task i
/// running `collapse sweep SWEEP.toml --out DIR` as shard i/N (the shard comes from SLURM_ARRAY_TASK_ID
/// and SLURM_ARRAY_TASK_COUNT, `Shard.fromSlurm`), each with `--jobs` = its CPUs.
public struct SlurmScript: Sendable {
    public var tasks: Int
    public var executable: String
    public var sweepFile: String
    public var directory: String
    public var workingDirectory: String
    public var jobName: String
    public var partition: String?
    public var time: String?
    public var cpus: Int = 1
    public var keep: KeepMode = .summary
    /// Your own preset folders (NC_PRESETS at submission), exported so the tasks find a base preset that is not shipped.
    public var presetFolders: String?

    public init(tasks: Int, executable: String, sweepFile: String, directory: String, workingDirectory: String, jobName: String) {
        self.tasks = tasks
        self.executable = executable
        self.sweepFile = sweepFile
        self.directory = directory
        self.workingDirectory = workingDirectory
        self.jobName = jobName
    }

    /// A word for the shell: single-quoted, with embedded quotes escaped.
    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    public var text: String {
        let name = String(jobName.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }.prefix(60))
        var s = "#!/bin/bash\n# Written by `collapse sweep slurm`: one array task per shard of the sweep.\n"
        s += "#SBATCH --job-name=\(name.isEmpty ? "collapse-sweep" : name)\n"
        s += "#SBATCH --array=0-\(tasks - 1)\n"
        s += "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=\(cpus)\n"
        s += "#SBATCH --output=\(directory)/slurm/%A_%a.out\n"
        s += "#SBATCH --chdir=\(workingDirectory)\n"
        if let partition { s += "#SBATCH --partition=\(partition)\n" }
        if let time { s += "#SBATCH --time=\(time)\n" }
        s += "set -euo pipefail\n"
        if let presetFolders { s += "export NC_PRESETS=\(SlurmScript.quote(presetFolders))\n" }
        s += "exec \(SlurmScript.quote(executable)) sweep \(SlurmScript.quote(sweepFile)) --out \(SlurmScript.quote(directory))"
        s += " --jobs \(cpus) --keep \(keep.rawValue) --quiet\n"
        return s
    }

    /// Runs `sbatch --parsable [--wait] script` and returns the job id it prints.
    public static func submit(_ script: URL, wait: Bool) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sbatch", "--parsable"] + (wait ? ["--wait"] : []) + [script.path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            throw SweepError.directory(path: script.path, reason: "cannot start sbatch: \(error.localizedDescription)")
        }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let id = String(decoding: o, as: UTF8.self).split(separator: "\n").first.map { String($0.split(separator: ";")[0]) } ?? ""
        guard p.terminationStatus == 0 else {
            let msg = String(decoding: e, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SweepError.directory(path: script.path, reason: "sbatch failed (exit \(p.terminationStatus))\(id.isEmpty ? "" : " for job \(id)"): \(msg.isEmpty ? "no message; is Slurm running (sinfo)?" : msg)")
        }
        return id
    }
}
