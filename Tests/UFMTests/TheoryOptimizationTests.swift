import Foundation
import Linalg
import Testing
@testable import UFM

/// One configuration checked against optimization: the model, the seeds and the initialization scale.
struct OptimizationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var spec: ModelSpec
    var seeds: [UInt64] = [0, 1, 2, 3]
    var scale = 0.5
    var maxSteps = 3000
    /// Check every level's Gram and every W_lW_lᵀ (unique up to rotation: plain and linear models), or only
    /// the deepest level and W_L (ReLU: pre-activations and H_1 are not unique, Tirer & Bruna Thm. 4.2).
    var allLevels = true
    var testDescription: String { name }
}

/// Every "global" formula against long L-BFGS minimizations of the shared `UFMObjective`, from several
/// seeds, to ‖∇f‖ ≤ 1e-11: the best run agrees with the prediction to 1e-8 relative, no run goes below it,
/// and the best run has the predicted geometry and scales.
@Suite struct TheoryOptimizationTests {
    static let cases: [OptimizationCase] = [
        // Plain UFM, MSE, no bias (Tirer & Bruna Thm. 3.1): c = 3·√(2·0.01·0.02) ≈ 0.06 and c ≈ 1.27.
        .init(name: "plain mse c<1", spec: .init(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .mse, bias: false,
                                                  lambdaH: 0.01, lambdaW: [0.02])),
        .init(name: "plain mse c>1", spec: .init(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .mse, bias: false,
                                                  lambdaH: 0.3, lambdaW: [0.3])),
        // Plain UFM, MSE, unregularized bias: simplex ETF, d = K − 1 and d = K + 1.
        .init(name: "plain mse bias c<1 d=K-1", spec: .init(classes: 4, perClass: 2, widths: [3], activation: .none, loss: .mse, bias: true,
                                                             lambdaH: 0.01, lambdaW: [0.005])),
        .init(name: "plain mse bias c<1", spec: .init(classes: 3, perClass: 3, widths: [4], activation: .relu, loss: .mse, bias: true,
                                                       lambdaH: 0.02, lambdaW: [0.01])),
        .init(name: "plain mse bias c>1", spec: .init(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .mse, bias: true,
                                                       lambdaH: 0.3, lambdaW: [0.3])),
        // Linear depth 2 (Tirer & Bruna Thm. 4.1) and 3 (Dang et al. 2023), unequal λ's.
        .init(name: "linear L=2", spec: .init(classes: 3, perClass: 2, widths: [4, 4], activation: .none, loss: .mse, bias: false,
                                               lambdaH: 0.01, lambdaW: [0.02, 0.005])),
        .init(name: "linear L=3", spec: .init(classes: 3, perClass: 2, widths: [4, 5, 4], activation: .none, loss: .mse, bias: false,
                                               lambdaH: 0.01, lambdaW: [0.02, 0.005, 0.01])),
        // κ = 3·(2·0.12⁴)^{1/4} ≈ 0.428 > max_s s^{1/2}(1 − s) ≈ 0.385: zero is the only stationary point on the
        // ray. (Between κ_crit ≈ 0.272 and 0.385 a collapsed local minimum above 1/2 also exists, and
        // L-BFGS from scale-0.5 starts lands there.)
        .init(name: "linear L=3 zero", spec: .init(classes: 3, perClass: 2, widths: [4, 4, 4], activation: .none, loss: .mse, bias: false,
                                                    lambdaH: 0.12, lambdaW: [0.12])),
        // Deep linear with unregularized bias (docs/theory.md §3).
        .init(name: "linear L=2 bias", spec: .init(classes: 3, perClass: 2, widths: [4, 4], activation: .none, loss: .mse, bias: true,
                                                    lambdaH: 0.01, lambdaW: [0.02, 0.005])),
        // ReLU depth 2 (Tirer & Bruna Thm. 4.2) and ReLU K = 2 at depth 3 (Súkeník et al. 2023).
        .init(name: "relu L=2 K=2", spec: .init(classes: 2, perClass: 2, widths: [3, 3], activation: .relu, loss: .mse, bias: false,
                                                 lambdaH: 0.01, lambdaW: [0.02, 0.005]), allLevels: false),
        .init(name: "relu L=2 K=3", spec: .init(classes: 3, perClass: 2, widths: [4, 4], activation: .relu, loss: .mse, bias: false,
                                                 lambdaH: 0.01, lambdaW: [0.02, 0.005]), allLevels: false),
        // Deep ReLU has spurious local minima (e.g. 0.2736 and 0.0570 for L = 3 below, and the zero point,
        // always a local minimum at L ≥ 2); the seeds and scale are chosen so that some runs reach the
        // global one, and no run may go below it.
        .init(name: "relu L=3 K=2", spec: .init(classes: 2, perClass: 2, widths: [4, 4, 4], activation: .relu, loss: .mse, bias: false,
                                                 lambdaH: 0.01, lambdaW: [0.02, 0.005, 0.01]),
              seeds: Array(0..<6), scale: 1.0, allLevels: false),
        .init(name: "relu L=4 K=2", spec: .init(classes: 2, perClass: 2, widths: [4, 4, 4, 4], activation: .relu, loss: .mse, bias: false,
                                                 lambdaH: 0.01, lambdaW: [0.02, 0.005, 0.01, 0.01]),
              seeds: Array(0..<8), scale: 1.0, allLevels: false),
        // Cross-entropy, plain UFM (Zhu et al. 2021), with and without bias, c < 1 and c > 1.
        .init(name: "ce bias c<1", spec: .init(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .ce, bias: true,
                                                lambdaH: 0.01, lambdaW: [0.02])),
        .init(name: "ce bias c<1 d=K-1", spec: .init(classes: 4, perClass: 2, widths: [3], activation: .none, loss: .ce, bias: true,
                                                      lambdaH: 0.05, lambdaW: [0.05])),
        .init(name: "ce bias c>1", spec: .init(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .ce, bias: true,
                                                lambdaH: 0.3, lambdaW: [0.3])),
        .init(name: "ce no bias c<1", spec: .init(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .ce, bias: false,
                                                   lambdaH: 0.01, lambdaW: [0.02])),
    ]

