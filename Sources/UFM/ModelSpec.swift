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
/// K classes, n samples per class, N = K·n in class-major order; depth L = `widths.count`; widths
/// d_1 … d_L and d_{L+1} = K; free features H_1 ∈ R^{d_1×N}; weights W_l ∈ R^{d_{l+1}×d_l};
/// f = fit(W_L Z_L + b1ᵀ, Y) + Σ_l λ_{W_l}/2·‖W_l‖²_F + λ_H/2·‖H_1‖²_F
/// (Tirer & Bruna, ICML 2022, Eqs. (2), (9), (10); Súkeník, Mondelli & Lampert, NeurIPS 2023, Eq. (1)).
public struct ModelSpec: Equatable, Sendable, Codable {
    /// K, the number of classes.
    public var classes: Int
    /// n, the number of samples per class.
    public var perClass: Int
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
        self.classes = classes
        self.perClass = perClass
        self.widths = widths
        self.activation = activation
        self.loss = loss
        self.bias = bias
        self.lambdaH = lambdaH
        self.lambdaW = lambdaW.count == 1 && widths.count > 1 ? Array(repeating: lambdaW[0], count: widths.count) : lambdaW
    }

    /// L, the number of weight matrices (and of feature levels).
    public var depth: Int { widths.count }
    /// N = K·n.
    public var samples: Int { classes * perClass }
    /// d_l for l = 1 … L+1 (1-based, as in the papers), with d_{L+1} = K.
    public func width(_ l: Int) -> Int { l == depth + 1 ? classes : widths[l - 1] }
    /// The class of sample i in class-major order: i / n.
    @inline(__always) public func label(ofSample i: Int) -> Int { i / perClass }
}
