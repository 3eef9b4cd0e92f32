import Linalg

/// NC1, within-class variability collapse, in its three forms.
public struct WithinClassVariability: Sendable, Equatable {
    /// nc1 = (1/K)·Tr(Σ_W Σ_B^†).
    public var nc1: Double
    /// nc1_trace = Tr(Σ_W) / Tr(Σ_B).
    public var nc1Trace: Double
    /// nc1_topk = Σ_{j ≤ min(K−1, r)} (u_jᵀ Σ_W u_j)/λ_j: Tr(Σ_W Σ_B^†) over the top K−1 eigenpairs of Σ_B,
    /// without the 1/K factor.
    public var nc1TopK: Double
    /// λ_1 ≥ λ_2 ≥ … the nonzero-candidate eigenvalues of Σ_B (min(K, d) of them, from the SVD of M̄_c/√K).
    public var betweenEigenvalues: [Double]
    /// r, the number of eigenvalues kept in Σ_B^† (λ_j > τ·λ_1).
    public var pseudoInverseRank: Int
}

extension NC {
    /// NC1 from class statistics (Papyan, Han & Donoho, PNAS 2020, Fig. 6: Tr(Σ_W Σ_B^†)/C; Tirer & Bruna,
    /// ICML 2022, the NC1 of their experiments on the extended UFM), without any d×d eigendecomposition:
    ///
    ///     M̄_c/√K = U S Vᵀ (thin SVD, computed as the SVD of the K×d matrix M̄_cᵀ),
    ///     Σ_B = (1/K) M̄_c M̄_cᵀ = U S² Uᵀ,  λ_j = s_j²,
    ///     Σ_B^† = Σ_{j ≤ r} λ_j⁻¹ u_j u_jᵀ  over the r eigenvalues λ_j > τ·λ_1,
    ///     Tr(Σ_W Σ_B^†) = Σ_{j ≤ r} λ_j⁻¹ · u_jᵀ Σ_W u_j.
    ///
    /// Σ_W enters only through Σ_W·U_r (one d×d by d×r product), as rank(Σ_B) ≤ K−1. Each quadratic form
    /// u_jᵀ Σ_W u_j is ≥ 0 in exact arithmetic; round-off below zero (features collapsed to ~1e-16) is
    /// clipped to 0, so nc1 ≥ 0 always. When every class mean coincides (Σ_B = 0) all three values are NaN.
    ///
    /// - Parameter relativeTolerance: τ; nil means `NC.defaultTolerance` = max(d, K)·ε.
    public static func withinClassVariability(_ s: ClassStatistics, relativeTolerance: Double? = nil) throws -> WithinClassVariability {
        try s.validate()
        let K = s.classes, d = s.dimension, N = Double(s.sampleCount)
        let tau = relativeTolerance ?? defaultTolerance(dimension: d, classes: K)
        let mc = s.centeredMeans                                   // M̄_cᵀ, K×d
        let svd = try NC.svd(mc, layer: s.layer, what: "the centered class means")
        let lambda = svd.singularValues.map { $0 * $0 / Double(K) } // eigenvalues of Σ_B, descending
        let traceW = s.withinScatterTrace / N
        let traceB = lambda.reduce(0, +)
        guard let l1 = lambda.first, l1 > 0 else {
            return WithinClassVariability(nc1: .nan, nc1Trace: .nan, nc1TopK: .nan, betweenEigenvalues: lambda, pseudoInverseRank: 0)
        }
        let r = lambda.prefix { $0 > tau * l1 }.count
        // The left singular vectors of M̄_c are the rows of Vᵀ from the SVD of M̄_cᵀ: U_rᵀ = Vᵀ[0..<r, :].
        let ur = svd.vt.rows(0..<r)                                // r×d
        var scatter = s.withinScatter
        scatter.scale(by: 1 / N)                                   // Σ_W
        let p = Matrix.product(ur, scatter)                        // U_rᵀ Σ_W, r×d
        var full = 0.0, topK = 0.0
        for j in 0..<r {
            var q = 0.0
            for c in 0..<d { q += p[j, c] * ur[j, c] }             // u_jᵀ Σ_W u_j
            let term = Swift.max(q, 0) / lambda[j]
            full += term
            if j < K - 1 { topK += term }
        }
        return WithinClassVariability(nc1: full / Double(K), nc1Trace: traceW / traceB, nc1TopK: topK,
                                      betweenEigenvalues: lambda, pseudoInverseRank: r)
    }
}
