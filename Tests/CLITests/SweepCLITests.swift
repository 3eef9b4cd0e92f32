import Foundation
import Testing

/// `collapse sweep` end to end: bad input, missing shards, and a real Slurm job array against a local run.
@Suite struct SweepCLITests {
    static let base = """
    [model]
    classes = 3
    per_class = 4
    widths = [6]
    [regularization]
    lambda_h = 0.01
    lambda_w = 0.01
    [optimizer]
    steps = 60
    [init]
    scale = 0.3
    [log]
    every = 30
    """

    static let sweep = """
    base = "base.toml"
    [axes]
    "init.seed" = { seeds = 2 }
    "regularization.lambda_w" = { log = [1e-3, 1e-1], count = 3 }
    [report]
    phase = { x = "regularization.lambda_w", y = "init.seed", value = "nc1_1" }
    """

    static func folder(sweep: String = sweep) throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        try base.write(to: d.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        try sweep.write(to: d.appendingPathComponent("sweep.toml"), atomically: true, encoding: .utf8)
        return d
    }

    /// results.csv with the timing columns `seconds` and `optimization_seconds` removed (the test's
    /// sweeps have no quoted fields).
    static func withoutTiming(_ url: URL) throws -> [String] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let timing = Set(["seconds", "optimization_seconds"].compactMap { header.firstIndex(of: Substring($0)) })
        #expect(timing.count == 2)
        return lines.map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return f.indices.filter { !timing.contains($0) }.map { String(f[$0]) }.joined(separator: ",")
        }
    }

    @Test func typoInAnAxisIsRefusedBeforeAnythingRuns() throws {
        let d = try SweepCLITests.folder(sweep: "base = \"base.toml\"\n[axes]\n\"optimizer.step\" = [10, 20]\n")
        let out = d.appendingPathComponent("out")
        let r = try CLI.run(["sweep", d.appendingPathComponent("sweep.toml").path, "--out", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("axis 'optimizer.step' is not a config key; valid keys:") && r.stderr.contains("optimizer.steps"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func collectListsMissingShardsAndDrawsNothing() throws {
        let d = try SweepCLITests.folder()
        let out = d.appendingPathComponent("out")
        let r = try CLI.run(["sweep", d.appendingPathComponent("sweep.toml").path, "--out", out.path, "--shard", "0/2", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let c = try CLI.run(["sweep", "collect", out.path])
        #expect(c.status != 0)
        #expect(c.stderr.contains("3 of 6 points have no result yet: p000001, p000003, p000005"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("results.csv").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("figures").path))
    }

    @Test(.timeLimit(.minutes(5)))
    func killedSweepResumesWithoutRerunningFinishedPoints() throws {
        let d = try SweepCLITests.folder(sweep: SweepCLITests.sweep.replacingOccurrences(of: "count = 3", with: "count = 6")
            .replacingOccurrences(of: "[report]", with: "[set]\n\"optimizer.steps\" = 20000\n\"log.every\" = 20000\n[report]"))
        let file = d.appendingPathComponent("sweep.toml").path
        let out = d.appendingPathComponent("out"), points = out.appendingPathComponent("points")
        let p = try CLI.start(["sweep", file, "--out", out.path, "--jobs", "2", "--quiet"])
        func records() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: points.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        }
        let deadline = Date().addingTimeInterval(120)
        while records().count < 2, p.process.isRunning, Date() < deadline { usleep(20_000) }
        kill(p.process.processIdentifier, SIGKILL)
        p.process.waitUntilExit()
        let done = records()
        #expect(!done.isEmpty && done.count < 12, "the kill should land mid-sweep: \(done.count) of 12 records")
        var before: [String: Data] = [:]
        for r in done { before[r] = try Data(contentsOf: points.appendingPathComponent(r)) }
        let again = try CLI.run(["sweep", file, "--out", out.path, "--jobs", "2", "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("ran \(12 - done.count) point(s)") && again.stdout.contains("\(done.count) already done"), "\(again.stdout)")
        for r in done { #expect(try Data(contentsOf: points.appendingPathComponent(r)) == before[r], "\(r) was rewritten") }
        // The killed run's scratch directories in /dev/shm (named by FNV-1a of the sweep directory's path)
        // were reused and removed by the resumed run.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in out.standardizedFileURL.path.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let prefix = "collapse-sweep-\(String(h, radix: 16))-"
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? []).filter { $0.hasPrefix(prefix) }
        #expect(left.isEmpty, "left in /dev/shm: \(left)")
        let clean = d.appendingPathComponent("clean")
        #expect(try CLI.run(["sweep", file, "--out", clean.path, "--quiet"]).status == 0)
        #expect(try SweepCLITests.withoutTiming(out.appendingPathComponent("results.csv"))
            == SweepCLITests.withoutTiming(clean.appendingPathComponent("results.csv")))
    }

    /// Whether a Slurm controller answers with a usable node (CI starts one: scripts/slurm-local.sh).
    static var slurmRunning: Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sinfo", "-h", "-o", "%T"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        guard (try? p.run()) != nil else { return false }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return p.terminationStatus == 0 && ["idle", "mix", "alloc"].contains { text.contains($0) }
    }

    @Test(.enabled(if: slurmRunning, "no Slurm is running here (start one with scripts/slurm-local.sh start; .ci/run does)"),
          .timeLimit(.minutes(5)))
    func slurmArrayGivesTheLocalResults() throws {
        let d = try SweepCLITests.folder()
        let file = d.appendingPathComponent("sweep.toml").path
        let local = d.appendingPathComponent("local"), cluster = d.appendingPathComponent("cluster")
        let l = try CLI.run(["sweep", file, "--out", local.path, "--jobs", "2", "--quiet"])
        #expect(l.status == 0, "\(l.stderr)")
        let s = try CLI.run(["sweep", "slurm", file, "--array", "3", "--cpus", "1", "--out", cluster.path, "--submit", "--wait"])
        #expect(s.status == 0, "\(s.stdout)\(s.stderr)")
        let script = try String(contentsOf: cluster.appendingPathComponent("slurm/sweep.sbatch"), encoding: .utf8)
        #expect(script.contains("#SBATCH --array=0-2"))
        let logs = try FileManager.default.contentsOfDirectory(atPath: cluster.appendingPathComponent("slurm").path).filter { $0.hasSuffix(".out") }
        #expect(logs.count == 3, "one log per array task: \(logs)")
        let c = try CLI.run(["sweep", "collect", cluster.path])
        #expect(c.status == 0, "\(c.stderr)")
        let a = try SweepCLITests.withoutTiming(local.appendingPathComponent("results.csv"))
        let b = try SweepCLITests.withoutTiming(cluster.appendingPathComponent("results.csv"))
        #expect(a.count == 7)
        #expect(a == b)
    }
}
