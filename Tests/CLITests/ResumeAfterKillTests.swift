import Foundation
import Testing

/// A run killed with SIGKILL mid-way and resumed with `--resume` ends with the same parameters, bit for bit,
/// as the same run left alone (issue: "Reproduce the papers in one command", point 5).
@Suite(.serialized) struct ResumeAfterKillTests {
    @Test func killedAndResumedRunMatchesUninterruptedRunBitForBit() throws {
        let tmp = try CLI.temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let config = "experiments/tirer2022-fig4.toml"
        let sets = ["--set", "optimizer.steps=60000", "--set", "log.every=500", "--checkpoint-every", "1000", "--quiet"]

        let straight = tmp.appendingPathComponent("straight").path
        let a = try CLI.run(["run", config, "--out", straight] + sets)
        #expect(a.status == 0, "uninterrupted run failed: \(a.stderr)")

        let killed = tmp.appendingPathComponent("killed")
        let checkpoint = killed.appendingPathComponent("checkpoint.npz")
        let p = try CLI.start(["run", config, "--out", killed.path] + sets)
        // Wait until at least two checkpoints were written, then kill without warning.
        let deadline = Date().addingTimeInterval(120)
        var seen = 0
        var lastModified: Date?
        while p.process.isRunning, Date() < deadline, seen < 2 {
            if let m = (try? FileManager.default.attributesOfItem(atPath: checkpoint.path))?[.modificationDate] as? Date, m != lastModified {
                lastModified = m
                seen += 1
            }
            usleep(2_000)
        }
        let killedMidway = p.process.isRunning
        kill(p.process.processIdentifier, SIGKILL)
        p.process.waitUntilExit()
        try #require(killedMidway, "the run finished before it could be killed; make it longer")
        #expect(p.process.terminationReason == .uncaughtSignal)
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("params.npz").path))

        let r = try CLI.run(["run", "--resume", killed.path, "--quiet"])
        #expect(r.status == 0, "resume failed: \(r.stderr)")
        let finalA = try Data(contentsOf: URL(fileURLWithPath: straight).appendingPathComponent("params.npz"))
        let finalB = try Data(contentsOf: killed.appendingPathComponent("params.npz"))
        #expect(finalA == finalB, "resumed params.npz differs from the uninterrupted run's")
        // No half-written temporary files are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: killed.path).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }
}
