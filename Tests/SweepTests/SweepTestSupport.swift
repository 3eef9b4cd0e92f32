import Foundation
@testable import Sweep

/// A temporary folder with a tiny UFM base config (K = 3, n = 4, d = 6, 40 GD steps) and a sweep file.
struct SweepFixture {
    let folder: URL

    static let base = """
    [model]
    classes = 3
    per_class = 4
    widths = [6]
    [regularization]
    lambda_h = 0.01
    lambda_w = 0.01
    [optimizer]
    steps = 40
    learning_rate = 0.1
    [init]
    scale = 0.3
    [log]
    every = 20
    """

    init(sweep: String, base: String = SweepFixture.base) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try base.write(to: folder.appendingPathComponent("base.toml"), atomically: true, encoding: .utf8)
        try sweep.write(to: sweepURL, atomically: true, encoding: .utf8)
    }

    var sweepURL: URL { folder.appendingPathComponent("sweep.toml") }
    func out(_ name: String) -> SweepDirectory { SweepDirectory(folder.appendingPathComponent(name)) }

    func spec() throws -> SweepSpec { try SweepSpec.load(sweepURL) }
    func plan() throws -> SweepPlan { try SweepPlan(spec: try spec()) }

    /// Runs the sweep into `name` and returns the collected table.
    @discardableResult
    func run(_ name: String, jobs: Int = 1, shard: Shard = .whole, keep: KeepMode = .summary) throws -> (SweepRunReport, SweepResultsTable) {
        let plan = try plan()
        let dir = out(name)
        try dir.prepare(plan, sweepText: try String(contentsOf: sweepURL, encoding: .utf8))
        var o = SweepOptions()
        o.jobs = jobs
        o.shard = shard
        o.keep = keep
        let r = try SweepRunner.run(plan, in: dir, options: o) { _ in }
        return (r, try SweepCollect.gather(dir))
    }

    /// results.csv text without the timing columns.
    static func withoutTiming(_ t: SweepResultsTable) -> String {
        SweepResults.csv(columns: t.columns.filter { !SweepResults.timing.contains($0) }, rows: t.rows)
    }
}

/// The error message of `body`, or nil when it does not throw.
func errorMessage(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}
