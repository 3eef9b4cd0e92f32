import ArgumentParser
import Foundation
import Sweep

/// `collapse bench sweep`: a ≥ 200-point grid of the Fig. 4 setting through `collapse sweep`'s runner at
/// 1 and J jobs, next to the same grid as NumPy GD under multiprocessing with J processes
/// (`bench/sweep_gd.py`). Wiring only: the toolkit side is `Sweep.SweepBench`.
struct BenchSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Sweep points/s: the toolkit's --jobs J vs NumPy GD under multiprocessing, 1→J scaling, per-point overhead.",
        discussion: """
        Grid: K=4, n=50, widths [20, 20], ReLU, MSE, no bias, GD η = 0.1, init N(0, 0.3²), λ_H × λ_W log-spaced in [1e-3, 1e-2] (--side values each) × --seeds seeds, --steps steps per point; one BLAS thread per point on both sides. Prints points/s of both sides and their ratio, the toolkit's scaling from 1 to J jobs, and the per-point overhead outside the optimizer.
        """
    )

    @OptionGroup var options: BenchOptions
    @Option(help: "λ values per axis (points = side² × seeds).")
    var side = 10
    @Option(help: "Seeds per (λ_H, λ_W).")
    var seeds = 2
    @Option(help: "GD steps per point.")
    var steps = 10_000
    @Option(help: "Jobs (toolkit) and processes (NumPy).")
    var jobs = 2

    func run() throws {
        guard side >= 1, seeds >= 1, steps >= 1, jobs >= 1 else { throw ValidationError("--side, --seeds, --steps and --jobs must be ≥ 1") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("collapse-bench-sweep-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let n = side * side * seeds
        print("grid: \(n) points × \(steps) steps (Fig. 4 setting), one BLAS thread per point")
        let one = try SweepBench.run(side: side, seeds: seeds, steps: steps, jobs: 1, scratch: scratch)
        print(String(format: "toolkit --jobs 1: %.1f s, %.2f points/s", one.seconds, one.pointsPerSecond))
        let many = try SweepBench.run(side: side, seeds: seeds, steps: steps, jobs: jobs, scratch: scratch)
        print(String(format: "toolkit --jobs %d: %.1f s, %.2f points/s", jobs, many.seconds, many.pointsPerSecond))
        guard one.objectives == many.objectives else {
            throw ValidationError("the final objectives differ between --jobs 1 and --jobs \(jobs): results must not depend on J")
        }
        var numpyRate: Double? = nil
        if !options.noReference {
            let r = try PythonReference.run(options, script: "sweep_gd.py",
                                            arguments: ["--side", "\(side)", "--seeds", "\(seeds)", "--steps", "\(steps)", "--processes", "\(jobs)"],
                                            environment: ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"])
            numpyRate = r["points_per_second"] as? Double
            if let s = r["seconds"] as? Double, let rate = numpyRate {
                print(String(format: "NumPy, multiprocessing with %d processes: %.1f s, %.2f points/s", jobs, s, rate))
            }
        }
        print("")
        print("| measure | value | target |")
        print("|---|---|---|")
        print(String(format: "| toolkit points/s (--jobs %d) | %.2f | |", jobs, many.pointsPerSecond))
        if let r = numpyRate {
            print(String(format: "| NumPy points/s (%d processes) | %.2f | |", jobs, r))
            print("| toolkit ÷ NumPy | \(ratioText(many.pointsPerSecond, r)) | ≥ 3× |")
        }
        print("| scaling 1 → \(jobs) jobs | \(ratioText(many.pointsPerSecond, one.pointsPerSecond)) | ≥ 1.8× (J = 2) |")
        print(String(format: "| per-point overhead outside the optimizer (--jobs 1) | %.2f %% of %.3f s | < 2 %% |", 100 * one.pointOverheadFraction, one.meanPointSeconds))
        print(String(format: "| per-point overhead outside the optimizer (--jobs %d) | %.2f %% of %.3f s | < 2 %% |", jobs, 100 * many.pointOverheadFraction, many.meanPointSeconds))
        print("\nThe machine's load is not controlled: run it on an idle machine for figures to record.")
    }
}
