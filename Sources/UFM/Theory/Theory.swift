import Foundation

/// Closed-form predictions for the deep UFM family (docs/theory.md): which configurations have one,
/// the optimal value, the collapsed solution's scales, and whether the value is a proven global minimum.
///
/// | model                              | value                          | status          | source                     |
/// |------------------------------------|--------------------------------|-----------------|----------------------------|
/// | MSE, L = 1, no bias (d ≥ K)        | min g, κ = c                   | global          | Tirer & Bruna Thm 3.1      |
/// | MSE, L = 1, bias (d ≥ K−1)         | (K−1)/K·min g                  | global          | Tirer & Bruna Sec. 3       |
/// | MSE, linear, L ≥ 2, no bias (d ≥ K)| min g                          | global          | T&B Thm 4.1; Dang et al.   |
/// | MSE, linear, L ≥ 2, bias (d ≥ K−1) | (K−1)/K·min g                  | global          | docs/theory.md §3          |
/// | MSE, ReLU, L = 2 (d ≥ K)           | min g                          | global          | Tirer & Bruna Thm 4.2      |
/// | MSE, ReLU, K = 2, any L (d ≥ K)    | min g                          | global          | Súkeník et al. 2023        |
/// | MSE, ReLU, K ≥ 3, L ≥ 3 (d ≥ K)    | min g (the DNC solution only)  | dnc-candidate   | Súkeník et al. 2023, 2024  |
/// | CE, L = 1, with or without bias    | min F (`CrossEntropyETF`)      | global          | Zhu et al. 2021 Thm 3.1    |
///
/// Everything else (CE at depth > 1, ReLU with a bias at depth > 1, a width below K or K−1, a zero λ)
/// throws `TheoryError.noClosedForm` with the reason. At L = 1 the activation is never applied
/// (O = W_1 H_1 + b), so ReLU and linear coincide.
public enum Theory {
    /// The prediction for `spec`, or the reason there is none.
    public static func predict(_ spec: ModelSpec) throws(TheoryError) -> TheoryPrediction {
        try validate(spec)
        if !spec.isBalanced { return try Theory.predictUnbalanced(spec) }
        let K = spec.classes, L = spec.depth
        let linear = spec.activation == .none || L == 1
        let minWidth = spec.widths.min()!
        let widthNames = L == 1 ? "d_1 = \(minWidth)" : "min_l d_l = \(minWidth)"
        guard spec.lambdaH > 0, spec.lambdaW.allSatisfy({ $0 > 0 }) else {
            throw .noClosedForm(reason: "a regularization parameter is 0, so the infimum is approached by unbounded "
                + "parameters and not attained; the closed forms assume λ_H > 0 and every λ_W > 0")
        }
        switch spec.loss {
        case .ce:
            guard L == 1 else {
                throw .noClosedForm(reason: "cross-entropy with depth L = \(L) > 1: no optimal value is known "
                    + "(Zhu et al. 2021 cover the plain UFM, L = 1)")
            }
            guard minWidth >= K - 1 else {
                throw .noClosedForm(reason: "d_1 = \(minWidth) < K − 1 = \(K - 1): a simplex ETF of K classes needs K − 1 dimensions")
            }
            return crossEntropy(spec)
        case .mse:
            if spec.bias {
                guard linear else {
                    throw .noClosedForm(reason: "ReLU with an output bias at depth L = \(L) > 1: the linear reduction to a "
                        + "centered target fails because ReLU of a centered simplex ETF is not centered, and no theorem covers it")
                }
                guard minWidth >= K - 1 else {
                    throw .noClosedForm(reason: "\(widthNames) < K − 1 = \(K - 1): a simplex ETF of K classes needs K − 1 dimensions")
                }
            } else {
                guard minWidth >= K else {
                    throw .noClosedForm(reason: "\(widthNames) < K = \(K): an orthogonal frame of K classes needs K dimensions "
                        + "(the optimum is then rank-deficient and not collapsed to an orthogonal frame)")
                }
            }
            let (status, reference) = mseStatus(spec, linear: linear)
            return mse(spec, status: status, reference: reference)
        }
    }

    /// The status and citation of an MSE model (widths and bias already checked).
    static func mseStatus(_ spec: ModelSpec, linear: Bool) -> (TheoryPrediction.Status, String) {
        let K = spec.classes, L = spec.depth
        switch (linear, spec.bias) {
        case (true, false) where L == 1: return (.global, "Tirer & Bruna, ICML 2022, Thm. 3.1")
        case (true, true) where L == 1:
            return (.global, "Tirer & Bruna, ICML 2022, Sec. 3, unregularized bias (simplex ETF); docs/theory.md §2")
        case (true, false) where L == 2: return (.global, "Tirer & Bruna, ICML 2022, Thm. 4.1 (linear, L = 2)")
        case (true, false): return (.global, "Dang et al., ICML 2023 (deep linear UFM); docs/theory.md §3")
        case (true, true):
            return (.global, "docs/theory.md §3 (deep linear with unregularized bias, derived by von Neumann's trace "
                + "inequality and the Schatten-quasi-norm factorization bound; cf. Dang et al., ICML 2023)")
        default:
            if L == 2 { return (.global, "Tirer & Bruna, ICML 2022, Thm. 4.2 (ReLU, L = 2)") }
            if K == 2 { return (.global, "Súkeník, Mondelli & Lampert, NeurIPS 2023 (ReLU deep UFM, K = 2, any L)") }
            return (.dncCandidate, "Súkeník, Mondelli & Lampert, NeurIPS 2023 (DNC solution); NeurIPS 2024 "
                + "(DNC is not optimal for K ≥ 3, L ≥ 3)")
        }
    }

