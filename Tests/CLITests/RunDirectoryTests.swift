import Foundation
import Testing

/// The run directory as a user meets it: locked, replaced only by a run that got going, never left stale,
/// and errors that name the path, the cause or the dimension.
@Suite struct RunDirectoryTests {
    static let tiny = """
        [model]
        classes = 3
        per_class = 4
        widths = [6, 6]
        [regularization]
        lambda_h = 0.001
        lambda_w = 0.001
        [optimizer]
        steps = 40
        [log]
        every = 20
        """

    func setup(_ name: String) throws -> (tmp: URL, config: String) {
        let tmp = try CLI.temporaryDirectory(name)
        let cfg = tmp.appendingPathComponent("tiny.toml")
        try Self.tiny.write(to: cfg, atomically: true, encoding: .utf8)
        return (tmp, cfg.path)
    }

    func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test func aSecondRunOnTheSameDirectoryFailsNamingTheHolder() throws {
        let (tmp, cfg) = try setup("lock")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let d = tmp.appendingPathComponent("D").path
        let first = try CLI.start(["run", cfg, "--out", d, "--quiet", "--set", "optimizer.steps=100000000", "--set", "log.every=100000000"])
        defer { if first.process.isRunning { first.process.terminate() }; first.process.waitUntilExit() }
        let lock = tmp.appendingPathComponent(".D.lock").path
        for _ in 0..<600 where !(FileManager.default.fileExists(atPath: lock) && ((try? text(URL(fileURLWithPath: lock))) ?? "").contains("pid")) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        for extra in [[], ["--force"]] {
            let second = try CLI.run(["run", cfg, "--out", d, "--quiet"] + extra)
            #expect(second.status != 0)
            #expect(second.stderr.contains("in use by another run") && second.stderr.contains("pid \(first.process.processIdentifier)"), "\(second.stderr)")
        }
        #expect(try CLI.run(["run", "--resume", d]).stderr.contains("in use by another run"))
        // Killed: the kernel drops its lock, and the next run takes over the stale lock file.
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let after = try CLI.run(["run", cfg, "--out", d, "--quiet", "--force"])
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stderr.contains("stale lock"), "\(after.stderr)")
    }

    @Test func forceValidatesFirstAndReplacesOnlyAWorkingRun() throws {
        let (tmp, cfg) = try setup("force")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let d = tmp.appendingPathComponent("D")
        #expect(try CLI.run(["run", cfg, "--out", d.path, "--quiet"]).status == 0)
        let params = try Data(contentsOf: d.appendingPathComponent("params.npz"))
        // --init from the run being replaced: read before anything is touched.
        let again = try CLI.run(["run", cfg, "--out", d.path, "--quiet", "--force", "--init", d.appendingPathComponent("params.npz").path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: d.appendingPathComponent("params.npz")) != params)
        let good = try text(d.appendingPathComponent("summary.json"))
        // A bad --init, a bad config, and a run that diverges: the old run stays as it was.
        #expect(try CLI.run(["run", cfg, "--out", d.path, "--force", "--init", tmp.appendingPathComponent("nope.npz").path]).status != 0)
        #expect(try CLI.run(["run", cfg, "--out", d.path, "--force", "--set", "regularization.lambda_h=-1"]).status != 0)
        let diverged = try CLI.run(["run", cfg, "--out", d.path, "--force", "--quiet", "--set", "optimizer.learning_rate=100"])
        #expect(diverged.status != 0)
        #expect(diverged.stderr.contains("previous run") && diverged.stderr.contains("was kept"), "\(diverged.stderr)")
        #expect(try text(d.appendingPathComponent("summary.json")) == good)
        #expect(try text(tmp.appendingPathComponent("D.failed/summary.json")).contains("\"failed\""))
        let hidden = try FileManager.default.contentsOfDirectory(atPath: tmp.path).filter { $0.hasPrefix(".D.") }
        #expect(hidden.isEmpty, "\(hidden)")
    }

    @Test func failuresBeforeTheRunLeaveNoDirectory() throws {
        let (tmp, cfg) = try setup("nodir")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let d = tmp.appendingPathComponent("E")
        let r = try CLI.run(["run", cfg, "--out", d.path, "--init", tmp.appendingPathComponent("nope.npz").path])
        #expect(r.status != 0 && r.stderr.contains("no such file"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: d.path))
        let big = try CLI.run(["run", cfg, "--out", d.path, "--set", "model.widths=[1000000000]"])
        #expect(big.status != 0 && big.stderr.contains("memory") && big.stderr.contains("1000000000"), "\(big.stderr)")
        #expect(!FileManager.default.fileExists(atPath: d.path))
        let tcfg = tmp.appendingPathComponent("net.toml")
        try "[data]\ndataset = \"fashion-mnist\"\ndirectory = \"\(tmp.appendingPathComponent("no-data").path)\"\n".write(to: tcfg, atomically: true, encoding: .utf8)
        let noData = try CLI.run(["train", tcfg.path, "--out", d.path])
        #expect(noData.status != 0, "\(noData.stdout)")
        #expect(!FileManager.default.fileExists(atPath: d.path))
        let empty = try CLI.run(["run", cfg, "--out", ""])
        #expect(empty.status != 0 && empty.stderr.contains("--out is empty"), "\(empty.stderr)")
    }

    @Test func aFinishedRunCannotBeShortenedAndOrphansAreCleaned() throws {
        let (tmp, cfg) = try setup("shorten")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let d = tmp.appendingPathComponent("D")
        #expect(try CLI.run(["run", cfg, "--out", d.path, "--quiet", "--checkpoint-every", "20"]).status == 0)
        let config = try text(d.appendingPathComponent("config.toml")), summary = try text(d.appendingPathComponent("summary.json"))
        let orphan = d.appendingPathComponent(".checkpoint.npz.tmp-12345-0000")
        try "partial".write(to: orphan, atomically: false, encoding: .utf8)
        let r = try CLI.run(["run", "--resume", d.path, "--set", "optimizer.steps=10"])
        #expect(r.status != 0 && r.stderr.contains("beyond optimizer.steps"), "\(r.stderr)")
        #expect(try text(d.appendingPathComponent("config.toml")) == config)
        #expect(try text(d.appendingPathComponent("summary.json")) == summary)
        #expect(!FileManager.default.fileExists(atPath: orphan.path))
        let longer = try CLI.run(["run", "--resume", d.path, "--quiet", "--set", "optimizer.steps=60"])
        #expect(longer.status == 0, "\(longer.stderr)")
    }

    @Test func aReportThatCannotBeWrittenFailsTheRunAndItsRecord() throws {
        let (tmp, cfg) = try setup("report")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let d = tmp.appendingPathComponent("D")
        try FileManager.default.createDirectory(at: d.appendingPathComponent("index.html"), withIntermediateDirectories: true)
        let r = try CLI.run(["run", cfg, "--out", d.path, "--quiet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("index.html") && r.stderr.contains("is a directory"), "\(r.stderr)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain"))
        let summary = try text(d.appendingPathComponent("summary.json"))
        #expect(summary.contains("\"status\": \"failed\"") || summary.contains("\"status\":\"failed\""), "\(summary)")
    }

    /// A full disk and a read-only file system, on a small tmpfs (needs the right to mount: root on Linux;
    /// elsewhere the test has nothing to check and returns).
    @Test func aFullOrReadOnlyDiskIsNamed() throws {
        let (tmp, cfg) = try setup("disk")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let mnt = tmp.appendingPathComponent("mnt")
        try FileManager.default.createDirectory(at: mnt, withIntermediateDirectories: true)
        func sh(_ args: [String]) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = args
            p.standardError = FileHandle.nullDevice
            try p.run(); p.waitUntilExit()
            return p.terminationStatus
        }
        guard try sh(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", mnt.path]) == 0 else { return }
        defer { _ = try? sh(["umount", mnt.path]) }
        let d = mnt.appendingPathComponent("D")
        let full = try CLI.run(["run", cfg, "--out", d.path, "--quiet", "--set", "model.widths=[200,200]", "--set", "model.per_class=20",
                                "--set", "optimizer.steps=2"])
        #expect(full.status == 1 && full.stderr.contains("no space left on device") && full.stderr.contains("params.npz"), "\(full.stderr)")
        #expect(try text(d.appendingPathComponent("summary.json")).contains("no space left on device"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: d.path).allSatisfy { !$0.contains(".tmp-") })
        try FileManager.default.removeItem(at: d)
        guard try sh(["mount", "-o", "remount,ro", mnt.path]) == 0 else { return }
        let ro = try CLI.run(["run", cfg, "--out", d.appendingPathComponent("sub").path, "--quiet"])
        #expect(ro.status == 1 && ro.stderr.contains("read-only file system") && !ro.stderr.contains("NSCocoaErrorDomain"), "\(ro.stderr)")
    }

    @Test func inputSizesAndCountsAreErrorsNotSignals() throws {
        let (tmp, cfg) = try setup("sizes")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let d = tmp.appendingPathComponent("D").path
        let overflow = try CLI.run(["run", cfg, "--out", d, "--set", "model.classes=4294967296", "--set", "model.per_class=4294967296"])
        #expect(overflow.status == 1 && overflow.stderr.contains("model.per_class"), "\(overflow.stderr)")
        let history = try CLI.run(["run", cfg, "--out", d, "--set", "optimizer.method=lbfgs", "--set", "optimizer.history=1000000000000"])
        #expect(history.status == 1 && history.stderr.contains("optimizer.history"), "\(history.stderr)")
        let limited = try CLI.run(["run", cfg, "--out", d, "--max-memory", "1K"])
        #expect(limited.status == 1 && limited.stderr.contains("--max-memory"), "\(limited.stderr)")
        let threads = try CLI.run(["run", cfg, "--out", d, "--quiet", "--set", "run.threads=4294967296"])
        #expect(threads.status == 0 && threads.stderr.contains("run.threads = 4294967296"), "\(threads.stderr)")
        let missing = try CLI.run(["run", tmp.appendingPathComponent("nope.toml").path])
        #expect(missing.status == 1 && missing.stderr.contains("no such file") && !missing.stderr.contains("syntax"), "\(missing.stderr)")
        let theory = try CLI.run(["theory", cfg, "--max-memory", "1G", "--set", "model.classes=2147483647", "--set", "model.per_class=1",
                                  "--set", "model.bias=true"])
        #expect(theory.status == 1 && theory.stderr.contains("K = 2147483647"), "\(theory.stderr)")
        let lambda = try CLI.run(["run", cfg, "--out", tmp.appendingPathComponent("L").path, "--quiet", "--set", "regularization.lambda_h=1e300"])
        #expect(lambda.status == 1 && lambda.stderr.contains("regularization.lambda_h"), "\(lambda.stderr)")
    }

    @Test func measureRefusesHugeLabelsAndClassCounts() throws {
        let tmp = try CLI.temporaryDirectory("labels")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let file = tmp.appendingPathComponent("f.npz")
        try NPZFixture.write(labels: [0, 1, 2, 0, 1, 1_000_000_000_000], features: 3, to: file)
        let r = try CLI.run(["measure", file.path])
        #expect(r.status == 1 && r.stderr.contains("1000000000000"), "\(r.stderr)")
        let ok = tmp.appendingPathComponent("g.npz")
        try NPZFixture.write(labels: [0, 1, 2, 0, 1, 2], features: 3, to: ok)
        for k in ["1000000000000", "9223372036854775807"] {
            let c = try CLI.run(["measure", ok.path, "--classes", k])
            #expect(c.status == 1 && c.stderr.contains("class 3 has no samples"), "\(c.stderr)")
        }
        let limited = try CLI.run(["measure", ok.path, "--max-memory", "100"])
        #expect(limited.status == 1 && limited.stderr.contains("--max-memory"), "\(limited.stderr)")
        #expect(try CLI.run(["measure", ok.path]).status == 0)
    }
}

/// Feature files written by NumPy (as a user's would be).
enum NPZFixture {
    static func write(labels: [Int], features d: Int, to file: URL) throws {
        let script = """
        import numpy as np, sys
        labels = np.array([int(x) for x in sys.argv[2].split(",")], dtype=np.int64)
        rng = np.random.default_rng(0)
        np.savez(sys.argv[1], labels=labels, feats=rng.normal(size=(len(labels), int(sys.argv[3]))))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, file.path, labels.map(String.init).joined(separator: ","), String(d)]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "python3 with numpy is needed (make setup)")
    }
}
