import Linalg

extension NC {
    /// Self-duality in the form of Zhu et al. (NeurIPS 2021, "A geometric analysis of neural collapse with
    /// unconstrained features", NC3 of their experiments): with M̄_c (d×K) the centered class means,
    ///
    ///     nc3_zhu = ‖ W M̄_c / ‖W M̄_c‖_F − (I_K − 11ᵀ/K)/√(K−1) ‖_F,
    ///
    /// 0 when W M̄_c is a scaled simplex ETF Gram matrix (classifier and means dual and equiangular).
    /// `centered` is M̄_cᵀ (K×d). NaN when W M̄_c = 0.
    public static func zhuSelfDuality(weight w: Matrix<Double>, centered mc: Matrix<Double>) -> Double {
        precondition(w.rows == mc.rows && w.cols == mc.cols, "zhuSelfDuality: W is \(w.rows)×\(w.cols), means \(mc.rows)×\(mc.cols)")
        return gramDistance(Matrix.product(w, mc, transposeB: true), to: .simplexETF)
    }

    /// The bias relation of Zhu et al. (2021, Theorem 3.1: at a global minimizer b = −W μ_G):
    /// ‖W μ_G + b‖₂, 0 when the bias cancels the classifier's response to the global mean.
    public static func biasRelation(weight w: Matrix<Double>, bias b: [Double], globalMean g: [Double]) -> Double {
        precondition(w.rows == b.count && w.cols == g.count, "biasRelation: shapes")
        var s = 0.0
        for k in 0..<w.rows {
            var r = b[k]
            for j in 0..<w.cols { r += w[k, j] * g[j] }
            s += r * r
        }
        return s.squareRoot()
    }

    /// UNC3, uniform duality (Wu & Papyan, 2024, "Linguistic Collapse: Neural Collapse in (Large) Language
    /// Models"): the coefficient of variation of the per-class classifier–mean cosines,
    ///
    ///     c_k = ⟨w_k, μ_k − μ_G⟩ / (‖w_k‖ ‖μ_k − μ_G‖),   unc3 = std_k(c_k) / mean_k(c_k),
    ///
    /// 0 when every class is equally dual. NaN when a norm or the mean cosine is 0.
    public static func uniformDuality(weight w: Matrix<Double>, centered mc: Matrix<Double>) -> Double {
        precondition(w.rows == mc.rows && w.cols == mc.cols, "uniformDuality: shapes")
        var c = [Double]()
        for k in 0..<w.rows {
            var dot = 0.0, nw = 0.0, nm = 0.0
            for j in 0..<w.cols { dot += w[k, j] * mc[k, j]; nw += w[k, j] * w[k, j]; nm += mc[k, j] * mc[k, j] }
            c.append(nw > 0 && nm > 0 ? dot / (nw * nm).squareRoot() : .nan)
        }
        let m = mean(c)
        return m == 0 ? .nan : populationStd(c) / m
    }

    /// NC5, ID/OOD orthogonality (Ammar et al., ICLR 2024, "NECO: NEural Collapse Based Out-of-distribution
    /// detection"): the mean absolute cosine between the in-distribution class means and the global mean of
    /// out-of-distribution features,
    ///
    ///     nc5 = (1/K) Σ_k |⟨μ_k, μ_G^OOD⟩| / (‖μ_k‖ ‖μ_G^OOD‖),
    ///
    /// 0 when the OOD mean is orthogonal to every class mean. `means` is M̄ᵀ (K×d, uncentered, as in the paper).
    public static func oodOrthogonality(means m: Matrix<Double>, oodMean g: [Double]) -> Double {
        precondition(m.cols == g.count, "oodOrthogonality: shapes")
        let ng = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var s = 0.0
        for k in 0..<m.rows {
            var dot = 0.0, nm = 0.0
            for j in 0..<m.cols { dot += m[k, j] * g[j]; nm += m[k, j] * m[k, j] }
            s += abs(dot) / (nm.squareRoot() * ng)
        }
        return s / Double(m.rows)
    }
}
