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

    /// E_d (d×K) with E_dᵀE_d = G and E_d·G = E_d (see `collapsedParameters`).
    func frame(rows d: Int) -> Matrix<Double> {
        let K = spec.classes
        var e = Matrix<Double>(rows: d, cols: K)
        switch geometry {
        case .orthogonalFrame:
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
