import Foundation
import Testing

/// The commands as a user runs them: outputs on disk, JSON contracts, and errors that name the problem.
@Suite struct CommandLineTests {
    @Test func reproduceWritesTheWholeRunDirectoryAndMatchesTheTheory() throws {
        let tmp = try CLI.temporaryDirectory("reproduce")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("run")
        let r = try CLI.run(["reproduce", "tirer2022-thm31-nobias-collapse", "--out", dir.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        for f in ["config.toml", "metrics.csv", "summary.json", "params.npz", "index.html", "figures/overview.svg", "figures/nc1.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), "missing \(f)")
        }
        #expect(r.stdout.contains("matches the theory"), "\(r.stdout)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as! [String: Any]
        let final = summary["final"] as! [String: Any]
        let theory = summary["theory"] as! [String: Any]
        #expect(theory["status"] as? String == "global")
        let gap = try #require(final["gap_to_theory"] as? Double)
        #expect(abs(gap) < 1e-8)
    }

    @Test func reproduceListsEveryPaperPreset() throws {
        let r = try CLI.run(["reproduce", "--list"])
        #expect(r.status == 0)
        for name in ["tirer2022-fig3", "tirer2022-fig4", "tirer2022-fig8", "tirer2022-fig9", "sukenik2023-depth3",
                     "sukenik2023-depth5", "sukenik2024-lowrank", "tirer2022-thm31-bias-zero"] {
            #expect(r.stdout.contains(name), "missing \(name)")
        }
        let bad = try CLI.run(["reproduce", "tirer2099-fig1"])
        #expect(bad.status != 0 && bad.stderr.contains("no preset named 'tirer2099-fig1'"), "\(bad.stderr)")
    }

    @Test func theoryJSONHasTheContractKeys() throws {
        let r = try CLI.run(["theory", "experiments/sukenik2024-lowrank.toml", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        for key in ["objective", "regime", "status", "threshold", "scale"] { #expect(o[key] != nil, "missing \(key)") }
        #expect(o["status"] as? String == "dnc-candidate")
        #expect(o["regime"] as? String == "collapse")
    }

    /// Unbalanced counts: the per-class prediction in text and JSON, and the minority-collapse warning.
    @Test func theoryPrintsThePerClassPrediction() throws {
        let r = try CLI.run(["theory", "experiments/minority-collapse-ufm.toml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("2 of 4 classes survive") && r.stdout.contains("n_crit = 4.6656"), "\(r.stdout)")
        #expect(r.stderr.contains("minority collapse"), "\(r.stderr)")
        let j = try CLI.run(["theory", "experiments/minority-collapse-ufm.toml", "--json", "--set", "model.per_class=[20, 20, 6, 6]"])
        let o = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        let classes = try #require(o["classes"] as? [[String: Any]])
        #expect(classes.map { $0["survives"] as? Bool } == [true, true, true, true])
        #expect(o["geometry"] as? String == "general-orthogonal-frame")
        let bad = try CLI.run(["theory", "experiments/minority-collapse-ufm.toml", "--set", "model.per_class=[20, 20, 0, 6]"])
        #expect(bad.status != 0 && bad.stderr.contains("class 2 has n_3 = 0"), "\(bad.stderr)")
    }

    @Test func badConfigNamesTheKeyAndWritesNothing() throws {
        let tmp = try CLI.temporaryDirectory("badconfig")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("run")
        let r = try CLI.run(["run", "experiments/tirer2022-fig3.toml", "--out", dir.path, "--set", "regularization.lambda_h=-1"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("lambda_h"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("metrics.csv").path))
    }

    /// A TOML typo in a file or an override is an error (exit 1 with line and column), never a signal; a
    /// missing config is "no such file".
    @Test func malformedTOMLIsAnErrorNotACrash() throws {
        let tmp = try CLI.temporaryDirectory("badtoml")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let cfg = tmp.appendingPathComponent("bad.toml")
        for text in ["[[[", "[ #", "x = [}"] {
            try text.write(to: cfg, atomically: true, encoding: .utf8)
            for command in ["run", "train", "theory"] {
                let r = try CLI.run([command, cfg.path] + (command == "theory" ? [] : ["--out", tmp.appendingPathComponent("run").path]))
                #expect(r.status == 1 && r.stderr.contains("\(cfg.path)") && (r.stderr.contains(":1:") || r.stderr.contains("line 1,")), "\(command) '\(text)': \(r.status) \(r.stderr)")
            }
        }
        let r = try CLI.run(["run", "experiments/tirer2022-fig3.toml", "--out", tmp.appendingPathComponent("run").path, "--set", "model.widths=[20,}"])
        #expect(r.status == 1 && r.stderr.contains("model.widths=[20,}"), "\(r.stderr)")
        let missing = tmp.appendingPathComponent("missing.toml").path
        for command in ["run", "train"] {
            let m = try CLI.run([command, missing, "--out", tmp.appendingPathComponent("run").path])
            #expect(m.status == 1 && m.stderr.contains("\(missing): cannot read the config: no such file"), "\(command): \(m.stderr)")
        }
    }

    @Test func measureReadsANumPyStyleFile() throws {
        let tmp = try CLI.temporaryDirectory("measure")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let file = tmp.appendingPathComponent("features.npz")
        // A UFM run's H1 written back as samples-as-rows features with labels, through the toolkit itself.
        let run = tmp.appendingPathComponent("run")
        let r = try CLI.run(["reproduce", "tirer2022-thm31-nobias-collapse", "--out", run.path, "--quiet",
                             "--set", "optimizer.method=\"lbfgs\"", "--set", "optimizer.steps=200"])
        #expect(r.status == 0, "\(r.stderr)")
        try writeFeatureFile(params: run.appendingPathComponent("params.npz"), to: file)
        let m = try CLI.run(["measure", file.path, "--json"])
        #expect(m.status == 0, "\(m.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as! [String: Any]
        let h = try #require(o["h1"] as? [String: Any])
        let nc1 = try #require(h["nc1"] as? Double)
        #expect(nc1 < 1e-12, "the collapsed optimum has NC1 ≈ 0, got \(nc1)")
        #expect(h["nc3"] != nil && h["nc4"] != nil)
        // Bad input: a label outside 0…K−1 is named.
        let bad = try CLI.run(["measure", file.path, "--classes", "2"])
        #expect(bad.status != 0 && bad.stderr.lowercased().contains("label"), "\(bad.stderr)")
    }

    /// A Fortran-order feature array (NumPy's `H.T`, or `np.asfortranarray`) streams by random access when
    /// stored and is read whole when deflated: `collapse measure` gives exactly the numbers of the C-order file.
    @Test func measureGivesTheSameNumbersForFortranOrderFiles() throws {
        let tmp = try CLI.temporaryDirectory("measure-fortran")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let script = """
        import numpy as np, sys
        rng = np.random.default_rng(7)
        K, n, d = 3, 40, 6
        labels = np.repeat(np.arange(K), n)
        H = rng.standard_normal((K, d))[labels] * 3 + rng.standard_normal((K * n, d))
        W = rng.standard_normal((K, d))
        for order, save in [("c", np.savez), ("f", np.savez), ("fz", np.savez_compressed)]:
            h64, h32 = (np.ascontiguousarray(H), np.ascontiguousarray(H.astype(np.float32))) if order == "c" else \
                (np.asfortranarray(H), np.asfortranarray(H.astype(np.float32)))
            assert order == "c" or (h64.flags.f_contiguous and not h64.flags.c_contiguous)
            save(sys.argv[1] + "/" + order + ".npz", labels=labels, h64=h64, h32=h32, weight=W)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, tmp.path]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "python3 with numpy is needed (make setup)")
        var outputs: [String: String] = [:]
        for name in ["c", "f", "fz"] {
            for batch in ["7", "4096"] {
                let m = try CLI.run(["measure", tmp.appendingPathComponent("\(name).npz").path, "--json", "--batch-rows", batch])
                #expect(m.status == 0, "\(name): \(m.stderr)")
                let o = try JSONSerialization.jsonObject(with: Data(m.stdout.utf8)) as! [String: Any]
                #expect(o["h64"] != nil && o["h32"] != nil, "\(m.stdout)")
                outputs["\(name) \(batch)"] = String(decoding: try JSONSerialization.data(withJSONObject: ["h64": o["h64"]!, "h32": o["h32"]!], options: .sortedKeys), as: UTF8.self)
            }
        }
        for batch in ["7", "4096"] {
            #expect(outputs["f \(batch)"] == outputs["c \(batch)"], "stored Fortran, batch \(batch)")
            #expect(outputs["fz \(batch)"] == outputs["c \(batch)"], "deflated Fortran, batch \(batch)")
        }
        // The deflated member is read whole only within the memory budget (3 copies of 5760 bytes, an N·d Int
        // permutation and a batch: 28.8 KB); the stored one streams under it (the batch needs 20.3 KB).
        let refused = try CLI.run(["measure", tmp.appendingPathComponent("fz.npz").path, "--max-memory", "25KB"])
        #expect(refused.status != 0 && refused.stderr.contains("fz.npz[h64]") && refused.stderr.contains("read whole"), "\(refused.stderr)")
        let streamed = try CLI.run(["measure", tmp.appendingPathComponent("f.npz").path, "--max-memory", "25KB"])
        #expect(streamed.status == 0, "\(streamed.stderr)")
    }

    /// The UFM benchmark runs end to end against NumPy (a few steps, so not a timing): both sides reach
    /// the same objective, and the floor table reports the paper setting's 576,000 FLOP per step
    /// (3 products × 2·(20·20 + 4·20)·200).
    @Test func benchUFMComparesWithNumPyAndReportsTheBLASFloor() throws {
        let r = try CLI.run(["bench", "ufm", "--cases", "a", "--small-steps", "50", "--rounds", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let speed = try #require(lines.first { $0.hasPrefix("a ") && $0.contains("(agree)") }, "\(r.stdout)")
        #expect(speed.contains("×"))
        let floor = try #require(lines.first { $0.hasPrefix("a ") && !$0.contains("(agree)") }, "\(r.stdout)")
        #expect(floor.split(separator: " ").dropFirst().first == "0.0006", "\(floor)")
        #expect(floor.components(separatedBy: "×").count >= 5, "toolkit, NumPy, products and ceiling ratios: \(floor)")

        let bad = try CLI.run(["bench", "ufm", "--rounds", "0"])
        #expect(bad.status != 0 && bad.stderr.contains("--rounds"), "\(bad.stderr)")
    }

    /// Uses python3 + NumPy (installed by scripts/setup.sh) the way a PyTorch user would save features.
    private func writeFeatureFile(params: URL, to file: URL) throws {
        let script = """
        import numpy as np, sys
        p = np.load(sys.argv[1])
        H = p["H1"]; W = p["W1"]
        n = H.shape[1] // W.shape[0]
        labels = np.repeat(np.arange(W.shape[0]), n)
        np.savez(sys.argv[2], labels=labels, h1=H.T.astype(np.float32), weight=W)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, params.path, file.path]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "python3 with numpy is needed (make setup)")
    }
}
