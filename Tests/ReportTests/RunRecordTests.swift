import Foundation
import Testing
import Linalg
@testable import Report

/// A run is a self-describing record: connected network curves, distinct split styles, the NC1 round-off
/// floor, the failure banner, provenance, and the shipped presets.
@Suite struct RunRecordTests {
    /// A network table measured every other epoch: NC columns empty at odd epochs.
    static func everyOtherEpoch() -> MetricsTable {
        var t = MetricsTable(columns: ["epoch", "loss", "eval_accuracy", "test_accuracy", "nc1_stage1", "nc1_stage2"])
        for e in 0...10 {
            let measured = e % 2 == 0
            t.append(row: [Double(e), e == 0 ? nil : 1 / Double(e + 1), measured ? 0.5 + 0.04 * Double(e) : nil,
                           measured ? 0.4 + 0.04 * Double(e) : nil, measured ? 2 / Double(e + 1) : nil, measured ? 3 / Double(e + 1) : nil])
        }
        return t
    }

    @Test func unmeasuredRowsAreBridgedAndWrittenNaNStillBreaks() throws {
        let panels = Figures.panels(table: Self.everyOtherEpoch(), theoryObjective: nil)
        let nc1 = try #require(panels.first { $0.name == "nc1" })
        // Only the six measured epochs, in order, none missing.
        #expect(nc1.series[0].x == [0, 2, 4, 6, 8, 10])
        #expect(nc1.series[0].y.allSatisfy{ $0.isFinite })
        let svg = Figures.renderPanel(nc1, title: "t")
        let doc = try #require(SVGInspector.parse(svg))
        #expect(doc.all("circle", class: "dot").isEmpty, "isolated dots drawn")
        for curve in doc.all("path", class: "curve") {
            #expect((curve.attributes["d"] ?? "").filter { $0 == "M" }.count == 1, "curve broken into pieces")
        }
        // A value written as nan (a real failure) is not bridged.
        var t = MetricsTable(columns: ["step", "nc1_1"])
        for (s, v) in [(0.0, 1.0), (1, .nan), (2, 0.5), (3, 0.25)] { t.append(row: [s, v]) }
        let p = try #require(Figures.panels(table: t, theoryObjective: nil).first { $0.name == "nc1" })
        #expect(p.series[0].x.count == 4 && p.series[0].y[1].isNaN)
    }

    @Test func splitsHaveDistinctStyles() throws {
        let panels = Figures.panels(table: Self.everyOtherEpoch(), theoryObjective: nil)
        let acc = try #require(panels.first { $0.name == "accuracy" })
        #expect(acc.series.count == 2)
        let styles = acc.series.map{ $0.style }
        #expect(Set(styles.map{ $0.color }).count == styles.count, "\(styles)")
        #expect(styles.allSatisfy { $0.color != SeriesStyle.single.color || $0 == SeriesStyle.single } || acc.series[0].label == "train")
        let loss = try #require(panels.first { $0.name == "loss" })
        #expect(loss.series[0].x == Array(1...10).map(Double.init), "the loss curve starts at epoch 1")
    }

    @Test func nc1AxisStopsAtMachineEpsilon() throws {
        var t = MetricsTable(columns: ["step", "nc1_1"])
        for i in 0...30 { t.append(row: [Double(i), pow(10, -Double(i))]) }  // down to 1e-30
        let p = try #require(Figures.panels(table: t, theoryObjective: nil).first { $0.name == "nc1" })
        let sc = PanelRenderer.scales(for: p, logDecades: 2)
        #expect(sc.y.scale == .log)
        #expect(sc.y.lower >= 1e-17 && sc.y.lower <= Double.ulpOfOne, "axis floor \(sc.y.lower)")
        #expect(sc.floored == 15)  // 1e-16 … 1e-30
        let note = try #require(PanelRenderer.omissionNote(sc))
        #expect(note.contains("15 values below 2.2e-16"), "\(note)")
        // Every drawn point lies inside the plot (none below the frame).
        let doc = try #require(SVGInspector.parse(Figures.renderPanel(p, title: "t")))
        let frame = try #require(doc.all("rect", class: "frame").first)
        let bottom = Double(frame.attributes["y"]!)! + Double(frame.attributes["height"]!)!
        let d = try #require(doc.all("path", class: "curve").first?.attributes["d"])
        let ys = d.split(whereSeparator: { $0 == "M" || $0 == "L" }).compactMap { Double($0.split(separator: " ")[1]) }
        #expect(ys.allSatisfy { $0 <= bottom + 1e-6 }, "a point below the axis floor")
    }

