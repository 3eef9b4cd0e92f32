import Foundation
import Linalg

extension TheoryPrediction {
    /// The collapsed point the prediction describes, as parameters of `spec`: f at this point equals
    /// `objective` (Tests/UFMTests/TheoryClosedFormTests check it with the shared `UFMObjective`).
    ///
    /// With a frame E_d ∈ R^{d×K} such that E_dᵀE_d = G and E_d·G = E_d (E = [I_K; 0] for the orthogonal
    /// frame, E = [G; 0] for the simplex ETF when d ≥ K, and E = Vᵀ for an orthonormal basis V of 1_K^⊥
    /// when d = K−1):
    ///
    ///     H̄_1 = √a_1·E_{d_1},   H_1 = H̄_1 ⊗ 1_nᵀ,   W_l = √b_l·E_{d_{l+1}}E_{d_l}ᵀ  (E_{d_{L+1}} = E_K),
    ///
    /// so H̄_{l+1} = W_l H̄_l = √(a_l b_l)·E_{d_{l+1}}, W_lW_lᵀ = b_l·E E ᵀ (a projector of rank K or K−1),
    /// and the output is s*·G (+ b1ᵀ). Every entry of the orthogonal-frame point is ≥ 0, so ReLU acts as
    /// the identity on it: this is the DNC solution of Súkeník et al. (NeurIPS 2023). In the zero regime
    /// every block is 0 (and b is the predicted bias).
    public func collapsedParameters() -> UFMParameters {
        if let pt = spectralPoint { return spectralParameters(pt) }
        let K = spec.classes, n = spec.perClass, L = spec.depth
        var p = UFMParameters(spec: spec, values: [Double](repeating: 0, count: ParameterLayout(spec: spec).count))
        let frames = (1...(L + 1)).map { frame(rows: spec.width($0)) }
        var h1 = Matrix<Double>(rows: spec.width(1), cols: K * n)
        let r1 = featureScales[0].squareRoot()
        for i in 0..<h1.rows { for k in 0..<K { for j in 0..<n { h1[i, k * n + j] = r1 * frames[0][i, k] } } }
        p.setMatrix(p.layout.h1, h1)
        for l in 1...L {
            var w = Matrix.product(frames[l], frames[l - 1], transposeB: true)
            w.scale(by: weightScales[l - 1].squareRoot())
            p.setMatrix(p.layout.w(l), w)
        }
        if let b = bias, let blk = p.layout.bias { p.values.replaceSubrange(blk.offset..<(blk.offset + K), with: b) }
        return p
    }

    /// The unbalanced point (docs/theory.md §9) from X = U·diag(x)·Vᵀ: with E_d = [I_r; 0] (d×r) and the
    /// balanced factor singular values σ_{j,i} = √(ν/λ_j)·x_i^{p/2} (λ_0 = λ_H, λ_j = λ_{W_j}),
    ///
    ///     G = E_{d_1}·diag(σ_0)·Vᵀ,  H̄_1 = G·D^{−1/2},  W_l = E_{d_{l+1}}·diag(σ_l)·E_{d_l}ᵀ (l < L),  W_L = U·diag(σ_L)·E_{d_L}ᵀ,
    ///
    /// so W_L⋯W_1·G = U·diag(Π_j σ_{j,i})·Vᵀ = X, and b = (n − X·D^{1/2}1)/N when the model has a bias.
    /// Bias-free, U and V select the surviving classes' unit vectors, so every entry is ≥ 0 (ReLU is the identity on it).
    func spectralParameters(_ pt: SpectralPoint) -> UFMParameters {
        let K = spec.classes, L = spec.depth, r = pt.x.count
        var p = UFMParameters(spec: spec, values: [Double](repeating: 0, count: ParameterLayout(spec: spec).count))
        let q = 1 / Double(L + 1)  // p/2
        let lambdas = [spec.lambdaH] + spec.lambdaW
        let sig = lambdas.map { lam in pt.x.map { (pt.nu / lam).squareRoot() * pow($0, q) } }
        let starts = spec.classStarts
        var h1 = Matrix<Double>(rows: spec.width(1), cols: spec.samples)
        for c in 0..<r {
            for k in 0..<K {
                let value = sig[0][c] * pt.v[k, c] / Double(spec.counts[k]).squareRoot()
                for j in starts[k]..<starts[k + 1] { h1[c, j] = value }
            }
        }
        p.setMatrix(p.layout.h1, h1)
        for l in 1...L {
            var w = Matrix<Double>(rows: spec.width(l + 1), cols: spec.width(l))
            for c in 0..<r {
                if l == L { for k in 0..<K { w[k, c] = pt.u[k, c] * sig[l][c] } } else { w[c, c] = sig[l][c] }
            }
            p.setMatrix(p.layout.w(l), w)
        }
        if let b = bias, let blk = p.layout.bias { p.values.replaceSubrange(blk.offset..<(blk.offset + K), with: b) }
        return p
    }

    /// E_d (d×K) with E_dᵀE_d = G and E_d·G = E_d (see `collapsedParameters`).
    func frame(rows d: Int) -> Matrix<Double> {
        let K = spec.classes
        var e = Matrix<Double>(rows: d, cols: K)
        switch geometry {
        case .orthogonalFrame, .generalOrthogonalFrame, .centeredGeneralFrame:
            precondition(d >= K, "an orthogonal frame needs d ≥ K")
            for k in 0..<K { e[k, k] = 1 }
        case .simplexETF where d >= K:
            for i in 0..<K { for k in 0..<K { e[i, k] = (i == k ? 1 : 0) - 1 / Double(K) } }
        case .simplexETF:
            precondition(d == K - 1, "a simplex ETF needs d ≥ K − 1")
            // Helmert basis of 1_K^⊥: row i (i = 1 … K−1) is (1, …, 1, −i, 0, …, 0)/√(i(i+1)).
            for i in 1..<K {
                let c = 1 / Double(i * (i + 1)).squareRoot()
                for k in 0..<i { e[i - 1, k] = c }
                e[i - 1, i] = -Double(i) * c
            }
        }
        return e
    }
}
