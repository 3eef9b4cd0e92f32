import Foundation
import Linalg

/// What the theory predicts for one class of an unbalanced model (docs/theory.md §9).
public struct ClassPrediction: Equatable, Sendable {
    /// n_k.
    public var count: Int
    /// κ_k = N·ν·n_k^{−L/(L+1)}, ν = (λ_H·Π_l λ_{W_l})^{1/(L+1)}: the class's own control (τ/√n_k at L = 1).
    public var control: Double
    /// Whether the class keeps non-zero features and classifier (κ_k < κ_crit); false is minority collapse.
    public var survives: Bool
    /// t_k: the output class mean is W_L⋯W_1 h_k = t_k·e_k (1 − τ/√n_k at L = 1, 0 when collapsed).
    public var outputScale: Double
    /// ‖h_{l,k}‖ for l = 1 … L: the norm of the class mean at each feature level.
    public var meanNorms: [Double]
    /// ‖w_k‖, the norm of row k of W_L (the class's classifier).
    public var classifierRowNorm: Double
}

/// The spectral description of a predicted point (docs/theory.md §9): with A = D^{1/2} (bias-free) or
/// A = D^{1/2}(I − ŝŝᵀ), ŝ = D^{1/2}1/√N (unregularized bias), the product X = W_L⋯W_1·H̄_1·D^{1/2} of
/// the optimum is U·diag(x)·Vᵀ, where U, V (K×r) are the singular vectors of A of its r surviving
/// singular values. Stored for `collapsedParameters()`.
struct SpectralPoint: Equatable, Sendable {
    /// U (K×r), the output side.
    var u: Matrix<Double>
    /// V (K×r), the class side.
    var v: Matrix<Double>
    /// x_1 … x_r > 0.
    var x: [Double]
    /// ν = (λ_H·Π_l λ_{W_l})^{1/(L+1)}.
    var nu: Double
}

