import Foundation
import Linalg

/// The quantities that distinguish the classes of an unbalanced problem.
public struct ImbalanceMetrics: Sendable, Equatable {
    /// ‖μ_k‖, the norm of each (uncentered) class mean.
    public var meanNorms: [Double]
    /// ‖μ_k − μ_G‖ with μ_G as chosen.
    public var centeredMeanNorms: [Double]
    /// The choice of μ_G behind `centeredMeanNorms`.
    public var globalMean: GlobalMean
    /// ‖w_k‖, the norm of each classifier row (empty without a classifier).
    public var classifierRowNorms: [Double]
    /// nc2_gof = ‖G − diag(G)‖_F / ‖G‖_F for G = M̄ᵀM̄: how far the means are from a general orthogonal
    /// frame (mutually orthogonal, any norms). In [0, 1]; NaN when G = 0.
    public var nc2GeneralFrame: Double
    /// The same for G = WWᵀ (NaN without a classifier).
    public var nc2wGeneralFrame: Double
    /// The mean pairwise angle (radians) between the classifier rows of the minority classes (n_k < max n_k);
    /// it tends to 0 under minority collapse. NaN with fewer than two minority classes or a zero row.
    public var minorityAngle: Double
}

extension NC {
    /// Per-class norms, the general-orthogonal-frame NC2 and the minority angle (docs/metrics.md, "Imbalance").
    ///
    /// - nc2_gof (Dang et al., ICML 2023: bias-free MSE deep linear optima have H̄ᵀH̄ diagonal with entries set
    ///   by the counts) = ‖G − diag(G)‖_F/‖G‖_F, G = M̄ᵀM̄, and the same for G = WWᵀ;
    /// - minority angle (Fang et al., PNAS 2021, minority collapse: the minority classifiers collapse onto each
    ///   other) = avg over minority pairs k < k' of arccos(⟨w_k, w_k'⟩/(‖w_k‖‖w_k'‖)).
    public static func imbalance(_ s: ClassStatistics, classifier w: Matrix<Double>? = nil,
                                 globalMean: GlobalMean = .classMeans) throws -> ImbalanceMetrics {
        try s.validate()
        if let w, w.rows != s.classes || w.cols != s.dimension {
            throw CollapseError.shapeMismatch(layer: s.layer, what: "classifier W", expected: "\(s.classes)×\(s.dimension)",
                                              found: "\(w.rows)×\(w.cols)")
        }
        let K = s.classes
        let g = gram(rows: s.means)
        let gc = gram(rows: s.centeredMeans(about: globalMean))
        let gw = w.map { gram(rows: $0) }
        let rowNorms = gw.map { m in (0..<K).map { m[$0, $0].squareRoot() } } ?? []
        let largest = s.counts.max() ?? 0
        let minority = (0..<K).filter { s.counts[$0] < largest }
        var angles: [Double] = []
        if let gw {
            for (a, k) in minority.enumerated() {
                for l in minority[(a + 1)...] {
                    let den = rowNorms[k] * rowNorms[l]
                    angles.append(den > 0 ? acos(Swift.max(-1, Swift.min(1, gw[k, l] / den))) : .nan)
                }
            }
        }
        return ImbalanceMetrics(
            meanNorms: (0..<K).map { g[$0, $0].squareRoot() }, centeredMeanNorms: (0..<K).map { gc[$0, $0].squareRoot() },
            globalMean: globalMean, classifierRowNorms: rowNorms, nc2GeneralFrame: offDiagonalFraction(g),
            nc2wGeneralFrame: gw.map(offDiagonalFraction) ?? .nan, minorityAngle: angles.count >= 1 ? mean(angles) : .nan)
    }

    /// ‖G − diag(G)‖_F / ‖G‖_F (NaN when G = 0).
    static func offDiagonalFraction(_ g: Matrix<Double>) -> Double {
        let total = g.frobeniusNorm
        guard total > 0 else { return .nan }
        var off = 0.0
        for i in 0..<g.rows { for j in 0..<g.cols where i != j { off += g[i, j] * g[i, j] } }
        return off.squareRoot() / total
    }

    /// NC2 against a predicted general orthogonal frame: ‖G/‖G‖_F − P/‖P‖_F‖_F with P = diag(p_1 … p_K)
    /// the predicted squared norms (Dang et al., ICML 2023; docs/theory.md §9). In [0, 2]; NaN when G = 0 or p = 0.
    public static func gramDistance(_ g: Matrix<Double>, toDiagonal p: [Double]) -> Double {
        precondition(g.rows == g.cols && g.rows == p.count, "gramDistance(toDiagonal:) needs a K×K Gram and K entries")
        let norm = g.frobeniusNorm, pn = p.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, pn > 0 else { return .nan }
        var d2 = 0.0
        for i in 0..<g.rows {
            for j in 0..<g.cols {
                let t = g[i, j] / norm - (i == j ? p[i] / pn : 0)
                d2 += t * t
            }
        }
        return d2.squareRoot()
    }

    /// Each class's share of nc1 = (1/K)·Tr(Σ_W Σ_B^†) for class-major columns H (d×N) with counts n_k:
    ///
    ///     c_k = (1/(K·N))·Tr(S_k Σ_B^†) = (1/(K·N))·Σ_{i: y_i = k} Σ_{j ≤ r} (u_jᵀ(z_i − μ_k))²/λ_j,
    ///
    /// with the eigenpairs (λ_j, u_j) of Σ_B = (1/K)M̄_cM̄_cᵀ and r exactly as in `withinClassVariability`,
    /// so Σ_k c_k = nc1 (Papyan, Han & Donoho, PNAS 2020, Fig. 6, split by class as S_W = Σ_k S_k).
    /// NaN for every class when Σ_B = 0.
    public static func withinClassContributions(columns h: Matrix<Double>, statistics s: ClassStatistics,
                                                relativeTolerance: Double? = nil) throws -> [Double] {
        try s.validate()
        let K = s.classes, d = s.dimension, N = s.sampleCount
        guard h.rows == d, h.cols == N else {
            throw CollapseError.shapeMismatch(layer: s.layer, what: "H", expected: "\(d)×\(N)", found: "\(h.rows)×\(h.cols)")
        }
        let tau = relativeTolerance ?? defaultTolerance(dimension: d, classes: K)
        let svd = try NC.svd(s.centeredMeans, layer: s.layer, what: "the centered class means")
        let lambda = svd.singularValues.map { $0 * $0 / Double(K) }
        guard let l1 = lambda.first, l1 > 0 else { return Array(repeating: .nan, count: K) }
        let r = lambda.prefix { $0 > tau * l1 }.count
        let ur = svd.vt.rows(0..<r)                 // r×d
        let proj = Matrix.product(ur, h)            // U_rᵀ H, r×N
        let projMeans = Matrix.product(ur, s.means, transposeB: true)  // U_rᵀ M̄, r×K
        var c = [Double](repeating: 0, count: K)
        var start = 0
        for k in 0..<K {
            var t = 0.0
            for j in 0..<r {
                var q = 0.0
                for i in start..<(start + s.counts[k]) { let v = proj[j, i] - projMeans[j, k]; q += v * v }
                t += q / lambda[j]
            }
            c[k] = t / Double(K * N)
            start += s.counts[k]
        }
        return c
    }
}
