import Foundation
import Testing

/// The run pages as a reader sees them: headless Chromium (Debian's `chromium`, installed by
/// scripts/setup.sh) loads a UFM run's and a network run's index.html, every figure the page references,
/// and the page of a failed run, which must show its banner first.
@Suite(.serialized) struct BrowserTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `chromium --headless --dump-dom URL`: the DOM after the page loaded (scripts ran, images settled).
    static func dumpDOM(_ url: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium!)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("nc-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--allow-file-access-from-files",
                       "--user-data-dir=\(profile.path)", "--virtual-time-budget=5000", "--dump-dom", url.absoluteString]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "chromium exited with \(p.terminationStatus) on \(url.path)")
        return String(decoding: data, as: UTF8.self)
    }

    /// Loads the page, then every `figures/*.svg` it links to as an <img> in a probe page, and returns the
    /// page's DOM and the figures that failed to load (or loaded with no size).
    static func check(runDirectory dir: URL) throws -> (dom: String, figures: [String], failed: [String]) {
        let page = dir.appendingPathComponent("index.html")
        let html = try String(contentsOf: page, encoding: .utf8)
        var figures: [String] = []
        for part in html.components(separatedBy: "href=\"").dropFirst() {
            let ref = String(part.prefix { $0 != "\"" })
            if ref.hasPrefix("figures/") && !figures.contains(ref) { figures.append(ref) }
        }
        let dom = try dumpDOM(page)
        // The probe: one <img> per figure; onload checks a real size, onerror marks the failure.
        var probe = "<!DOCTYPE html><html><body><ul id=\"r\"></ul><script>\nconst r = document.getElementById('r');\n"
        probe += "function mark(n, ok) { const li = document.createElement('li'); li.textContent = (ok ? 'LOADED ' : 'FAILED ') + n; r.appendChild(li); }\n"
        for f in figures {
            probe += "{ const i = new Image(); i.onload = () => mark('\(f)', i.naturalWidth > 0 && i.naturalHeight > 0); "
            probe += "i.onerror = () => mark('\(f)', false); i.src = '\(f)'; }\n"
        }
        probe += "</script></body></html>\n"
        let probeURL = dir.appendingPathComponent("browser-probe.html")
        try probe.write(to: probeURL, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: probeURL) }
        let result = try dumpDOM(probeURL)
        let failed = figures.filter { !result.contains("LOADED \($0)") }
        return (dom, figures, failed)
    }

    // Skipped (with this reason) only on a machine without a browser: scripts/setup.sh installs chromium,
    // so `make test` and CI run it.
    @Test(.enabled(if: BrowserTests.chromium != nil, "chromium is not installed: run scripts/setup.sh (apt-get install chromium)"))
    func ufmAndNetworkPagesLoadWithEveryFigureAndAFailedRunShowsItsBanner() throws {
        let tmp = try CLI.temporaryDirectory("browser")
        defer { try? FileManager.default.removeItem(at: tmp) }

        let ufm = tmp.appendingPathComponent("ufm")
        let a = try CLI.run(["reproduce", "tirer2022-fig4", "--set", "optimizer.steps=400", "--set", "log.every=20", "--out", ufm.path, "--quiet"])
        #expect(a.status == 0, "\(a.stderr)")
        let net = tmp.appendingPathComponent("net")
        let b = try CLI.run(["reproduce", "tirer2022-fig5-mse", "--set", "data.per_class=2", "--set", "data.test_per_class=1",
                             "--set", "model.width=4", "--set", "model.blocks=[1,1,1,1]", "--set", "optimizer.epochs=2",
                             "--set", "run.threads=1", "--set", "run.shards=1", "--out", net.path, "--quiet"])
        #expect(b.status == 0, "\(b.stderr)")
        let failed = tmp.appendingPathComponent("failed")
        let c = try CLI.run(["reproduce", "tirer2022-fig4", "--set", "optimizer.learning_rate=1000", "--out", failed.path, "--quiet"])
        #expect(c.status != 0)

        for (dir, title) in [(ufm, "tirer2022-fig4"), (net, "tirer2022-fig5-mse")] {
            let r = try Self.check(runDirectory: dir)
            #expect(r.dom.contains("<h1>\(title)</h1>"), "\(dir.lastPathComponent): the page did not load")
            #expect(r.dom.contains("id=\"overview\"") && r.dom.contains("id=\"provenance\""))
            #expect(!r.dom.contains("class=\"failure\""))
            #expect(r.figures.count >= 5 && r.figures.contains("figures/overview.svg"), "\(r.figures)")
            #expect(r.failed.isEmpty, "\(dir.lastPathComponent): figures that did not load: \(r.failed)")
        }
        let r = try Self.check(runDirectory: failed)
        let banner = try #require(r.dom.range(of: "class=\"failure\""), "the failed run's page has no banner")
        let heading = try #require(r.dom.range(of: "<h1>"))
        #expect(banner.lowerBound < heading.lowerBound, "the banner is not at the top")
        #expect(r.dom.contains("diverged at step"))
        #expect(r.failed.isEmpty, "failed run: figures that did not load: \(r.failed)")
    }
}
