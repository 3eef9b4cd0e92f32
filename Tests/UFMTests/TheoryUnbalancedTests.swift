import Foundation
import Linalg
import Testing
@testable import UFM

/// Class means of class-major features Z (d×N) with any counts: column k is the mean of class k's samples.
func unbalancedClassMeans(_ z: Matrix<Double>, spec: ModelSpec) -> Matrix<Double> {
    Matrix(rows: z.rows, cols: spec.classes) { i, k in
        var s = 0.0, c = 0
        for j in 0..<spec.samples where spec.label(ofSample: j) == k { s += z[i, j]; c += 1 }
        return s / Double(c)
    }
}

/// The unbalanced MSE closed forms (docs/theory.md §9).
@Suite struct TheoryUnbalancedTests {
    static let lbfgsCases: [OptimizationCase] = [
        // L = 1: N = 9, N²λ_Hλ_W = 81·0.0225 = 1.82, so the class with n = 1 collapses, n = 3 and 5 survive.
        .init(name: "plain minority collapse", spec: .init(classes: 3, counts: [5, 1, 3], widths: [4], activation: .none, loss: .mse,
                                                           lambdaH: 0.15, lambdaW: [0.15])),
        .init(name: "plain all survive", spec: .init(classes: 3, counts: [5, 1, 3], widths: [3], activation: .none, loss: .mse,
                                                     lambdaH: 0.01, lambdaW: [0.03])),
        // Only the two majority classes survive, and d_1 = 2 is enough for them.
        .init(name: "plain narrow survivors", spec: .init(classes: 3, counts: [6, 1, 6], widths: [2], activation: .none, loss: .mse,
                                                          lambdaH: 0.1, lambdaW: [0.1])),
        .init(name: "plain all collapse", spec: .init(classes: 3, counts: [2, 1, 2], widths: [4], activation: .none, loss: .mse,
                                                      lambdaH: 0.5, lambdaW: [0.5])),
        // L = 2, n_crit = (N·ν/κ_crit)^{3/2} ≈ 1.4 with N = 7, ν = 0.075.
        .init(name: "linear L=2 minority collapse", spec: .init(classes: 3, counts: [4, 1, 2], widths: [4, 4], activation: .none, loss: .mse,
                                                                lambdaH: 0.075, lambdaW: [0.075])),
        .init(name: "linear L=3", spec: .init(classes: 3, counts: [4, 1, 2], widths: [4, 5, 4], activation: .none, loss: .mse,
                                              lambdaH: 0.01, lambdaW: [0.02, 0.005, 0.01]), seeds: [0, 1, 2, 3, 4, 5]),
        .init(name: "plain bias", spec: .init(classes: 3, counts: [5, 1, 3], widths: [4], activation: .none, loss: .mse, bias: true,
                                              lambdaH: 0.05, lambdaW: [0.05])),
        .init(name: "plain bias d=K-1", spec: .init(classes: 4, counts: [5, 1, 3, 2], widths: [3], activation: .relu, loss: .mse, bias: true,
                                                    lambdaH: 0.01, lambdaW: [0.02])),
        .init(name: "linear L=2 bias", spec: .init(classes: 3, counts: [4, 1, 2], widths: [4, 4], activation: .none, loss: .mse, bias: true,
                                                   lambdaH: 0.03, lambdaW: [0.03])),
    ]

