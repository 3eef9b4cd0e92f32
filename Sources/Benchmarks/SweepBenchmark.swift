import Foundation
import Sweep

/// `collapse bench sweep`: a grid of the Fig. 4 setting through `collapse sweep`'s runner at 1 and J jobs
/// (`Sweep.SweepBench`), next to the same grid as NumPy GD under multiprocessing with J processes
/// (`bench/sweep_gd.py`), one BLAS thread per point on both sides. Prints points/s of both sides and their
/// ratio, the toolkit's 1 → J scaling, and the per-point overhead outside the optimizer.
public struct SweepBenchmark {
    public var reference: ReferenceSide
    /// λ values per axis (points = side² × seeds).
    public var side = 10
    public var seeds = 2
    public var steps = 10_000
    public var jobs = 2

    public init(reference: ReferenceSide) { self.reference = reference }

    public func run() throws {
        guard side >= 1, seeds >= 1, steps >= 1, jobs >= 1 else { throw BenchmarkError("--side, --seeds, --steps and --jobs must be ≥ 1") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("collapse-bench-sweep-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        print(BLASBanner.toolkit())
        print("grid: \(side * side * seeds) points × \(steps) steps (Fig. 4 setting), one BLAS thread per point")
        let one = try SweepBench.run(side: side, seeds: seeds, steps: steps, jobs: 1, scratch: scratch)
        print(String(format: "toolkit --jobs 1: %.1f s, %.2f points/s", one.seconds, one.pointsPerSecond))
        let many = try SweepBench.run(side: side, seeds: seeds, steps: steps, jobs: jobs, scratch: scratch)
        print(String(format: "toolkit --jobs %d: %.1f s, %.2f points/s", jobs, many.seconds, many.pointsPerSecond))
        guard one.objectives == many.objectives else {
            throw BenchmarkError("the final objectives differ between --jobs 1 and --jobs \(jobs): results must not depend on J")
        }
        var numpyRate: Double? = nil
        if reference.enabled {
            let r = try PythonReference.run(reference, script: "sweep_gd.py",
                                            arguments: ["--side", "\(side)", "--seeds", "\(seeds)", "--steps", "\(steps)", "--processes", "\(jobs)"],
                                            environment: ["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"])
            print(BLASBanner.reference(r))
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
