import ArgumentParser
import Foundation
import Formats
import Linalg
import UFM

/// `collapse bench ufm`: full-batch gradient descent on the deep UFM through this toolkit's run loop
/// (`UFMTrainer`, the code path of `collapse run`) next to a straightforward NumPy implementation
/// (`bench/ufm_gd.py`) started from the same init .npz for the same steps, checking that both end at the
/// same objective; then steps and seconds of gd, momentum and L-BFGS to the plain UFM optimum.
struct BenchUFM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ufm",
        abstract: "UFM gradient descent iterations/s vs NumPy (same init, same steps), and time to the plain UFM optimum.",
        discussion: """
        Case a: K=4, n=50, widths [20, 20], ReLU, 1 thread. Case b: K=10, n=500, widths [512, 512], ReLU, 2 threads. Both: MSE, no bias, λ = 0.005, η = 0.1, init N(0, 0.1²) from seed 0, written to an .npz that both sides read. The toolkit's figure is iterations / optimization seconds of UFMTrainer.run (which also evaluates f every step for its divergence check); NumPy's loop computes only the gradient step. Each side runs --repeats times from the same init and the best time counts; the final objectives must agree to 1e-9 relative.

        Case c: steps and seconds of gd, momentum, Nesterov and L-BFGS to the plain UFM's optimum c − c²/2 (K=4, n=50, d=20, λ=0.005) within 1e-10 relative.

        """
    )

    @OptionGroup var options: BenchOptions
    @Option(help: "GD steps for case a.")
    var smallSteps = 20_000
    @Option(help: "GD steps for case b.")
    var largeSteps = 10
    @Option(help: "Runs per side from the same init; the best time counts (robust on a shared machine).")
    var repeats = 3
    @Option(parsing: .upToNextOption, help: "Cases to run: a, b, c.")
    var cases: [String] = ["a", "b", "c"]

    func run() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("collapse-bench-ufm-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        print("case  model                          threads   steps   toolkit it/s    NumPy it/s   ratio   objective rel. diff")
        if cases.contains("a") {
            try gdCase("a", spec: ModelSpec(classes: 4, perClass: 50, widths: [20, 20], activation: .relu, loss: .mse,
                                            bias: false, lambdaH: 0.005, lambdaW: [0.005]),
                       threads: 1, steps: smallSteps, dir: tmp)
        }
        if cases.contains("b") {
            try gdCase("b", spec: ModelSpec(classes: 10, perClass: 500, widths: [512, 512], activation: .relu, loss: .mse,
                                            bias: false, lambdaH: 0.005, lambdaW: [0.005]),
                       threads: 2, steps: largeSteps, dir: tmp)
        }
        if cases.contains("c") { convergenceTable() }
    }

    private func gdCase(_ name: String, spec: ModelSpec, threads: Int, steps: Int, dir: URL) throws {
        var config = UFMConfig(model: spec)
        config.optimizer.method = .gd
        config.optimizer.learningRate = 0.1
        config.optimizer.steps = steps
        config.log.every = steps
        config.run.threads = threads
        let start = UFMParameters.random(spec: spec, seed: 0, scale: 0.1)
        let initFile = dir.appendingPathComponent("init-\(name).npz")
        try NPZ.write(start.arrays().map { (name: $0.0, array: $0.1) }, to: initFile)

        var reference: (rate: Double, objective: Double)? = nil
        if !options.noReference {
            let r = try PythonReference.run(
                options, script: "ufm_gd.py",
                arguments: ["--init", initFile.path, "--classes", "\(spec.classes)", "--per-class", "\(spec.perClass)",
                            "--lambda-h", "\(spec.lambdaH)", "--lambda-w", "\(spec.lambdaW[0])", "--lr", "0.1",
                            "--steps", "\(steps)", "--activation", spec.activation.rawValue, "--repeats", "\(repeats)"],
                environment: ["OPENBLAS_NUM_THREADS": "\(threads)", "OMP_NUM_THREADS": "\(threads)"])
            if let rate = r["iterations_per_second"] as? Double, let f = r["objective"] as? Double { reference = (rate, f) }
        }

        let previous = BLASThreads.count
        BLASThreads.count = threads
        defer { BLASThreads.count = previous }
        var best: TrainingOutcome? = nil
        for _ in 0..<max(1, repeats) {
            let outcome = try UFMTrainer(config: config, start: start).run(onLog: { _ in })
            if best == nil || outcome.optimizationSeconds < best!.optimizationSeconds { best = outcome }
        }
        let outcome = best!
        let ours = Double(outcome.iterations) / outcome.optimizationSeconds
        let model = "K=\(spec.classes) n=\(spec.perClass) d=\(spec.widths) \(spec.activation.rawValue)"
        var line = String(format: "%@     %@ %7d %7d   %12.1f  ", name, model.padding(toLength: 30, withPad: " ", startingAt: 0),
                          threads, steps, ours)
        if let ref = reference {
            let rel = abs(outcome.objective - ref.objective) / abs(ref.objective)
            line += String(format: "%12.1f  %6.2f×   %.2e %@", ref.rate, ours / ref.rate, rel, rel <= 1e-9 ? "(agree)" : "(DISAGREE > 1e-9)")
        } else {
            line += "           -       -   -"
        }
        print(line)
        if let ref = reference, abs(outcome.objective - ref.objective) > 1e-9 * abs(ref.objective) {
            throw PythonReference.Failure(description: "case \(name): final objectives differ: toolkit \(outcome.objective), NumPy \(ref.objective)")
        }
    }

    /// Steps and seconds to reach the plain UFM's global minimum c − c²/2 (Tirer & Bruna, ICML 2022,
    /// Thm. 3.1) within 1e-10 relative, from the same N(0, 0.1²) start, one thread.
    private func convergenceTable() {
        let spec = ModelSpec(classes: 4, perClass: 50, widths: [20], activation: .none, loss: .mse, bias: false,
                             lambdaH: 0.005, lambdaW: [0.005])
        let c = Double(spec.classes) * (Double(spec.perClass) * spec.lambdaH * spec.lambdaW[0]).squareRoot()
        let optimum = c - c * c / 2
        let previous = BLASThreads.count
        BLASThreads.count = 1
        defer { BLASThreads.count = previous }
        print("\nplain UFM (K=4, n=50, d=20, λ_H=λ_W=0.005, no bias) to c − c²/2 = \(optimum) within 1e-10 relative, 1 thread")
        print("method                          steps  evaluations     seconds")
        let dim = ParameterLayout(spec: spec).count
        let methods: [(String, () -> Minimizer)] = [
            ("gd (η = 0.1)", { GradientDescent(learningRate: 0.1) }),
            ("momentum (η = 0.1, μ = 0.9)", { Momentum(dimension: dim, learningRate: 0.1, momentum: 0.9, nesterov: false) }),
            ("nesterov (η = 0.1, μ = 0.9)", { Momentum(dimension: dim, learningRate: 0.1, momentum: 0.9, nesterov: true) }),
            ("lbfgs (m = 10)", { LBFGS(dimension: dim) }),
        ]
        for (name, make) in methods {
            let f = UFMObjective(spec: spec)
            let m = make()
            let t0 = monotonicSeconds()
            var it = Iterate(x: UFMParameters.random(spec: spec, seed: 0, scale: 0.1).values, on: f)
            while abs(it.value - optimum) > 1e-10 * optimum, it.step < 200_000 {
                if case .stalled = m.advance(&it, on: f) { break }
            }
            let dt = monotonicSeconds() - t0
            let reached = abs(it.value - optimum) <= 1e-10 * optimum
            print(name.padding(toLength: 30, withPad: " ", startingAt: 0)
                  + String(format: " %6d  %11d  %10.4f%@", it.step, it.evaluations, dt, reached ? "" : "  (not reached)"))
        }
    }
}
