import Foundation
import Formats

/// The toolkit side of `collapse bench sweep`: a grid of the Tirer & Bruna (ICML 2022) Fig. 4 setting
/// (K = 4, n = 50, widths [20, 20], ReLU, MSE, no bias, GD with η = 0.1, init N(0, 0.3²)) over
/// λ_H × λ_W ∈ [1e-3, 1e-2]² (log-spaced, `side` values each) and `seeds` seeds, run by `SweepRunner`
/// exactly as `collapse sweep --jobs J` runs it (records, scratch run directories and all).
public enum SweepBench {
    /// The base config of every point: metrics only at the first and the last step.
    public static func baseConfig(steps: Int) -> String {
        """
        [model]
        classes = 4
        per_class = 50
        widths = [20, 20]
        activation = "relu"
        loss = "mse"
        bias = false
        [regularization]
        lambda_h = 0.005
        lambda_w = 0.005
        [optimizer]
        method = "gd"
        learning_rate = 0.1
        steps = \(steps)
        [init]
        scale = 0.3
        [log]
        every = \(steps)
        """
    }

    public static func sweepText(side: Int, seeds: Int) -> String {
        """
        title = "bench: Fig. 4 grid"
        base = "base.toml"
        [axes]
        "regularization.lambda_h" = { log = [1e-3, 1e-2], count = \(side) }
        "regularization.lambda_w" = { log = [1e-3, 1e-2], count = \(side) }
        "init.seed" = { seeds = \(seeds) }
        """
    }

    /// One timed sweep.
    public struct Timing: Sendable {
        public var jobs: Int
        public var points: Int
        /// Wall time of `SweepRunner.run`.
        public var seconds: Double
        public var pointsPerSecond: Double { Double(points) / seconds }
        /// Σ over points of (point wall time − time inside the optimizer) ÷ Σ point wall time: what a point
        /// costs beyond its iterations (config, init, metrics at two steps, summary and record files).
        public var pointOverheadFraction: Double
        /// Mean wall seconds per point, and mean optimizer seconds per point.
        public var meanPointSeconds: Double
        public var meanOptimizationSeconds: Double
        /// Final objectives in point order (the same for every J).
        public var objectives: [String]
    }

    /// Runs the grid with `jobs` workers in a fresh directory under `scratch`.
    public static func run(side: Int, seeds: Int, steps: Int, jobs: Int, scratch: URL) throws -> Timing {
        let folder = scratch.appendingPathComponent("jobs-\(jobs)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try AtomicFile.write(baseConfig(steps: steps), to: folder.appendingPathComponent("base.toml"))
        let text = sweepText(side: side, seeds: seeds)
        let spec = try SweepSpec.parse(text, source: folder.appendingPathComponent("sweep.toml").path, directory: folder)
        let plan = try SweepPlan(spec: spec)
        let dir = SweepDirectory(folder.appendingPathComponent("out"))
        try dir.prepare(plan, sweepText: text)
        var options = SweepOptions()
        options.jobs = jobs
        let clock = ContinuousClock()
        let t0 = clock.now
        _ = try SweepRunner.run(plan, in: dir, options: options) { _ in }
        let d = clock.now - t0
        let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        let table = try SweepCollect.gather(dir)
        let wall = table.rows.map { Double($0["seconds"] ?? "") ?? .nan }
        let opt = table.rows.map { Double($0["optimization_seconds"] ?? "") ?? .nan }
        let sumWall = wall.reduce(0, +), sumOpt = opt.reduce(0, +)
        return Timing(jobs: jobs, points: plan.points.count, seconds: seconds,
                      pointOverheadFraction: (sumWall - sumOpt) / sumWall,
                      meanPointSeconds: sumWall / Double(wall.count), meanOptimizationSeconds: sumOpt / Double(opt.count),
                      objectives: table.rows.map { $0["objective"] ?? "" })
    }
}
