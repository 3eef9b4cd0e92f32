/// The activation σ between feature levels.
public enum Activation: String, Sendable, Codable, CaseIterable {
    /// σ(x) = max(x, 0): Tirer & Bruna's nonlinear extension and Súkeník et al.'s deep UFM.
    case relu
    /// σ(x) = x: the linear (extended) UFM.
    case none
}

/// The fit term of the objective.
public enum Loss: String, Sendable, Codable, CaseIterable {
    /// 1/(2N)·‖O − Y‖²_F.
    case mse
    /// (1/N)·Σᵢ CE(softmax(oᵢ), yᵢ).
    case ce
}

/// One member of the deep unconstrained features model family (docs/models.md), in the papers' notation.
///
/// K classes with n_1 … n_K samples (n each when balanced), N = Σ_k n_k in class-major order (the samples
/// of class k are columns n_1 + … + n_{k−1} ..< n_1 + … + n_k); depth L = `widths.count`; widths
/// d_1 … d_L and d_{L+1} = K; free features H_1 ∈ R^{d_1×N}; weights W_l ∈ R^{d_{l+1}×d_l};
/// f = fit(W_L Z_L + b1ᵀ, Y) + Σ_l λ_{W_l}/2·‖W_l‖²_F + λ_H/2·‖H_1‖²_F
/// (Tirer & Bruna, ICML 2022, Eqs. (2), (9), (10); Súkeník, Mondelli & Lampert, NeurIPS 2023, Eq. (1)).
public struct ModelSpec: Equatable, Sendable, Codable {
    /// K, the number of classes.
    public var classes: Int
    /// n_1 … n_K, the number of samples of each class (all equal for the balanced model).
    public var counts: [Int]
    /// d_1 … d_L; the depth L is `widths.count`.
    public var widths: [Int]
    /// σ.
    public var activation: Activation
    /// The fit term.
    public var loss: Loss
    /// Whether the output has an unregularized bias b ∈ R^K.
    public var bias: Bool
    /// λ_H, the regularization of the free features H_1.
    public var lambdaH: Double
    /// λ_{W_1} … λ_{W_L}, one per layer.
    public var lambdaW: [Double]

    public init(classes: Int, perClass: Int, widths: [Int], activation: Activation = .relu, loss: Loss = .mse,
                bias: Bool = false, lambdaH: Double, lambdaW: [Double]) {
        self.init(classes: classes, counts: Array(repeating: perClass, count: max(classes, 0)), widths: widths,
                  activation: activation, loss: loss, bias: bias, lambdaH: lambdaH, lambdaW: lambdaW)
    }

    /// A model with per-class counts n_1 … n_K (`counts.count` should equal `classes`; `UFMConfig.validate`
    /// and `Theory.predict` reject a mismatch).
    public init(classes: Int, counts: [Int], widths: [Int], activation: Activation = .relu, loss: Loss = .mse,
                bias: Bool = false, lambdaH: Double, lambdaW: [Double]) {
        self.classes = classes
        self.counts = counts
        self.widths = widths
        self.activation = activation
        self.loss = loss
        self.bias = bias
        self.lambdaH = lambdaH
        self.lambdaW = lambdaW.count == 1 && widths.count > 1 ? Array(repeating: lambdaW[0], count: widths.count) : lambdaW
    }

    /// L, the number of weight matrices (and of feature levels).
    public var depth: Int { widths.count }
    /// Whether every class has the same count (the balanced model of the seed papers).
    public var isBalanced: Bool { counts.allSatisfy { $0 == counts.first } }
    /// n, the common count of the balanced model; 0 when the counts differ (use `counts`).
    public var perClass: Int { isBalanced ? counts.first ?? 0 : 0 }
    /// "n=50" (balanced) or "n=[500, 500, 50]", for one-line summaries.
    public var countsLabel: String { isBalanced ? "n=\(perClass)" : "n=[" + counts.map(String.init).joined(separator: ", ") + "]" }
    /// N = Σ_k n_k (K·n when balanced).
    public var samples: Int { counts.reduce(0, +) }
    /// The first sample of each class and N: classStarts[k] = n_1 + … + n_k (K+1 entries, classStarts[0] = 0).
    public var classStarts: [Int] {
        var s = [0]
        for c in counts { s.append(s[s.count - 1] + c) }
        return s
    }
    /// d_l for l = 1 … L+1 (1-based, as in the papers), with d_{L+1} = K.
    public func width(_ l: Int) -> Int { l == depth + 1 ? classes : widths[l - 1] }
    /// The class of sample i in class-major order (the k with classStarts[k] ≤ i < classStarts[k+1]).
    public func label(ofSample i: Int) -> Int {
        var k = 0, start = 0
        while k < counts.count - 1, i >= start + counts[k] { start += counts[k]; k += 1 }
        return k
    }
}