    /// L = 1, bias-free: the value and the collapse rule against the formulas written out directly.
    @Test(arguments: [([5, 1, 3], 0.15), ([50, 50, 5, 5, 5], 0.004), ([10, 3], 0.05), ([7, 7, 7], 0.3), ([7, 7, 7], 0.03)])
    func plainValueIsTheSoftThresholdFormula(counts: [Int], lambda: Double) throws {
        let spec = ModelSpec(classes: counts.count, counts: counts, widths: [counts.count], activation: .none, loss: .mse,
                             lambdaH: lambda, lambdaW: [lambda * 1.5])
        let N = Double(counts.reduce(0, +)), tau = N * (lambda * lambda * 1.5).squareRoot()
        let expected = counts.map { n -> Double in
            let r = Double(n).squareRoot()
            return 0.5 * pow(min(r, tau), 2) + tau * max(r - tau, 0)
        }.reduce(0, +) / N
        let p = try Theory.predictUnbalanced(spec)
        #expect(abs(p.objective - expected) <= 1e-14 * expected)
        let classes = try #require(p.classPredictions)
        for (k, c) in classes.enumerated() {
            #expect(c.survives == (Double(counts[k]) > N * N * lambda * lambda * 1.5))
            #expect(abs(c.outputScale - max(1 - tau / Double(counts[k]).squareRoot(), 0)) <= 1e-14)
        }
        #expect(abs(Theory.collapseCount(spec) - N * N * lambda * lambda * 1.5) <= 1e-12 * N * N * lambda * lambda)
        if spec.isBalanced {
            // c − c²/2 for c = K·√(n·λ_H·λ_W) < 1, else 1/2 (Tirer & Bruna Thm. 3.1).
            let c = Double(counts.count) * (Double(counts[0]) * lambda * lambda * 1.5).squareRoot()
            #expect(abs(p.objective - (c < 1 ? c - c * c / 2 : 0.5)) <= 1e-14)
        }
    }

    /// On balanced counts the unbalanced (spectral) path gives the balanced closed forms' values and scales.
    @Test(arguments: [(1, false), (1, true), (2, false), (2, true), (3, false), (3, true)])
    func unbalancedPathReducesToTheBalancedForms(depth: Int, bias: Bool) throws {
        for lambda in [0.005, 0.05, 0.4] {
            let spec = ModelSpec(classes: 4, perClass: 3, widths: Array(repeating: 5, count: depth), activation: .none, loss: .mse, bias: bias,
                                 lambdaH: lambda, lambdaW: (1...depth).map { lambda * Double($0) })
            let balanced = try Theory.predict(spec), spectral = try Theory.predictUnbalanced(spec)
            #expect(abs(balanced.objective - spectral.objective) <= 1e-13 * balanced.objective, "λ = \(lambda)")
            #expect(balanced.regime == spectral.regime)
            if !bias, let c = spectral.classPredictions?.first {
                #expect(abs(c.outputScale - balanced.sStar) <= 1e-12)
                #expect(abs(c.meanNorms[0] * c.meanNorms[0] - balanced.featureScales[0]) <= 1e-12 * max(balanced.featureScales[0], 1e-300))
                let bL = balanced.weightScales[depth - 1]
                #expect(abs(c.classifierRowNorm * c.classifierRowNorm - bL) <= 1e-12 * max(bL, 1e-300))
            }
        }
    }