    @Test func failedRunPageHasTheBannerFirstAndProvenance() throws {
        let summary: JSONValue = [
            "status": "failed", "error": "the optimization diverged at step 2 (objective 3.8e20: …)",
            "failure": ["kind": "diverged", "step": 2, "objective": 3.8e20, "reason": "it exceeds 1e6 × f(0)", "last_logged_step": 0],
            "provenance": RunProvenance(preset: "p1", configFile: "shipped", citation: "A & B, Fig. 1", description: "A & B, Fig. 1: a setting",
                                        commandLine: ["collapse", "reproduce", "p1", "--set", "optimizer.learning_rate=1000"],
                                        overrides: ["optimizer.learning_rate=1000"]).json,
            "final": ["step": 0, "objective": 1.7],
        ]
        let page = RunIndex.html(title: "p1", figures: [], summary: summary, summaryText: nil, config: nil, files: [])
        let banner = try #require(page.range(of: "<div class=\"failure\""))
        let heading = try #require(page.range(of: "<h1>"))
        #expect(banner.lowerBound < heading.lowerBound, "the banner is not at the top")
        #expect(page.contains("diverged at step 2"))
        #expect(page.contains("last logged step, 0"))
        #expect(page.contains("<title>FAILED: p1 — A &amp; B, Fig. 1: a setting</title>"))
        #expect(page.contains("id=\"provenance\"") && page.contains("optimizer.learning_rate=1000") && page.contains("git commit"))
        let ok = RunIndex.html(title: "p1", figures: [], summary: ["status": "completed"], summaryText: nil, config: nil, files: [])
        #expect(!ok.contains("class=\"failure\""))
    }

    /// The embedded commit is what scripts/build-info.sh wrote for this build, and "unknown" without it.
    @Test func builtCommitIsTheGeneratedOne() throws {
        let header = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/CBuildInfo/generated_commit.h")
        guard let text = try? String(contentsOf: header, encoding: .utf8) else {
            #expect(RunProvenance.builtCommit == "unknown")
            return
        }
        let quoted = try #require(text.split(separator: "\"", omittingEmptySubsequences: false).dropFirst().first)
        #expect(RunProvenance.builtCommit == String(quoted))
        #expect(String(quoted).range(of: "^([0-9a-f]{40}(-dirty)?|unknown)$", options: .regularExpression) != nil, "\(quoted)")
    }

    @Test func provenanceRecordsWhatItIsGivenAndUnknownHonestly() {
        let p = RunProvenance(preset: nil, configFile: "a.toml", commandLine: ["collapse", "run", "a b.toml", "--set", "x.y='z'"],
                              overrides: ["x.y='z'"])
        #expect(p.json["git_commit"]?.string == RunProvenance.builtCommit)
        #expect(p.json["toolkit_version"]?.string == Linalg.version)
        #expect(p.json["command_line"]?.string == "collapse run 'a b.toml' --set 'x.y='\\''z'\\'''")
        #expect(RunProvenance.leadingComments("# one\n#   two\n#\n# three\n\n# later\n[model]\n") == "one\n  two\n\nthree")
        #expect(RunProvenance.leadingComments("[model]\n# not leading\n") == nil)
    }
}

@Suite struct PresetTests {
    static let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("experiments")

    @Test func shippedPresetsMatchTheExperimentsFolder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.experiments.path).filter { $0.hasSuffix(".toml") }.sorted()
        #expect(ExperimentPresets.shipped.map { $0.name + ".toml" } == files,
                "experiments/ and the presets in the binary differ: run python3 scripts/embed-presets.py")
        for (name, text) in ExperimentPresets.shipped {
            let onDisk = try String(contentsOf: Self.experiments.appendingPathComponent(name + ".toml"), encoding: .utf8)
            #expect(onDisk.trimmingCharacters(in: .newlines) == text, "\(name) differs: run python3 scripts/embed-presets.py")
        }
    }

    @Test func everyPresetHasADistinctDescription() throws {
        let presets = try ExperimentPresets.load(folders: [])
        #expect(presets.presets.count == ExperimentPresets.shipped.count)
        let summaries = presets.presets.map{ $0.summary }
        #expect(Set(summaries).count == summaries.count, "\(summaries)")
        for p in presets.presets { #expect(!p.summary.isEmpty && p.summary.count <= 150 && !p.summary.contains("\"Extended")) }
        let fig5 = try presets.named("tirer2022-fig5-mse")
        #expect(fig5.kind == .train && fig5.summary.hasPrefix("Tirer & Bruna, ICML 2022, Sec. 6 / Figure 5 (MSE)"), "\(fig5.summary)")
        #expect(try presets.named("tirer2022-fig4.toml").kind == .ufm)
    }

    @Test func userFoldersAddPresetsAndNeverHideShippedOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nc-presets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "# Mine: my own setting.\n[model]\n".write(to: dir.appendingPathComponent("mine.toml"), atomically: true, encoding: .utf8)
        try "x = 1\n".write(to: dir.appendingPathComponent("tirer2022-fig4.toml"), atomically: true, encoding: .utf8)
        let presets = try ExperimentPresets.load(folders: [dir])
        let mine = try presets.named("mine")
        #expect(mine.origin == .file(dir.appendingPathComponent("mine.toml")) && mine.summary == "Mine: my own setting")
        #expect(try presets.named("tirer2022-fig4").origin == .shipped)
        #expect(presets.shadowed.map{ $0.lastPathComponent } == ["tirer2022-fig4.toml"])
        #expect(presets.shadowWarnings.first?.contains("rename") == true)
        #expect(throws: ExperimentPresets.BadFolder.self) { try ExperimentPresets.load(folders: [dir.appendingPathComponent("nope")]) }
        #expect(throws: ExperimentPresets.NotFound.self) { try presets.named("nope") }
    }
}
