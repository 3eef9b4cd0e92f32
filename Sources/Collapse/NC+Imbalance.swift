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
        let N = s.sampleCount
        guard h.rows == s.dimension, h.cols == N else {
            throw CollapseError.shapeMismatch(layer: s.layer, what: "H", expected: "\(s.dimension)×\(N)", found: "\(h.rows)×\(h.cols)")
        }
        guard let b = try betweenClassBasis(s, relativeTolerance: relativeTolerance) else { return Array(repeating: .nan, count: s.classes) }
        let proj = Matrix.product(b.ur, h)                  // U_rᵀ H, r×N
        var c = [Double](repeating: 0, count: s.classes)
        var start = 0
        for k in 0..<s.classes {
            var t = 0.0
            for j in 0..<b.lambda.count {
                var q = 0.0
                for i in start..<(start + s.counts[k]) { let v = proj[j, i] - b.projMeans[j, k]; q += v * v }
                t += q / b.lambda[j]
            }
            c[k] = t / Double(s.classes * N)
            start += s.counts[k]
        }
        return c
    }

    /// The same shares c_k for samples as rows (Z is N×d, in any order) with their labels, as a network's
    /// features arrive; the labels must give exactly the counts of `s`.
    public static func withinClassContributions(rows z: Matrix<Double>, labels: [Int], statistics s: ClassStatistics,
                                                relativeTolerance: Double? = nil) throws -> [Double] {
        try s.validate()
        let K = s.classes, N = s.sampleCount
        guard z.cols == s.dimension, z.rows == N else {
            throw CollapseError.shapeMismatch(layer: s.layer, what: "Z", expected: "\(N)×\(s.dimension)", found: "\(z.rows)×\(z.cols)")
        }
        guard labels.count == N else { throw CollapseError.lengthMismatch(layer: s.layer, what: "labels", expected: N, found: labels.count) }
        var seen = [Int](repeating: 0, count: K)
        for (i, y) in labels.enumerated() {
            guard y >= 0, y < K else { throw CollapseError.labelOutOfRange(layer: s.layer, sample: i, label: y, classes: K) }
            seen[y] += 1
        }
        for k in 0..<K where seen[k] != s.counts[k] {
            throw CollapseError.lengthMismatch(layer: s.layer, what: "samples of class \(k)", expected: s.counts[k], found: seen[k])
        }
        guard let b = try betweenClassBasis(s, relativeTolerance: relativeTolerance) else { return Array(repeating: .nan, count: K) }
        let proj = Matrix.product(z, b.ur, transposeB: true)  // Z U_r, N×r
        var c = [Double](repeating: 0, count: K)
        for i in 0..<N {
            let k = labels[i]
            var t = 0.0
            for j in 0..<b.lambda.count { let v = proj[i, j] - b.projMeans[j, k]; t += v * v / b.lambda[j] }
            c[k] += t
        }
        return c.map { $0 / Double(K * N) }
    }

    /// The r leading eigenpairs of Σ_B = (1/K)M̄_cM̄_cᵀ kept by nc1's rank rule (λ_j > τ·λ_1), as U_rᵀ (r×d),
    /// λ_1 … λ_r and the projected class means U_rᵀM̄ (r×K); nil when Σ_B = 0.
    private static func betweenClassBasis(_ s: ClassStatistics, relativeTolerance: Double?) throws
        -> (ur: Matrix<Double>, lambda: [Double], projMeans: Matrix<Double>)? {
        let K = s.classes
        let tau = relativeTolerance ?? defaultTolerance(dimension: s.dimension, classes: K)
        let svd = try NC.svd(s.centeredMeans, layer: s.layer, what: "the centered class means")
        let lambda = svd.singularValues.map { $0 * $0 / Double(K) }
        guard let l1 = lambda.first, l1 > 0 else { return nil }
        let r = lambda.prefix { $0 > tau * l1 }.count
        let ur = svd.vt.rows(0..<r)
        return (ur, Array(lambda.prefix(r)), Matrix.product(ur, s.means, transposeB: true))
    }
}