    /// The predicted point attains the predicted value in the shared objective and is stationary there.
    @Test(arguments: lbfgsCases.map(\.spec) + [
        ModelSpec(classes: 3, counts: [4, 1, 2], widths: [4, 4, 4], activation: .relu, loss: .mse, lambdaH: 0.02, lambdaW: [0.02]),
        ModelSpec(classes: 4, counts: [9, 1, 3, 3], widths: [5, 4], activation: .relu, loss: .mse, lambdaH: 0.05, lambdaW: [0.05]),
    ])
    func predictedPointAttainsTheValueAndIsStationary(_ spec: ModelSpec) throws {
        let p = try Theory.predict(spec)
        let e = UFMObjective(spec: spec).evaluate(p.collapsedParameters())
        #expect(abs(e.objective - p.objective) <= 1e-13 * p.objective, "f(point) = \(e.objective), predicted \(p.objective)")
        let g = e.gradient.values.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(g <= 1e-12, "‖∇f‖ = \(g) at the predicted point")
        if spec.activation == .relu, spec.depth > 1 { #expect(p.status == .dncCandidate) } else { #expect(p.status == .global) }
    }

    /// Every "global" unbalanced value against L-BFGS from several seeds: the best run agrees to 1e-8, no
    /// run goes below, and the best run's class means and classifier rows have the predicted norms, with
    /// H̄_lᵀH̄_l and W_LW_Lᵀ diagonal (general orthogonal frame; bias-free).
    @Test(arguments: lbfgsCases)
    func optimizationReachesTheUnbalancedPrediction(_ c: OptimizationCase) throws {
        let p = try Theory.predict(c.spec)
        #expect(p.status == .global)
        let runs = minimizeFromSeeds(c.spec, seeds: c.seeds, scale: c.scale, maxSteps: 5000)
        let best = try #require(runs.min { $0.objective < $1.objective })
        let rel = abs(best.objective - p.objective) / p.objective
        #expect(rel <= 1e-8, "\(c.name): best f = \(best.objective) (‖∇f‖ = \(best.gradientNorm)), predicted \(p.objective)")
        for r in runs { #expect(r.objective >= p.objective * (1 - 1e-10), "\(c.name): a run reached \(r.objective) < \(p.objective)") }
        guard let classes = p.classPredictions else { return }
        let tol = 1e-6
        let feats = UFMObjective(spec: c.spec).features(best.parameters)
        for l in 1...c.spec.depth {
            let m = unbalancedClassMeans(feats[l - 1], spec: c.spec)
            let gram = Matrix.product(m, transposeA: true, m)
            for i in 0..<c.spec.classes {
                for j in 0..<c.spec.classes {
                    let want = i == j ? pow(classes[i].meanNorms[l - 1], 2) : 0
                    #expect(abs(gram[i, j] - want) <= tol * max(gram.trace, 1e-3), "\(c.name): H̄_\(l) Gram[\(i), \(j)] = \(gram[i, j]), want \(want)")
                }
            }
        }
        let w = best.parameters.w(c.spec.depth)
        let wwt = Matrix.product(w, w, transposeB: true)
        for i in 0..<c.spec.classes {
            for j in 0..<c.spec.classes {
                let want = i == j ? pow(classes[i].classifierRowNorm, 2) : 0
                #expect(abs(wwt[i, j] - want) <= tol * max(wwt.trace, 1e-3), "\(c.name): W_L W_Lᵀ[\(i), \(j)] = \(wwt[i, j]), want \(want)")
            }
        }
    }

    @Test func statusesOutsideTheClosedForms() {
        func reason(_ s: ModelSpec) -> String? {
            do { _ = try Theory.predict(s); return nil } catch { if case .noClosedForm(let r) = error { return r }; return "\(error)" }
        }
        let ce = ModelSpec(classes: 3, counts: [4, 1, 2], widths: [4], activation: .none, loss: .ce, lambdaH: 0.01, lambdaW: [0.01])
        #expect(reason(ce)?.contains("SELI") == true)
        let reluBias = ModelSpec(classes: 3, counts: [4, 1, 2], widths: [4, 4], activation: .relu, loss: .mse, bias: true, lambdaH: 0.01, lambdaW: [0.01])
        #expect(reason(reluBias)?.contains("ReLU") == true)
        let narrow = ModelSpec(classes: 3, counts: [4, 1, 2], widths: [2], activation: .none, loss: .mse, lambdaH: 0.001, lambdaW: [0.001])
        #expect(reason(narrow)?.contains("surviving") == true)
        let wrong = ModelSpec(classes: 3, counts: [4, 1], widths: [4], lambdaH: 0.01, lambdaW: [0.01])
        #expect(throws: TheoryError.self) { try Theory.predict(wrong) }
        let zero = ModelSpec(classes: 3, counts: [4, 0, 1], widths: [4], lambdaH: 0.01, lambdaW: [0.01])
        #expect(throws: TheoryError.invalidSpec(reason: "class 1 has n_2 = 0 samples; need n_k ≥ 1")) { try Theory.predict(zero) }
    }
}
