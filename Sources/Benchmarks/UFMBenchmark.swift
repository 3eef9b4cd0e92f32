import Foundation
import Formats
import Linalg
import UFM

/// `collapse bench ufm`: full-batch gradient descent on the deep UFM through this toolkit's run loop
/// (`UFMTrainer`, the code path of `collapse run`) next to a straightforward NumPy implementation
/// (`bench/ufm_gd.py`) started from the same init .npz for the same steps, checking that both end at the
/// same objective; then steps and seconds of gd, momentum and L-BFGS to the plain UFM optimum.
/// The method (paired rounds, the BLAS floor) is `collapse bench ufm --help`'s and BENCHMARKS.md's.
public struct UFMBenchmark {
    public var reference: ReferenceSide
    /// GD steps for case a.
    public var smallSteps = 20_000
    /// GD steps for case b.
    public var largeSteps = 10
    /// Rounds per case: a round times NumPy, the toolkit and the BLAS floor back to back from the same init.
    public var rounds = 5
    /// Cases to run: a, b, c.
    public var cases: [String] = ["a", "b", "c"]

    public init(reference: ReferenceSide) { self.reference = reference }

    /// Runs the cases and prints the tables (both sides' BLAS first).
    public func run() throws {
        guard rounds >= 1 else { throw BenchmarkError("--rounds must be at least 1") }
        print(BLASBanner.toolkit())
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("collapse-bench-ufm-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        var results: [CaseResult] = []
        if cases.contains("a") {
            results.append(try gdCase("a", spec: ModelSpec(classes: 4, perClass: 50, widths: [20, 20], activation: .relu,
                                                           loss: .mse, bias: false, lambdaH: 0.005, lambdaW: [0.005]),
                                      threads: 1, steps: smallSteps, dir: tmp))
        }
        if cases.contains("b") {
            results.append(try gdCase("b", spec: ModelSpec(classes: 10, perClass: 500, widths: [512, 512], activation: .relu,
                                                           loss: .mse, bias: false, lambdaH: 0.005, lambdaW: [0.005]),
                                      threads: 2, steps: largeSteps, dir: tmp))
        }
        if !results.isEmpty { printTables(results) }
        if cases.contains("c") { convergenceTable() }
    }

    /// One round's three timings (iterations/s); NumPy's are nil with --no-reference.
    struct Round {
        let toolkit: Double, floor: Double
        let numpy: Double?, numpyProducts: Double?
    }

    /// A GD case: its rounds and the final objectives of both sides.
    struct CaseResult {
        let name: String, spec: ModelSpec, threads: Int, steps: Int, gflopPerStep: Double
        let rounds: [Round]
        let objective: Double, numpyObjective: Double?
    }

    private func gdCase(_ name: String, spec: ModelSpec, threads: Int, steps: Int, dir: URL) throws -> CaseResult {
        var config = UFMConfig(model: spec)
        config.optimizer.method = .gd
        config.optimizer.learningRate = 0.1
        config.optimizer.steps = steps
        config.log.every = steps
        config.run.threads = threads
        let start = UFMParameters.random(spec: spec, seed: 0, scale: 0.1)
        let initFile = dir.appendingPathComponent("init-\(name).npz")
        try NPZ.write(start.arrays().map { (name: $0.0, array: $0.1) }, to: initFile)
        let floor = UFMProductsFloor(spec: spec)

        let previous = BLASThreads.count
        defer { BLASThreads.count = previous }
        var rows: [Round] = []
        var objective = Double.nan, numpyObjective: Double? = nil
        for _ in 0..<rounds {
            var numpy: Double? = nil, numpyProducts: Double? = nil
            if reference.enabled {
                let r = try PythonReference.run(
                    reference, script: "ufm_gd.py",
                    arguments: ["--init", initFile.path, "--classes", "\(spec.classes)", "--per-class", "\(spec.perClass)",
                                "--lambda-h", "\(spec.lambdaH)", "--lambda-w", "\(spec.lambdaW[0])", "--lr", "0.1",
                                "--steps", "\(steps)", "--activation", spec.activation.rawValue, "--repeats", "1"],
                    environment: ["OPENBLAS_NUM_THREADS": "\(threads)", "OMP_NUM_THREADS": "\(threads)"])
                guard let rate = r["iterations_per_second"] as? Double, let f = r["objective"] as? Double else {
                    throw BenchmarkError("bench/ufm_gd.py printed no iterations_per_second or objective")
                }
                if rows.isEmpty { print("case \(name): " + BLASBanner.reference(r)) }
                numpy = rate
                numpyProducts = r["products_iterations_per_second"] as? Double
                numpyObjective = f
            }
            BLASThreads.count = threads
            let outcome = try UFMTrainer(config: config, start: start).run(onLog: { _ in })
            objective = outcome.objective
            let floorRate = floor.iterationsPerSecond(steps: steps, repeats: 1)
            BLASThreads.count = previous
            rows.append(Round(toolkit: Double(outcome.iterations) / outcome.optimizationSeconds, floor: floorRate,
                              numpy: numpy, numpyProducts: numpyProducts))
        }
        if let f = numpyObjective, abs(objective - f) > 1e-9 * abs(f) {
            throw BenchmarkError("case \(name): final objectives differ: toolkit \(objective), NumPy \(f)")
        }
        return CaseResult(name: name, spec: spec, threads: threads, steps: steps, gflopPerStep: floor.flopsPerStep / 1e9,
                          rounds: rows, objective: objective, numpyObjective: numpyObjective)
    }

    /// The speed table (toolkit against NumPy) and the BLAS-floor table: what share of the products-only
    /// speed each side reaches, and floor ÷ NumPy, the largest toolkit/NumPy ratio that any implementation
    /// calling this BLAS for the products could reach on this machine.
    private func printTables(_ results: [CaseResult]) {
        print("GD iterations/s, median of \(rounds) rounds; ratios: median [min–max] of the rounds' paired ratios")
        print("case  model                          threads   steps   toolkit it/s    NumPy it/s   toolkit ÷ NumPy          objective rel. diff")
        for r in results {
            let model = "K=\(r.spec.classes) n=\(r.spec.perClass) d=\(r.spec.widths) \(r.spec.activation.rawValue)"
            var line = r.name + "     " + model.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: " %7d %7d   %12.1f  ", r.threads, r.steps, median(r.rounds.map(\.toolkit)))
            if let f = r.numpyObjective {
                let rel = abs(r.objective - f) / abs(f)
                line += String(format: "%12.1f   ", median(r.rounds.compactMap(\.numpy)))
                    + pairedRatio(r.rounds) { ($0.toolkit, $0.numpy) }.padding(toLength: 23, withPad: " ", startingAt: 0)
                    + String(format: "  %.2e (agree)", rel)
            } else {
                line += "           -   -"
            }
            print(line)
        }
        print("""

        BLAS floor: the step's matrix products alone (same shapes, transpositions, β and threads; no elementwise work)
        case   GFLOP/step   floor it/s   floor GFLOP/s   toolkit ÷ floor         NumPy ÷ floor           NumPy products ÷ floor  floor ÷ NumPy (ceiling)
        """)
        for r in results {
            let floorRate = median(r.rounds.map(\.floor))
            var line = r.name + String(format: "      %10.4f   %10.1f   %13.1f   ", r.gflopPerStep, floorRate, r.gflopPerStep * floorRate)
                + pairedRatio(r.rounds) { ($0.toolkit, $0.floor) }.padding(toLength: 22, withPad: " ", startingAt: 0)
            if r.numpyObjective != nil {
                line += "  " + pairedRatio(r.rounds) { ($0.numpy, $0.floor) }.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + "  " + pairedRatio(r.rounds) { ($0.numpyProducts, $0.floor) }.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + "  " + pairedRatio(r.rounds) { ($0.floor, $0.numpy) }
            }
            print(line)
        }
    }

    /// "median× [min–max]" of x/y over the rounds where both are known.
    private func pairedRatio(_ rounds: [Round], _ pair: (Round) -> (Double?, Double?)) -> String {
        let ratios = rounds.compactMap { r -> Double? in
            let (x, y) = pair(r)
            guard let x, let y, y > 0 else { return nil }
            return x / y
        }
        guard let lo = ratios.min(), let hi = ratios.max() else { return "-" }
        return String(format: "%.2f× [%.2f–%.2f]", median(ratios), lo, hi)
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
