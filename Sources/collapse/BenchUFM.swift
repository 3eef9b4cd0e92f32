import ArgumentParser
import Benchmarks

/// `collapse bench ufm`: full-batch gradient descent on the deep UFM through this toolkit's run loop
/// (`UFMTrainer`, the code path of `collapse run`) next to a straightforward NumPy implementation
/// (`bench/ufm_gd.py`) started from the same init .npz for the same steps, checking that both end at the
/// same objective; then steps and seconds of gd, momentum and L-BFGS to the plain UFM optimum.
struct BenchUFM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ufm",
        abstract: "UFM gradient descent iterations/s vs NumPy (same init, same steps), and time to the plain UFM optimum.",
        discussion: """
        Case a: K=4, n=50, widths [20, 20], ReLU, 1 thread. Case b: K=10, n=500, widths [512, 512], ReLU, 2 threads. Both: MSE, no bias, λ = 0.005, η = 0.1, init N(0, 0.1²) from seed 0, written to an .npz that both sides read. The toolkit's figure is iterations / optimization seconds of UFMTrainer.run (which also evaluates f every step for its divergence check); NumPy's loop computes only the gradient step. Each case runs --rounds rounds; a round times NumPy, the toolkit and the BLAS floor back to back, and every ratio is the median [min–max] of the rounds' paired ratios. The final objectives must agree to 1e-9 relative.

        Then the BLAS floor of each case: the step's matrix products alone, with the same shapes, transpositions, β and threads, and no elementwise work (the NumPy side times its products the same way). No implementation that calls this BLAS for the products can beat it, so floor ÷ NumPy is the largest toolkit/NumPy ratio reachable on this machine, and toolkit/floor is the share of the BLAS-bound speed the toolkit reaches.

        Case c: steps and seconds of gd, momentum, Nesterov and L-BFGS to the plain UFM's optimum c − c²/2 (K=4, n=50, d=20, λ=0.005) within 1e-10 relative.

        """
    )

    @OptionGroup var options: BenchOptions
    @Option(help: "GD steps for case a.")
    var smallSteps = 20_000
    @Option(help: "GD steps for case b.")
    var largeSteps = 10
    @Option(help: """
        Rounds per case. A round times NumPy, the toolkit and the BLAS floor back to back from the same init; \
        the tables give medians, and each ratio is the median (and range) of the rounds' paired ratios, \
        which a shared machine's slow drifts cancel out of.
        """)
    var rounds = 5
    @Option(parsing: .upToNextOption, help: "Cases to run: a, b, c.")
    var cases: [String] = ["a", "b", "c"]

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    func run() throws {
        var b = UFMBenchmark(reference: options.reference)
        b.smallSteps = smallSteps
        b.largeSteps = largeSteps
        b.rounds = rounds
        b.cases = cases
        try b.run()
    }
}