extension Theory {
    /// The MSE model with unbalanced counts n_1 … n_K (docs/theory.md §9).
    ///
    /// NC1 holds at every minimizer (for fixed weights each column's problem is strictly convex), so
    /// H_1 = H̄_1Eᵀ with E the N×K class indicator. With D = diag(n_k) and G = H̄_1 D^{1/2}:
    /// ‖H_1‖²_F = ‖G‖²_F and ‖W_L⋯W_1H_1 − Y‖²_F = ‖W_L⋯W_1G − D^{1/2}‖²_F. The least regularization of
    /// L+1 factors of a product X is ((L+1)/2)·ν·Σ_i σ_i(X)^p (p = 2/(L+1); the Schatten-p quasi-norm
    /// bound, equality for balanced factors), so
    ///
    ///     N·f* = min_X ½‖X − A‖²_F + ((L+1)/2)·N·ν·Σ_i σ_i(X)^p,
    ///
    /// and von Neumann's trace inequality makes X share A's singular vectors: one scalar problem per
    /// singular value a_i of A. Writing σ_i(X) = a_i·t gives a_i²·g_{κ_i}(t) with g of `DNCScalarProblem`
    /// and κ_i = N·ν·a_i^{p−2}, so f* = (1/N)·Σ_i a_i²·min g_{κ_i}. Bias-free, a_k = √n_k and
    /// κ_k = N·ν·n_k^{−L/(L+1)}: class k collapses (h_k = 0, row k of W_L = 0) iff κ_k ≥ κ_crit, i.e.
    /// n_k ≤ n_crit = (N·ν/κ_crit)^{(L+1)/L}; at L = 1 this is n_k ≤ N²λ_Hλ_W, the soft threshold of √n_k
    /// at τ = N√(λ_Hλ_W), with f* = (1/N)Σ_k[½·min(√n_k, τ)² + τ·max(√n_k − τ, 0)] (Dang et al., ICML 2023,
    /// general orthogonal frame; Fang et al., PNAS 2021, minority collapse).
    static func predictUnbalanced(_ spec: ModelSpec) throws(TheoryError) -> TheoryPrediction {
        let K = spec.classes, L = spec.depth, N = Double(spec.samples)
        let linear = spec.activation == .none || L == 1
        guard spec.lambdaH > 0, spec.lambdaW.allSatisfy({ $0 > 0 }) else {
            throw .noClosedForm(reason: "a regularization parameter is 0, so the infimum is approached by unbounded "
                + "parameters and not attained; the closed forms assume λ_H > 0 and every λ_W > 0")
        }
        guard spec.loss == .mse else {
            throw .noClosedForm(reason: "cross-entropy with unbalanced counts: the optimum is the SELI geometry "
                + "(Thrampoulidis et al., NeurIPS 2022) or its regularized analogue (Hong & Ling, ICLR 2024), with no closed-form value")
        }
        if spec.bias, !linear {
            throw .noClosedForm(reason: "ReLU with an output bias at depth L = \(L) > 1: the linear reduction to a "
                + "centered target fails because ReLU does not preserve centering, and no theorem covers it")
        }
        let nu = exp((log(spec.lambdaH) + spec.lambdaW.reduce(0) { $0 + log($1) }) / Double(L + 1))
        let p = 2 / Double(L + 1)
        // The target A and its SVD.
        var a = Matrix<Double>(rows: K, cols: K)
        for k in 0..<K { a[k, k] = Double(spec.counts[k]).squareRoot() }
        var targetU = Matrix<Double>.identity(K), targetV = Matrix<Double>.identity(K)
        var sigma = spec.counts.map { Double($0).squareRoot() }
        if spec.bias {
            // A = D^{1/2}(I − ŝŝᵀ)
            let shat = spec.counts.map { Double($0).squareRoot() / N.squareRoot() }
            for i in 0..<K { for j in 0..<K { a[i, j] = sigma[i] * ((i == j ? 1 : 0) - shat[i] * shat[j]) } }
            guard let svd = try? a.svd() else { throw .invalidSpec(reason: "the SVD of D^{1/2}(I − ŝŝᵀ) failed") }
            targetU = svd.u; targetV = svd.vt.transposed; sigma = svd.singularValues
        }
        // One scalar problem per singular value; a_i below rounding (the bias case's zero) contributes a_i²/(2N).
        let floor = 1e-12 * (sigma.max() ?? 1)
        var value = 0.0
        var x = [Double](repeating: 0, count: K)
        var kappas = [Double](repeating: .infinity, count: K)
        for i in 0..<K {
            let ai = sigma[i]
            guard ai > floor else { value += ai * ai / 2; continue }
            let kappa = N * nu * pow(ai, p - 2)
            kappas[i] = kappa
            let problem = DNCScalarProblem(depth: L, kappa: kappa)
            value += ai * ai * problem.minimum
            x[i] = ai * problem.minimizer
        }
        value /= N
        let kept = (0..<K).filter { x[$0] > 0 }
        let minWidth = spec.widths.min()!
        guard minWidth >= kept.count else {
            throw .noClosedForm(reason: "min_l d_l = \(minWidth) < \(kept.count), the number of surviving directions: "
                + "the rank constraint binds and the optimum keeps only the largest ones")
        }
        var u = Matrix<Double>(rows: K, cols: kept.count), v = Matrix<Double>(rows: K, cols: kept.count)
        for (c, i) in kept.enumerated() { for k in 0..<K { u[k, c] = targetU[k, i]; v[k, c] = targetV[k, i] } }
        let point = SpectralPoint(u: u, v: v, x: kept.map { x[$0] }, nu: nu)
        let threshold = DNCScalarProblem(depth: L, kappa: 0).threshold

        var classes: [ClassPrediction]? = nil
        if !spec.bias {
            classes = (0..<K).map { k in
                let nk = Double(spec.counts[k]), xk = x[k]
                // Balanced factors: ‖G e_k‖² = ν·x_k^p/λ_H, singular value² of W_l in direction k = ν·x_k^p/λ_{W_l}.
                let g = xk > 0 ? nu * pow(xk, p) : 0
                var a2 = [g / (spec.lambdaH * nk)]
                for l in 1..<L { a2.append(a2[l - 1] * g / spec.lambdaW[l - 1]) }
                return ClassPrediction(count: spec.counts[k], control: kappas[k], survives: xk > 0, outputScale: xk / nk.squareRoot(),
                                       meanNorms: a2.map { $0.squareRoot() }, classifierRowNorm: (g / spec.lambdaW[L - 1]).squareRoot())
            }
        }
        let (status, reference): (TheoryPrediction.Status, String) = linear
            ? (.global, spec.bias
               ? "docs/theory.md §9 (unbalanced counts with unregularized bias: spectral soft threshold of D^{1/2}(I − ŝŝᵀ))"
               : "Dang et al., ICML 2023 (general orthogonal frame); docs/theory.md §9")
            : (.dncCandidate, "docs/theory.md §9: the general-orthogonal-frame point (non-negative, so ReLU acts as the identity) "
               + "attains the deep linear value; no theorem says it is the global minimum of the ReLU model")
        let smallest = spec.counts.indices.min { spec.counts[$0] < spec.counts[$1] }!
        let largest = spec.counts.indices.max { spec.counts[$0] < spec.counts[$1] }!
        // The largest class's t_k; with a bias, the largest direction's t_i = x_i/a_i.
        let outputScale = classes?[largest].outputScale ?? (0..<K).map { sigma[$0] > floor ? x[$0] / sigma[$0] : 0 }.max()!
        let big = classes?[largest]
        return TheoryPrediction(
            spec: spec, regime: kept.isEmpty ? .zero : .collapse, status: status,
            geometry: spec.bias ? .centeredGeneralFrame : .generalOrthogonalFrame, objective: value, sStar: outputScale,
            control: spec.bias ? (kappas.filter(\.isFinite).max() ?? .infinity) : kappas[smallest], threshold: threshold,
            featureScales: big.map { $0.meanNorms.map { $0 * $0 } } ?? Array(repeating: .nan, count: L),
            weightScales: big.map { b in (1...L).map { l in l == L ? b.classifierRowNorm * b.classifierRowNorm
                : (b.survives ? nu * pow(x[largest], p) / spec.lambdaW[l - 1] : 0) } } ?? Array(repeating: .nan, count: L),
            bias: spec.bias ? Self.unbalancedBias(spec, point) : nil, reference: reference,
            classPredictions: classes, spectralPoint: point)
    }

