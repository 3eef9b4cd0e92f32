import Linalg

/// The two Gram-matrix targets of NC2.
public enum GramTarget: String, Sendable, CaseIterable {
    /// Orthogonal frame: G ∝ I_K, target I_K/√K (unit Frobenius norm). The geometry of the bias-free
    /// regularized-MSE UFM (Tirer & Bruna, ICML 2022, Theorem 3.1 without bias).
    case orthogonalFrame = "of"
    /// Simplex equiangular tight frame: G ∝ I_K − 11ᵀ/K, target (I_K − 11ᵀ/K)/√(K−1) (unit Frobenius norm)
    /// (Papyan, Han & Donoho, PNAS 2020, Definition 1, NC2).
    case simplexETF = "etf"

    /// The K×K target with unit Frobenius norm.
    public func matrix(classes k: Int) -> Matrix<Double> {
        switch self {
        case .orthogonalFrame:
            var t = Matrix<Double>.identity(k)
            t.scale(by: 1 / Double(k).squareRoot())
            return t
        case .simplexETF:
            let s = 1 / Double(k - 1).squareRoot()
            return Matrix(rows: k, cols: k) { i, j in ((i == j ? 1 : 0) - 1 / Double(k)) * s }
        }
    }
}

extension NC {
    /// G = A Aᵀ for A with one row per class (A = M̄ᵀ gives M̄ᵀM̄; A = W gives W Wᵀ).
    public static func gram(rows a: Matrix<Double>) -> Matrix<Double> { Matrix.product(a, a, transposeB: true) }

    /// ‖G/‖G‖_F − T‖_F for the target T of `target` (NC2; Zhu et al., NeurIPS 2021, use the ETF form
    /// for both W Wᵀ and the centered means' Gram matrix). 0 means the Gram matrix has exactly the target's shape up to scale;
    /// the value lies in [0, 2]. NaN when G = 0.
    public static func gramDistance(_ g: Matrix<Double>, to target: GramTarget) -> Double {
        precondition(g.rows == g.cols && g.rows >= 2, "gramDistance needs a K×K Gram matrix with K ≥ 2")
        let norm = g.frobeniusNorm
        guard norm > 0 else { return .nan }
        var diff = target.matrix(classes: g.rows)
        diff.add(g, scaledBy: -1 / norm)
        return diff.frobeniusNorm
    }

    /// NC3, self-duality: ‖W/‖W‖_F − A/‖A‖_F‖_F for W (K×d) and A = M̄ᵀ (`nc3`, uncentered) or A = M̄_cᵀ
    /// (`nc3_centered`; Papyan, Han & Donoho, PNAS 2020, Fig. 5, there squared). In [0, 2]; NaN if a norm is 0.
    public static func selfDuality(weight w: Matrix<Double>, means a: Matrix<Double>) -> Double {
        precondition(w.rows == a.rows && w.cols == a.cols, "selfDuality: W is \(w.rows)×\(w.cols), means \(a.rows)×\(a.cols)")
        let nw = w.frobeniusNorm, na = a.frobeniusNorm
        guard nw > 0, na > 0 else { return .nan }
        var diff = w
        diff.scale(by: 1 / nw)
        diff.add(a, scaledBy: -1 / na)
        return diff.frobeniusNorm
    }
}
