/// What the closed-form theory predicts for one `ModelSpec`: the optimal value, which solution attains
/// it, its scales, and how strong the claim is (docs/theory.md).
///
/// Every prediction describes a collapsed point: H_1 = H̄_1 ⊗ 1_nᵀ, and for every level l = 1 … L the
/// class means H̄_l (d_l×K) and the weights satisfy
///
///     H̄_lᵀ H̄_l = a_l · G,      W_l W_lᵀ = b_l · Π_l,      O̅ − b1ᵀ = W_L H̄_L = s* · G,
///
/// with G = I_K (orthogonal frame, `geometry == .orthogonalFrame`) or G = I_K − 1_K1_Kᵀ/K (simplex ETF,
/// `.simplexETF`), Π_l an orthogonal projector of rank K (resp. K−1) in R^{d_{l+1}} (Π_L = G), and
/// a_{l+1} = a_l·b_l, a_1·b_1⋯b_L = s*². In the `zero` regime every scale is 0 (H = 0, W = 0).
public struct TheoryPrediction: Equatable, Sendable {
    /// Whether the optimum is collapsed and non-zero, or the all-zero point.
    public enum Regime: String, Sendable, CaseIterable {
        /// A non-zero collapsed solution is optimal (control < threshold).
        case collapse
        /// H = 0, W = 0 is optimal (control ≥ threshold); the objective is the fit of the zero output.
        case zero
    }

    /// How strong the claim about `objective` is.
    public enum Status: String, Sendable, CaseIterable {
        /// `objective` is the global minimum of f (a theorem or a derivation in docs/theory.md says so).
        case global
        /// `objective` is only the value of the deep-neural-collapse (DNC) solution; lower-rank solutions
        /// can reach less (Súkeník, Mondelli & Lampert, NeurIPS 2024). A run below it is a finding, not a bug.
        case dncCandidate = "dnc-candidate"
    }

    /// The Gram structure G of the class means and of the classifier.
    public enum Geometry: String, Sendable, CaseIterable {
        /// G = I_K: mutually orthogonal class means of equal norm (bias-free MSE).
        case orthogonalFrame = "orthogonal-frame"
        /// G = I_K − 1_K1_Kᵀ/K: a simplex equiangular tight frame (unregularized bias, or cross-entropy).
        case simplexETF = "simplex-etf"
        /// Unbalanced bias-free MSE: H̄ᵀH̄ and W_LW_Lᵀ are diagonal, with entries set by the counts n_k
        /// (`classPredictions`); collapsed classes have zero mean and zero classifier row.
        case generalOrthogonalFrame = "general-orthogonal-frame"
        /// Unbalanced MSE with an unregularized bias: the output means follow the singular vectors of
        /// D^{1/2}(I − ŝŝᵀ), ŝ = D^{1/2}1/√N (docs/theory.md §9); not a frame with a fixed Gram pattern.
        case centeredGeneralFrame = "centered-general-frame"
    }

    /// The model this prediction is for.
    public var spec: ModelSpec
    public var regime: Regime
    public var status: Status
    public var geometry: Geometry
    /// The predicted optimal value of f (for `dncCandidate`: the DNC solution's value).
    public var objective: Double
    /// s*, the scale of the output class means: O̅ − b1ᵀ = s*·G. For MSE the minimizer of the 1-D problem
    /// g(s) (`DNCScalarProblem`); for cross-entropy the logit margin m* (`CrossEntropyETF`). 0 in `zero`.
    public var sStar: Double
    /// The quantity compared with `threshold`: κ = K·(n·λ_H·Π_l λ_{W_l})^{1/(L+1)}; at L = 1 this is
    /// Tirer & Bruna's c = K·√(n·λ_H·λ_W), and for cross-entropy Zhu et al.'s c as well.
    public var control: Double
    /// The critical value of `control`: collapse iff control < threshold.
    public var threshold: Double
    /// a_1 … a_L: H̄_lᵀH̄_l = a_l·G (the squared norm of a class mean is a_l·G_kk).
    public var featureScales: [Double]
    /// b_1 … b_L: W_lW_lᵀ = b_l·Π_l (b_l is each non-zero eigenvalue of W_lW_lᵀ).
    public var weightScales: [Double]
    /// The predicted output bias b (1_K/K for MSE, 0 for cross-entropy, where any multiple of 1_K is
    /// optimal), or nil for a bias-free model.
    public var bias: [Double]?
    /// The papers (theorem numbers) or docs/theory.md section behind the value and its status.
    public var reference: String
    /// Unbalanced bias-free MSE: one prediction per class (which classes survive, their norms); nil otherwise.
    /// For unbalanced counts `sStar`, `featureScales` and `weightScales` describe the largest class; with a bias
    /// `sStar` is the largest direction's output scale and the per-level scales are NaN (no fixed pattern).
    public var classPredictions: [ClassPrediction]? = nil
    /// Unbalanced counts: the spectral form of the predicted point (for `collapsedParameters()`).
    var spectralPoint: SpectralPoint? = nil

    /// threshold − control: positive in the collapse regime, its size says how far from the transition.
    public var margin: Double { threshold - control }

    /// The scale of the output class means' Gram matrix, (O̅ − b1ᵀ)ᵀ(O̅ − b1ᵀ) = a_{L+1}·G = s*²·G.
    public var outputGramScale: Double { sStar * sStar }

    /// One line saying what the status means for this model.
    public var statusStatement: String {
        switch status {
        case .global:
            return "global: the value is the global minimum of the objective"
        case .dncCandidate where !spec.isBalanced:
            return "dnc-candidate: the value of the general-orthogonal-frame point only (it is non-negative, so ReLU "
                + "acts as the identity and the deep linear value is attained); no theorem says a ReLU model cannot go lower"
        case .dncCandidate:
            return "dnc-candidate: the value of the deep-neural-collapse solution only; for ReLU with K ≥ 3 and "
                + "L ≥ 3 lower-rank solutions can reach a lower objective (Súkeník, Mondelli & Lampert, NeurIPS 2024), "
                + "so a run ending below it has found a better, non-DNC solution"
        }
    }

    /// objective(run) − predicted objective. Negative for a `dncCandidate` means the run beat the DNC
    /// solution (a research finding); negative beyond rounding for `global` means a bug somewhere.
    public func gap(toObjective value: Double) -> Double { value - objective }
}

/// Why `Theory.predict` gives no number.
public enum TheoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The configuration is legal but outside every closed form (the reason names the assumption).
    case noClosedForm(reason: String)
    /// The spec itself is unusable (a count or λ that no model can have).
    case invalidSpec(reason: String)

    public var description: String {
        switch self {
        case .noClosedForm(let r): "no closed form for this configuration: \(r)"
        case .invalidSpec(let r): "invalid model for the theory: \(r)"
        }
    }
}