    /// n_crit = (N·ν/κ_crit)^{(L+1)/L}: in the bias-free MSE model a class with n_k ≤ n_crit collapses
    /// (N²λ_Hλ_W at L = 1). N is the total of all counts, so it moves with every n_k.
    public static func collapseCount(_ spec: ModelSpec) -> Double {
        let L = Double(spec.depth), N = Double(spec.samples)
        let nu = exp((log(spec.lambdaH) + spec.lambdaW.reduce(0) { $0 + log($1) }) / (L + 1))
        let crit = DNCScalarProblem(depth: spec.depth, kappa: 0).threshold
        return pow(N * nu / crit, (L + 1) / L)
    }

    /// The optimal bias b = (1/N)·(Y − O)·1_N = (n − X·D^{1/2}1_K)/N, with n the count vector.
    static func unbalancedBias(_ spec: ModelSpec, _ pt: SpectralPoint) -> [Double] {
        let K = spec.classes, N = Double(spec.samples)
        let root = spec.counts.map { Double($0).squareRoot() }
        return (0..<K).map { k in
            var xr = 0.0
            for c in 0..<pt.x.count {
                var vr = 0.0
                for j in 0..<K { vr += pt.v[j, c] * root[j] }
                xr += pt.u[k, c] * pt.x[c] * vr
            }
            return (Double(spec.counts[k]) - xr) / N
        }
    }
}
