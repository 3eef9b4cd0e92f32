import Foundation
import Linalg
import Report
import Testing
@testable import UFM

/// The closed forms against themselves and against the shared objective, without any optimizer:
/// the 1-D problems' stationarity and thresholds, and f(collapsedParameters()) == objective.
@Suite struct TheoryClosedFormTests {
    /// g'(s*) = 0, s* is the larger root, and g(s*) < 1/2 exactly when κ < κ_crit, for L = 1 … 6.
    @Test(arguments: 1...6)
    func scalarProblemStationarityAndThreshold(depth: Int) {
        let crit = DNCScalarProblem(depth: depth, kappa: 0).threshold
        for fraction in [1e-6, 0.01, 0.3, 0.9, 0.999, 1.001, 1.5] {
            let p = DNCScalarProblem(depth: depth, kappa: fraction * crit)
            if fraction < 1 {
                #expect(p.collapses)
                let s = p.minimizer
                #expect(s > 0 && s < 1)
                #expect(abs(p.derivative(at: s)) <= 1e-12, "L = \(depth), κ = \(p.kappa): g'(s*) = \(p.derivative(at: s))")
                #expect(p.minimum < 0.5)
                #expect(abs(p.minimum - p.value(at: s)) <= 1e-15)
                // s* is the global minimizer on [0, 1]: no grid point is lower.
                for i in 0...2000 { #expect(p.value(at: Double(i) / 2000) >= p.minimum - 1e-15) }
            } else {
                #expect(!p.collapses)
                #expect(p.minimizer == 0 && p.minimum == 0.5)
                for i in 1...2000 { #expect(p.value(at: Double(i) / 2000) >= 0.5 - 1e-15) }
            }
        }
    }

    /// At the threshold the non-zero stationary point s_0 = (L−1)/L ties with s = 0 (g = 1/2).
    @Test(arguments: 2...6)
    func thresholdIsATie(depth: Int) {
        let crit = DNCScalarProblem(depth: depth, kappa: 0).threshold
        let p = DNCScalarProblem(depth: depth, kappa: crit)
        let s0 = Double(depth - 1) / Double(depth)
        #expect(abs(p.derivative(at: s0)) <= 1e-14)
        #expect(abs(p.value(at: s0) - 0.5) <= 1e-14)
    }

    /// L = 1: s* = 1 − c and min g = c − c²/2 (Tirer & Bruna, Thm. 3.1).
    @Test func depthOneIsTirerBruna() {
        for c in [0.01, 0.5, 0.99] {
            let p = DNCScalarProblem(depth: 1, kappa: c)
            #expect(abs(p.minimizer - (1 - c)) <= 1e-15)
            #expect(abs(p.minimum - (c - c * c / 2)) <= 1e-15)
        }
    }

    /// Small κ keeps full relative precision in 1 − s* (≈ κ for every L).
    @Test func tinyKappa() {
        for depth in 2...5 {
            let p = DNCScalarProblem(depth: depth, kappa: 1e-12)
            let u = p.largerRootComplement!
            #expect(abs(u - 1e-12) <= 1e-12 * 1e-9, "u* = \(u)")
        }
    }

    /// The CE closed form against a golden-section minimization of F(m) = log(1 + (K−1)e^{−m}) + ((K−1)/K)·c·m.
    @Test func crossEntropyClosedFormIsTheMinimumOfF() {
        for K in [2, 3, 10] {
            for c in [0.001, 0.2, 0.7, 0.999, 1.0, 3.0] {
                let etf = CrossEntropyETF(classes: K, c: c)
                var lo = 0.0, hi = 60.0
                let r = (5.0.squareRoot() - 1) / 2
                for _ in 0..<300 {
                    let a = hi - r * (hi - lo), b = lo + r * (hi - lo)
                    if etf.value(at: a) < etf.value(at: b) { hi = b } else { lo = a }
                }
                let numeric = etf.value(at: (lo + hi) / 2)
                #expect(abs(etf.minimum - numeric) <= 1e-13 * max(1, numeric), "K = \(K), c = \(c)")
                #expect(abs(etf.value(at: etf.minimizer) - etf.minimum) <= 1e-14)
                #expect(etf.collapses == (c < 1))
            }
        }
    }

    /// Every covered configuration: the explicit collapsed point has objective == prediction (to rounding),
    /// zero gradient (it is a stationary point), and the scale identities a_{l+1} = a_l·b_l, a_L·b_L = s*²,
    /// n·λ_H·a_1 = λ_{W_l}·b_l hold.
    @Test(arguments: coveredSpecs)
    func collapsedPointAttainsThePrediction(spec: ModelSpec) throws {
        let p = try Theory.predict(spec)
        let f = UFMObjective(spec: spec)
        let e = f.evaluate(p.collapsedParameters())
        #expect(abs(e.objective - p.objective) <= 1e-13 * p.objective, "\(spec): f = \(e.objective), predicted \(p.objective)")
        let gnorm = e.gradient.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(gnorm <= 1e-12, "\(spec): ‖∇f‖ = \(gnorm) at the collapsed point")
        let a = p.featureScales, b = p.weightScales
        for l in 1..<spec.depth { #expect(abs(a[l] - a[l - 1] * b[l - 1]) <= 1e-14 * a[l]) }
        #expect(abs(a[spec.depth - 1] * b[spec.depth - 1] - p.sStar * p.sStar) <= 1e-13 * max(p.sStar * p.sStar, 1e-300))
        for l in 0..<spec.depth {
            let lhs = Double(spec.perClass) * spec.lambdaH * a[0], rhs = spec.lambdaW[l] * b[l]
            #expect(abs(lhs - rhs) <= 1e-14 * max(lhs, 1e-300))
        }
    }

    /// The collapsed point's Gram matrices are a_l·G and its weights' W_lW_lᵀ have eigenvalues b_l (rank K or K−1).
    @Test(arguments: coveredSpecs)
    func collapsedPointHasThePredictedGrams(spec: ModelSpec) throws {
        let p = try Theory.predict(spec)
        guard p.regime == .collapse else { return }
        let point = p.collapsedParameters()
        let feats = UFMObjective(spec: spec).features(point)
        for l in 1...spec.depth {
            let means = classMeans(feats[l - 1], spec: spec)
            expectGram(Matrix.product(means, transposeA: true, means), scale: p.featureScales[l - 1], geometry: p.geometry,
                       tolerance: 1e-13, "H̄_\(l) of \(spec)")
            let w = point.w(l)
            expectWeightSpectrum(Matrix.product(w, w, transposeB: true), scale: p.weightScales[l - 1], geometry: p.geometry,
                                 classes: spec.classes, tolerance: 1e-12, "W_\(l) of \(spec)")
        }
    }

    /// Coverage: what throws, and with which reason.
    @Test func configurationsWithoutAClosedForm() {
        func reason(_ s: ModelSpec) -> String? {
            do { _ = try Theory.predict(s); return nil } catch { return error.description }
        }
        let ceDeep = ModelSpec(classes: 3, perClass: 2, widths: [4, 4], activation: .relu, loss: .ce, bias: true, lambdaH: 0.01, lambdaW: [0.01])
        #expect(reason(ceDeep)?.contains("cross-entropy with depth L = 2") == true)
        let reluBias = ModelSpec(classes: 3, perClass: 2, widths: [4, 4], activation: .relu, loss: .mse, bias: true, lambdaH: 0.01, lambdaW: [0.01])
        #expect(reason(reluBias)?.contains("ReLU with an output bias") == true)
        let narrow = ModelSpec(classes: 4, perClass: 2, widths: [5, 3], activation: .none, loss: .mse, bias: false, lambdaH: 0.01, lambdaW: [0.01])
        #expect(reason(narrow)?.contains("min_l d_l = 3 < K = 4") == true)
        let narrowBias = ModelSpec(classes: 4, perClass: 2, widths: [2], activation: .none, loss: .mse, bias: true, lambdaH: 0.01, lambdaW: [0.01])
        #expect(reason(narrowBias)?.contains("d_1 = 2 < K − 1 = 3") == true)
        let ceNarrow = ModelSpec(classes: 4, perClass: 2, widths: [2], activation: .none, loss: .ce, bias: false, lambdaH: 0.01, lambdaW: [0.01])
        #expect(reason(ceNarrow)?.contains("d_1 = 2 < K − 1 = 3") == true)
        let zeroLambda = ModelSpec(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .mse, bias: false, lambdaH: 0, lambdaW: [0.01])
        #expect(reason(zeroLambda)?.hasPrefix("no closed form for this configuration: a regularization parameter is 0") == true)
        let negative = ModelSpec(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .mse, bias: false, lambdaH: -1, lambdaW: [0.01])
        #expect(reason(negative)?.contains("λ_H = -1.0 must be finite") == true)
        let oneClass = ModelSpec(classes: 1, perClass: 2, widths: [4], lambdaH: 0.01, lambdaW: [0.01])
        #expect(reason(oneClass)?.contains("K = 1 classes") == true)
        let wrongCount = ModelSpec(classes: 3, perClass: 2, widths: [4, 4, 4], lambdaH: 0.01, lambdaW: [0.01, 0.01])
        #expect(reason(wrongCount)?.contains("2 values of λ_W for depth L = 3") == true)
        #expect(throws: TheoryError.self) { try Theory.predict(ceDeep) }
    }

    /// Status: global where a theorem (or docs/theory.md) proves the value optimal, dnc-candidate only for
    /// ReLU with K ≥ 3 and L ≥ 3.
    @Test func statuses() throws {
        func status(_ K: Int, _ L: Int, _ act: Activation, bias: Bool = false) throws -> TheoryPrediction.Status {
            try Theory.predict(ModelSpec(classes: K, perClass: 2, widths: Array(repeating: K + 1, count: L), activation: act,
                                         loss: .mse, bias: bias, lambdaH: 0.01, lambdaW: [0.01])).status
        }
        #expect(try status(5, 1, .relu) == .global)
        #expect(try status(5, 2, .relu) == .global)
        #expect(try status(2, 7, .relu) == .global)
        #expect(try status(3, 3, .relu) == .dncCandidate)
        #expect(try status(10, 4, .relu) == .dncCandidate)
        #expect(try status(10, 6, .none) == .global)
        #expect(try status(4, 3, .none, bias: true) == .global)
        #expect(try status(4, 1, .relu, bias: true) == .global)
    }

    /// The numbers of the K = 10, L = 4, λ = 0.004, n = 1 configuration (Súkeník et al. 2024), by hand:
    /// μ = 0.004, κ = 0.04, κ_crit = (3/4)^{3/5}/4.
    @Test func lowRankConfigurationNumbers() throws {
        let p = try Theory.predict(lowRankSpec)
        #expect(p.status == .dncCandidate && p.regime == .collapse)
        #expect(abs(p.control - 0.04) <= 1e-15)
        #expect(abs(p.threshold - pow(0.75, 0.6) / 4) <= 1e-15)
        let g = DNCScalarProblem(depth: 4, kappa: 0.04)
        #expect(abs(p.objective - g.minimum) <= 1e-14 * g.minimum && abs(p.sStar - g.minimizer) <= 1e-14)
        #expect(abs(p.objective - 0.0991798746355951) <= 1e-13)
    }

    /// JSON keys of the contract (`collapse theory --json`, summary.json's `theory`).
    @Test func jsonKeys() throws {
        let spec = ModelSpec(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .mse, bias: true, lambdaH: 0.01, lambdaW: [0.02])
        let j = Theory.json(for: spec)
        #expect(j["closed_form"] == .bool(true))
        for key in ["objective", "regime", "status", "threshold", "scale", "s_star", "margin", "geometry", "reference", "bias"] {
            #expect(j[key] != nil, "missing \(key)")
        }
        #expect(j["regime"] == "collapse" && j["status"] == "global" && j["geometry"] == "simplex-etf")
        #expect(j["scale"]?["features"] != nil && j["scale"]?["weights"] != nil && j["scale"]?["output"] != nil)
        let none = Theory.json(for: ModelSpec(classes: 3, perClass: 2, widths: [4, 4], activation: .none, loss: .ce, bias: true,
                                              lambdaH: 0.01, lambdaW: [0.02]))
        #expect(none["closed_form"] == .bool(false))
        if case .string(let r)? = none["reason"] { #expect(r.hasPrefix("no closed form for this configuration:")) } else { Issue.record("no reason") }
    }
}

/// Configurations with a closed form, in both regimes and every geometry (incl. d = K − 1 with a bias).
let coveredSpecs: [ModelSpec] = [
    ModelSpec(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .mse, bias: false, lambdaH: 0.01, lambdaW: [0.02]),
    ModelSpec(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .mse, bias: false, lambdaH: 0.3, lambdaW: [0.3]),
    ModelSpec(classes: 4, perClass: 3, widths: [3], activation: .relu, loss: .mse, bias: true, lambdaH: 0.01, lambdaW: [0.005]),
    ModelSpec(classes: 4, perClass: 3, widths: [6], activation: .none, loss: .mse, bias: true, lambdaH: 0.01, lambdaW: [0.005]),
    ModelSpec(classes: 3, perClass: 2, widths: [5, 4], activation: .none, loss: .mse, bias: false, lambdaH: 0.01, lambdaW: [0.02, 0.005]),
    ModelSpec(classes: 3, perClass: 2, widths: [5, 4, 3], activation: .relu, loss: .mse, bias: false, lambdaH: 0.01, lambdaW: [0.02, 0.005, 0.01]),
    ModelSpec(classes: 3, perClass: 2, widths: [2, 4, 2], activation: .none, loss: .mse, bias: true, lambdaH: 0.01, lambdaW: [0.02, 0.005, 0.01]),
    ModelSpec(classes: 3, perClass: 2, widths: [5, 4, 3], activation: .relu, loss: .mse, bias: false, lambdaH: 0.2, lambdaW: [0.2]),
    ModelSpec(classes: 3, perClass: 2, widths: [2], activation: .none, loss: .ce, bias: true, lambdaH: 0.01, lambdaW: [0.02]),
    ModelSpec(classes: 4, perClass: 2, widths: [6], activation: .relu, loss: .ce, bias: false, lambdaH: 0.05, lambdaW: [0.05]),
    ModelSpec(classes: 3, perClass: 2, widths: [4], activation: .none, loss: .ce, bias: true, lambdaH: 0.3, lambdaW: [0.3]),
    lowRankSpec,
]

/// Súkeník, Mondelli & Lampert (NeurIPS 2024), Fig. 2 (top): K = 10, L = 4, every λ = 0.004, widths 30, n = 1.
let lowRankSpec = ModelSpec(classes: 10, perClass: 1, widths: [30, 30, 30, 30], activation: .relu, loss: .mse, bias: false,
                            lambdaH: 0.004, lambdaW: [0.004])
