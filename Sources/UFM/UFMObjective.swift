import Linalg

/// A smooth function of a flat parameter vector, as the optimizers see it.
public protocol DifferentiableObjective: AnyObject {
    /// dim θ.
    var dimension: Int { get }
    /// Returns f(θ) and writes ∇f(θ) to `gradient` (both of length `dimension`).
    func value(at theta: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>) -> Double
}

/// The objective of the deep unconstrained features model and its hand-derived gradient, evaluated in a
/// preallocated workspace: no allocation per evaluation (docs/models.md).
///
/// With Y the K×N class indicator (row k is 1 on the n_k samples of class k, class-major; Y = I_K ⊗ 1_nᵀ
/// when balanced), Z_1 = H_1, A_{l+1} = W_l Z_l, Z_{l+1} = σ(A_{l+1}) (l = 1 … L−1) and
/// O = W_L Z_L + b1ᵀ,
///
///     f(θ) = fit(O, Y) + Σ_l λ_{W_l}/2·‖W_l‖²_F + λ_H/2·‖H_1‖²_F,
///     fit = 1/(2N)·‖O − Y‖²_F  (MSE)   or   (1/N)·Σ_i [log Σ_k exp(O_ki) − O_{y_i i}]  (CE).
///
/// L = 1 is the plain UFM, L = 2 Tirer & Bruna's extended UFM (ICML 2022, Eqs. (2), (9), (10)), L ≥ 2
/// with ReLU Súkeník, Mondelli & Lampert's deep UFM (NeurIPS 2023, Eq. (1)).
///
/// The workspace holds Z_2 … Z_L (A_l is not kept: Z_l = σ(A_l) and 1[A_l > 0] = 1[Z_l > 0] give the
/// backward pass everything it needs), the output O (overwritten in place by G_O = ∂fit/∂O), and the
/// backprop signals G_l = ∂f/∂A_l (d_l×N, l = 2 … L). Every product is one dgemm on these buffers.
/// Not thread-safe: one objective per optimizer.
public final class UFMObjective: DifferentiableObjective {
    public let spec: ModelSpec
    public let layout: ParameterLayout
    public var dimension: Int { layout.count }

    /// f's fit term and regularization term at the last evaluation.
    public internal(set) var lastFit: Double = .nan
    public internal(set) var lastRegularization: Double = .nan

    let K: Int, N: Int, L: Int
    /// classStarts[k] = n_1 + … + n_k: class k owns samples classStarts[k] ..< classStarts[k+1].
    let classStarts: [Int]
    /// d[l] = d_l for l = 1 … L+1 (index 0 unused), d_{L+1} = K.
    let d: [Int]
    let relu: Bool
    /// z[l] = Z_l (d_l×N) for l = 2 … L; z[0], z[1] are empty (Z_1 = H_1 lives in θ).
    let z: [UnsafeMutablePointer<Double>]
    /// g[l] = G_l = ∂f/∂A_l (d_l×N) for l = 2 … L.
    let g: [UnsafeMutablePointer<Double>]
    /// O (K×N), then G_O after the fit pass.
    let output: UnsafeMutablePointer<Double>
    /// Offsets of H_1, W_1 … W_L and b in θ (w[l], l = 1 … L; index 0 unused).
    let hOffset: Int, wOffset: [Int], bOffset: Int?

    public init(spec: ModelSpec) {
        self.spec = spec
        let layout = ParameterLayout(spec: spec)
        self.layout = layout
        precondition(spec.counts.count == spec.classes && spec.counts.allSatisfy { $0 >= 1 },
                     "counts \(spec.counts) do not give K = \(spec.classes) positive class sizes (UFMConfig.validate rejects this)")
        K = spec.classes; N = spec.samples; L = spec.depth
        classStarts = spec.classStarts
        d = [0] + (1...(spec.depth + 1)).map { spec.width($0) }
        relu = spec.activation == .relu
        let levels = 0...spec.depth
        z = levels.map { $0 >= 2 ? Self.buffer(spec.width($0) * spec.samples) : Self.buffer(0) }
        g = levels.map { $0 >= 2 ? Self.buffer(spec.width($0) * spec.samples) : Self.buffer(0) }
        output = Self.buffer(spec.classes * spec.samples)
        hOffset = layout.h1.offset
        wOffset = [0] + (1...spec.depth).map { layout.w($0).offset }
        bOffset = layout.bias?.offset
    }

    private static func buffer(_ count: Int) -> UnsafeMutablePointer<Double> {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        return p
    }

    deinit {
        for p in z { p.deallocate() }
        for p in g { p.deallocate() }
        output.deallocate()
    }

    /// f(θ) and ∇f(θ) (see the type's documentation); also sets `lastFit` and `lastRegularization`.
    public func value(at theta: UnsafePointer<Double>, gradient: UnsafeMutablePointer<Double>) -> Double {
        forward(theta)
        lastFit = fitAndOutputSignal(biasGradient: bOffset.map { gradient + $0 })
        lastRegularization = backward(theta, gradient)
        return lastFit + lastRegularization
    }

    /// f(θ) without the gradient.
    public func value(at theta: UnsafePointer<Double>) -> Double {
        forward(theta)
        lastFit = fitAndOutputSignal(biasGradient: nil)
        var reg = 0.5 * spec.lambdaH * Kernels.squaredNorm(theta + hOffset, d[1] * N)
        for l in 1...L { reg += 0.5 * spec.lambdaW[l - 1] * Kernels.squaredNorm(theta + wOffset[l], d[l + 1] * d[l]) }
        lastRegularization = reg
        return lastFit + reg
    }

    /// The features Z_1 = H_1, Z_2, …, Z_L at θ (copies; runs the forward pass).
    public func features(at theta: UnsafePointer<Double>) -> [Matrix<Double>] {
        forward(theta)
        return (1...L).map { l in
            let src = l == 1 ? theta + hOffset : UnsafePointer(z[l])
            return Matrix(rows: d[l], cols: N, storage: Array(UnsafeBufferPointer(start: src, count: d[l] * N)))
        }
    }

    /// The output O = W_L Z_L + b1ᵀ (K×N) at θ, as a new matrix.
    public func output(at theta: UnsafePointer<Double>) -> Matrix<Double> {
        forward(theta)
        return Matrix(rows: K, cols: N, storage: Array(UnsafeBufferPointer(start: output, count: K * N)))
    }
}

/// The value of f and its parts at one point, with the gradient, for callers outside the hot loop.
public struct UFMEvaluation: Sendable {
    public var objective: Double
    public var fit: Double
    public var regularization: Double
    /// ∇f(θ), laid out like θ.
    public var gradient: UFMParameters
}

extension UFMObjective {
    /// f, its parts and ∇f at `p` (allocates the gradient; for tests, theory and one-off evaluations).
    public func evaluate(_ p: UFMParameters) -> UFMEvaluation {
        precondition(p.spec == spec, "parameters belong to a different model")
        var grad = [Double](repeating: 0, count: dimension)
        let f = p.values.withUnsafeBufferPointer { t in
            grad.withUnsafeMutableBufferPointer { gp in value(at: t.baseAddress!, gradient: gp.baseAddress!) }
        }
        return UFMEvaluation(objective: f, fit: lastFit, regularization: lastRegularization,
                             gradient: UFMParameters(spec: spec, values: grad))
    }

    /// Z_1 … Z_L at `p`.
    public func features(_ p: UFMParameters) -> [Matrix<Double>] {
        p.values.withUnsafeBufferPointer { features(at: $0.baseAddress!) }
    }
}