    /// MSE: the DNC / orthogonal-frame solution (bias-free) or its simplex-ETF analogue (bias), with
    /// value min g resp. ((K−1)/K)·min g over the K resp. K−1 directions of the (centered) target
    /// (docs/theory.md §2–3).
    static func mse(_ spec: ModelSpec, status: TheoryPrediction.Status, reference: String) -> TheoryPrediction {
        let K = Double(spec.classes)
        let mu = regularizationMean(spec)
        let problem = DNCScalarProblem(depth: spec.depth, kappa: K * mu)
        let s = problem.minimizer
        let directions = spec.bias ? (K - 1) / K : 1
        let value = directions * problem.minimum
        return TheoryPrediction(
            spec: spec, regime: problem.collapses ? .collapse : .zero, status: status,
            geometry: spec.bias ? .simplexETF : .orthogonalFrame, objective: value, sStar: s,
            control: problem.kappa, threshold: problem.threshold,
            featureScales: balancedFeatureScales(spec, mu: mu, s: s), weightScales: balancedWeightScales(spec, mu: mu, s: s),
            bias: spec.bias ? Array(repeating: 1 / K, count: spec.classes) : nil, reference: reference)
    }

    /// Cross-entropy, L = 1 (docs/theory.md §4). Without a bias the value is the same: the bias-free
    /// problem is a restriction of the biased one, and the biased optimum has b ∝ 1_K, which softmax ignores.
    static func crossEntropy(_ spec: ModelSpec) -> TheoryPrediction {
        let mu = regularizationMean(spec)
        let etf = CrossEntropyETF(classes: spec.classes, c: Double(spec.classes) * mu)
        let m = etf.minimizer
        let reference = spec.bias ? "Zhu et al., NeurIPS 2021, Thm. 3.1"
            : "Zhu et al., NeurIPS 2021, Thm. 3.1, restricted to b = 0 (docs/theory.md §4)"
        return TheoryPrediction(
            spec: spec, regime: etf.collapses ? .collapse : .zero, status: .global, geometry: .simplexETF,
            objective: etf.minimum, sStar: m, control: etf.c, threshold: 1,
            featureScales: balancedFeatureScales(spec, mu: mu, s: m), weightScales: balancedWeightScales(spec, mu: mu, s: m),
            bias: spec.bias ? Array(repeating: 0, count: spec.classes) : nil, reference: reference)
    }

    /// μ = (n·λ_H·Π_l λ_{W_l})^{1/(L+1)}, the geometric mean of the L+1 regularization weights (computed
    /// through logarithms, so that a deep product of small λ's does not underflow).
    static func regularizationMean(_ spec: ModelSpec) -> Double {
        let logs = log(Double(spec.perClass) * spec.lambdaH) + spec.lambdaW.reduce(0) { $0 + log($1) }
        return exp(logs / Double(spec.depth + 1))
    }

    /// Balanced factors of the product s·G: every one of the L+1 regularization terms equals μ·s^p/2 per
    /// direction (p = 2/(L+1)), so n·λ_H·a_1 = λ_{W_l}·b_l = μ·s^p (AM–GM equality), and a_{l+1} = a_l·b_l.
    static func balancedFeatureScales(_ spec: ModelSpec, mu: Double, s: Double) -> [Double] {
        let w = balancedWeightScales(spec, mu: mu, s: s)
        var a = [mu * pow(s, 2 / Double(spec.depth + 1)) / (Double(spec.perClass) * spec.lambdaH)]
        for l in 1..<spec.depth { a.append(a[l - 1] * w[l - 1]) }
        return a
    }

    /// b_l = μ·s^p/λ_{W_l} (see `balancedFeatureScales`).
    static func balancedWeightScales(_ spec: ModelSpec, mu: Double, s: Double) -> [Double] {
        let t = mu * pow(s, 2 / Double(spec.depth + 1))
        return spec.lambdaW.map { t / $0 }
    }

    /// Rejects specs that no model can have (the config parser rejects them too; the theory is also
    /// called with hand-built specs).
    static func validate(_ spec: ModelSpec) throws(TheoryError) {
        guard spec.classes >= 2 else { throw .invalidSpec(reason: "K = \(spec.classes) classes; need K ≥ 2") }
        guard spec.counts.count == spec.classes else {
            throw .invalidSpec(reason: "\(spec.counts.count) class counts for K = \(spec.classes) classes; need one n_k per class")
        }
        if let k = spec.counts.firstIndex(where: { $0 < 1 }) {
            throw .invalidSpec(reason: "class \(k) has n_\(k + 1) = \(spec.counts[k]) samples; need n_k ≥ 1")
        }
        guard !spec.widths.isEmpty else { throw .invalidSpec(reason: "no widths: the depth L = widths.count must be ≥ 1") }
        if let j = spec.widths.firstIndex(where: { $0 < 1 }) {
            throw .invalidSpec(reason: "d_\(j + 1) = \(spec.widths[j]); every width must be ≥ 1")
        }
        guard spec.lambdaW.count == spec.depth else {
            throw .invalidSpec(reason: "\(spec.lambdaW.count) values of λ_W for depth L = \(spec.depth); need one per layer (or one for all)")
        }
        guard spec.lambdaH.isFinite, spec.lambdaH >= 0 else { throw .invalidSpec(reason: "λ_H = \(spec.lambdaH) must be finite and ≥ 0") }
        if let j = spec.lambdaW.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw .invalidSpec(reason: "λ_W\(j + 1) = \(spec.lambdaW[j]) must be finite and ≥ 0")
        }
    }
}
