import ArgumentParser
import Benchmarks

/// `collapse bench sweep`: a ≥ 200-point grid of the Fig. 4 setting through `collapse sweep`'s runner at
/// 1 and J jobs, next to the same grid as NumPy GD under multiprocessing with J processes
/// (`bench/sweep_gd.py`). Wiring only: the measurement is `Benchmarks.SweepBenchmark`.
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
        var b = SweepBenchmark(reference: options.reference)
        b.side = side
        b.seeds = seeds
        b.steps = steps
        b.jobs = jobs
        try b.run()
    }
}
