import Foundation
import Testing

/// The first hour of a user: presets from any directory, honest options, the other command suggested,
/// templates from the binary, and a diverged run that says what happened.
@Suite struct RunRecordCLITests {
    /// Runs `collapse args…` in `directory` (not the repository root).
    static func run(_ args: [String], in directory: URL, environment: [String: String] = [:]) throws -> CLI.Result {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["CI"] = "true"
        env["NC_PRESETS"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    @Test func presetsWorkFromAnyDirectoryAndAStrayExperimentsFolderHidesNothing() throws {
        let tmp = try CLI.temporaryDirectory("anywhere")
        defer { try? FileManager.default.removeItem(at: tmp) }
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("experiments"), withIntermediateDirectories: true)
        try "x = 1\n".write(to: tmp.appendingPathComponent("experiments/stray.toml"), atomically: true, encoding: .utf8)
        let list = try Self.run(["reproduce", "--list"], in: tmp)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("tirer2022-fig4") && !list.stdout.contains("stray"), "\(list.stdout)")
        // The four Theorem 3.1 presets are told apart by their setting.
        let thm = list.stdout.split(separator: "\n").filter { $0.contains("thm31") }
        #expect(thm.count == 4 && Set(thm.map { $0.split(separator: "]", maxSplits: 1)[1] }).count == 4, "\(thm)")
        let r = try Self.run(["reproduce", "tirer2022-fig3", "--set", "optimizer.steps=20", "--set", "log.every=10", "--out", "r", "--quiet"], in: tmp)
        #expect(r.status == 0, "\(r.stderr)")
        // --quiet: one line.
        #expect(r.stdout.split(separator: "\n").count == 1 && r.stdout.hasPrefix("done: step 20"), "\(r.stdout)")
        // A user folder, explicitly.
        let mine = tmp.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("experiments/tirer2022-fig3.toml"), to: mine.appendingPathComponent("my-fig3.toml"))
        let listed = try Self.run(["reproduce", "--list", "--presets", mine.path], in: tmp)
        #expect(listed.stdout.contains("my-fig3") && listed.stdout.contains(mine.path), "\(listed.stdout)")
        let env = try Self.run(["reproduce", "--list"], in: tmp, environment: ["NC_PRESETS": mine.path])
        #expect(env.stdout.contains("my-fig3"))
    }

    @Test func theWrongCommandIsNamed() throws {
        let tmp = try CLI.temporaryDirectory("wrongcmd")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let a = try CLI.run(["run", "experiments/tirer2022-fig5-mse.toml", "--out", tmp.appendingPathComponent("a").path])
        #expect(a.status != 0 && a.stderr.contains("collapse train experiments/tirer2022-fig5-mse.toml"), "\(a.stderr)")
        let b = try CLI.run(["train", "experiments/tirer2022-fig4.toml", "--out", tmp.appendingPathComponent("b").path])
        #expect(b.status != 0 && b.stderr.contains("collapse run experiments/tirer2022-fig4.toml"), "\(b.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("a").path))
        #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("b").path))
    }

    @Test func optionsThatCannotApplyAreRefusedWithAReason() throws {
        let r = try CLI.run(["reproduce", "tirer2022-fig5-mse", "--checkpoint-every", "5", "--out", "/nonexistent/x"])
        #expect(r.status != 0 && r.stderr.contains("checkpoint.npz after every epoch"), "\(r.stderr)")
    }

    @Test func exampleConfigsComeFromTheBinaryAndRun() throws {
        let tmp = try CLI.temporaryDirectory("example")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let ufm = try CLI.run(["run", "--example-config"])
        #expect(ufm.status == 0 && ufm.stdout.contains("[regularization]"))
        let cfg = tmp.appendingPathComponent("my.toml")
        try ufm.stdout.write(to: cfg, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", cfg.path, "--set", "optimizer.steps=10", "--out", tmp.appendingPathComponent("r").path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let train = try CLI.run(["train", "--example-config"])
        #expect(train.status == 0 && train.stdout.contains("[data]") && train.stdout.contains("[measure]"))
        let t = tmp.appendingPathComponent("t.toml")
        try train.stdout.write(to: t, atomically: true, encoding: .utf8)
        // It parses as a train config (the wrong-command check reads it first).
        let wrong = try CLI.run(["run", t.path, "--out", tmp.appendingPathComponent("w").path])
        #expect(wrong.stderr.contains("collapse train"), "\(wrong.stderr)")
    }

    /// H1 of a UFM run's params.npz as samples-as-rows features with labels and the classifier W, via NumPy.
    static func featureFile(params: URL, to file: URL) throws {
        let script = """
        import numpy as np, sys
        p = np.load(sys.argv[1])
        H = p["H1"]; W = p["W1"]
        labels = np.repeat(np.arange(W.shape[0]), H.shape[1] // W.shape[0])
        np.savez(sys.argv[2], labels=labels, h1=H.T.astype(np.float32), weight=W)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, params.path, file.path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    @Test func measureNC3FollowsTheTarget() throws {
        let tmp = try CLI.temporaryDirectory("nc3target")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let run = tmp.appendingPathComponent("run"), file = tmp.appendingPathComponent("features.npz")
        let r = try CLI.run(["reproduce", "tirer2022-thm31-bias-collapse", "--out", run.path, "--quiet", "--set", "optimizer.steps=50"])
        #expect(r.status == 0, "\(r.stderr)")
        try Self.featureFile(params: run.appendingPathComponent("params.npz"), to: file)
        for (target, column) in [("etf", "nc3_centered"), ("of", "nc3")] {
            let table = try CLI.run(["measure", file.path, "--target", target])
            #expect(table.status == 0, "\(table.stderr)")
            let header = table.stdout.split(separator: "\n").first { $0.hasPrefix("layer") }.map(String.init) ?? ""
            #expect(header.split(separator: " ").contains(Substring(column)), "\(target): \(header)")
            let json = try CLI.run(["measure", file.path, "--target", target, "--json"])
            let o = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
            let h = try #require(o["h1"] as? [String: Any])
            #expect(h["nc3_target"] as? Double == h[column] as? Double, "\(target)")
        }
    }

    @Test func aDivergedRunSaysWhatHappenedAndWhere() throws {
        let tmp = try CLI.temporaryDirectory("diverge")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("run")
        let r = try CLI.run(["reproduce", "tirer2022-fig4", "--set", "optimizer.learning_rate=1000", "--out", dir.path])
        #expect(r.status != 0)
        #expect(!r.stdout.contains("done:"), "\(r.stdout)")
        #expect(r.stdout.contains("diverged at step") || r.stderr.contains("diverged at step"), "\(r.stdout)\(r.stderr)")
        let page = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(page.contains("class=\"failure\""))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as! [String: Any]
        let final = summary["final"] as! [String: Any], failure = summary["failure"] as! [String: Any]
        #expect(final["step"] as? Double == failure["last_logged_step"] as? Double)
        let prov = summary["provenance"] as! [String: Any]
        #expect(prov["preset"] as? String == "tirer2022-fig4")
        #expect((prov["overrides"] as? [String]) == ["optimizer.learning_rate=1000"])
        #expect((prov["command_line"] as? String)?.contains("optimizer.learning_rate=1000") == true)
    }
}
