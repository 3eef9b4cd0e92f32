import Linalg

/// Singular values, numerical rank and stable rank of a matrix.
public struct Spectrum: Sendable, Equatable {
    /// σ_1 ≥ σ_2 ≥ … ≥ 0 (min(m, n) of them).
    public var singularValues: [Double]
    /// #{j : σ_j > τ·σ_1} (0 for the zero matrix).
    public var rank: Int
    /// ‖A‖²_F / ‖A‖²_2 = Σ_j σ_j² / σ_1² ∈ [1, rank] (NaN for the zero matrix).
    public var stableRank: Double
}

/// Principal angles between span(M̄) and the top right-singular subspace of a weight matrix.
public struct SubspaceAlignment: Sendable, Equatable {
    /// cos θ_1 ≥ cos θ_2 ≥ …, the principal-angle cosines (min(q, p) of them).
    public var cosines: [Double]
    /// avg_j sin² θ_j = 1 − avg_j cos² θ_j ∈ [0, 1]: 0 when one subspace contains the other, 1 when orthogonal.
    public var meanSquaredSine: Double
}

extension NC {
    /// The spectrum of `a` (thin SVD, LAPACK dgesdd). The rank counts σ_j > τ·(σ_1 + ‖S‖_2), with τ defaulting to
    /// max(m, n)·ε as in NumPy's `matrix_rank`:
    /// - `subtractedNorm` = ‖S‖_2 = 0 for a matrix as given: NumPy's threshold τ·σ_1;
    /// - for a = B − S computed in floating point (the centered class means M̄_cᵀ = M̄ᵀ − 1μ_Gᵀ, where
    ///   ‖1μ_Gᵀ‖_2 = √K·‖μ_G‖_2), each entry of a carries round-off of order ε·(|B_ij| + |S_ij|), and by Weyl's
    ///   inequality every σ_j moves by up to that error's norm, ≈ ε·‖S‖ when S dominates. A common offset of
    ///   1000 on features of scale 3 thus leaves σ_j ≈ 1e-13 where the exact value is 0, far above τ·σ_1.
    public static func spectrum(of a: Matrix<Double>, relativeTolerance: Double? = nil, subtractedNorm: Double = 0,
                                layer: String = "features", what: String = "matrix") throws -> Spectrum {
        let s = try svd(a, layer: layer, what: what).singularValues
        let tau = relativeTolerance ?? defaultTolerance(dimension: a.rows, classes: a.cols)
        guard let s1 = s.first, s1 > 0 else { return Spectrum(singularValues: s, rank: 0, stableRank: .nan) }
        let cutoff = tau * (s1 + subtractedNorm)
        let rank = s.filter { $0 > cutoff }.count
        let stable = s.reduce(0) { $0 + ($1 / s1) * ($1 / s1) }
        return Spectrum(singularValues: s, rank: rank, stableRank: stable)
    }

    /// Weight–feature alignment for a layer W_l ∈ R^{m×d} acting on features with class means M̄ ∈ R^{d×K}
    /// (Rangamani, Lindegaard, Galanti & Poggio, ICML 2023: the top singular vectors of W_l align with the
    /// class means of its input features):
    ///
    ///     Q = orthonormal basis of span(M̄): the q right singular vectors of M̄ᵀ with σ_j > τ·σ_1;
    ///     V = the top p = min(K, rank W_l) right singular vectors of W_l (a basis of R^d directions);
    ///     cos θ_j = σ_j(Q Vᵀ) (Björck & Golub 1973), j = 1 … min(q, p);  summary = avg_j sin² θ_j.
    ///
    /// With K ≤ d, q = rank M̄ and p = K, so θ compares two K-dimensional subspaces of R^d.
    public static func alignment(means: Matrix<Double>, weight w: Matrix<Double>, relativeTolerance: Double? = nil,
                                 layer: String = "features") throws -> SubspaceAlignment {
        precondition(means.cols == w.cols, "alignment: means are K×\(means.cols), W is \(w.rows)×\(w.cols)")
        let K = means.rows
        let sm = try svd(means, layer: layer, what: "the class means")
        let sw = try svd(w, layer: layer, what: "the weight matrix")
        let tm = relativeTolerance ?? defaultTolerance(dimension: means.cols, classes: K)
        let tw = relativeTolerance ?? defaultTolerance(dimension: w.rows, classes: w.cols)
        let q = sm.singularValues.filter { $0 > tm * (sm.singularValues.first ?? 0) }.count
        let p = Swift.min(K, sw.singularValues.filter { $0 > tw * (sw.singularValues.first ?? 0) }.count)
        guard q > 0, p > 0 else { return SubspaceAlignment(cosines: [], meanSquaredSine: .nan) }
        let c = Matrix.product(sm.vt.rows(0..<q), sw.vt.rows(0..<p), transposeB: true)  // q×p
        let cosines = try svd(c, layer: layer, what: "the principal-angle matrix").singularValues.map { Swift.min($0, 1) }
        let sin2 = cosines.reduce(0) { $0 + (1 - $1 * $1) } / Double(cosines.count)
        return SubspaceAlignment(cosines: cosines, meanSquaredSine: Swift.max(sin2, 0))
    }
}