    @Test(arguments: cases)
    func optimizationReachesThePrediction(_ c: OptimizationCase) throws {
        let p = try Theory.predict(c.spec)
        #expect(p.status == .global)
        let runs = minimizeFromSeeds(c.spec, seeds: c.seeds, scale: c.scale, maxSteps: c.maxSteps)
        let best = try #require(runs.min { $0.objective < $1.objective })
        let rel = abs(best.objective - p.objective) / p.objective
        #expect(rel <= 1e-8, "\(c.name): best f = \(best.objective) (‖∇f‖ = \(best.gradientNorm)), predicted \(p.objective), rel \(rel)")
        for r in runs {
            #expect(r.objective >= p.objective * (1 - 1e-10), "\(c.name): a run reached \(r.objective) below the global value \(p.objective)")
        }
        checkGeometry(best, prediction: p, case: c)
    }

    /// The best run's class means and weights have the predicted Grams (rotation-invariant quantities).
    func checkGeometry(_ run: UFMSolution, prediction p: TheoryPrediction, case c: OptimizationCase) {
        let spec = c.spec
        let tol = 1e-6
        if p.regime == .zero {
            let largest = run.parameters.values.enumerated()
                .filter { i, _ in run.parameters.layout.bias.map { i < $0.offset } ?? true }
                .map { abs($0.1) }.max() ?? 0
            #expect(largest <= 1e-6, "\(c.name): zero regime but max |θ| = \(largest)")
            if let b = run.parameters.b, let pb = p.bias, spec.loss == .mse {
                for k in 0..<spec.classes { #expect(abs(b[k] - pb[k]) <= 1e-6) }
            }
            return
        }
        let feats = UFMObjective(spec: spec).features(run.parameters)
        let levels = c.allLevels ? Array(1...spec.depth) : [spec.depth]
        for l in levels {
            let z = feats[l - 1]
            if c.allLevels { #expect(withinClassSpread(z, spec: spec) <= tol * p.featureScales[l - 1].squareRoot(), "\(c.name): Z_\(l) not collapsed") }
            let means = classMeans(z, spec: spec)
            expectGram(Matrix.product(means, transposeA: true, means), scale: p.featureScales[l - 1], geometry: p.geometry,
                       tolerance: tol, "\(c.name): H̄_\(l)")
            let w = run.parameters.w(l)
            expectWeightSpectrum(Matrix.product(w, w, transposeB: true), scale: p.weightScales[l - 1], geometry: p.geometry,
                                 classes: spec.classes, tolerance: tol, "\(c.name): W_\(l)W_\(l)ᵀ")
        }
        if let b = run.parameters.b, spec.loss == .mse {
            // MSE with bias: b = 1_K/K (the centered features have zero global mean).
            for k in 0..<spec.classes { #expect(abs(b[k] - 1 / Double(spec.classes)) <= tol, "\(c.name): b = \(b)") }
        }
    }
}
