import Linalg

/// All neural-collapse metrics of one feature level, by name (docs/metrics.md has every formula).
///
/// Scalar order of `compute` (the names are the metrics.csv contract):
/// 1. always: `nc1`, `nc1_trace`, `nc1_topk`, `nc2_of`, `nc2_etf`, `cdnv`, `equinorm`, `equiangularity`,
///    `maxangle`, `means_rank`, `means_stable_rank`;
/// 2. with a classifier: `nc2w_of`, `nc2w_etf`, `nc3`, `nc3_centered`, then `nc4` when a second-pass value
///    is given;
/// 3. with a weight matrix (the classifier's W when none is given): `weight_rank`, `weight_stable_rank`,
///    `alignment_sin2`.
/// Vectors: `between_eigenvalues` (of Σ_B), `means_singular_values` (of M̄_c), and with a weight
/// `weight_singular_values`, `alignment_cosines`.
public enum NCMetrics {
    /// The metrics of statistics `s`.
    /// - Parameters:
    ///   - classifier: W ∈ R^{K×d} (and b) of the last layer, for NC2 of W, NC3 and NC4.
    ///   - weight: a layer weight W_l ∈ R^{m×d} acting on these features, for its spectrum and the
    ///     weight–feature alignment; defaults to the classifier's W.
    ///   - nc4: the value of a `NearestClassCenterAgreement` second pass, reported as `nc4`.
    ///   - relativeTolerance: τ of every rank and of Σ_B^† (default max(d, K)·ε, see `NC.defaultTolerance`).
    public static func compute(_ s: ClassStatistics, classifier: Classifier? = nil, weight: Matrix<Double>? = nil,
                               nc4: Double? = nil, relativeTolerance: Double? = nil) throws -> LevelMetrics {
        try s.validate()
        try classifier?.validate(classes: s.classes, dimension: s.dimension, layer: s.layer)
        var out = LevelMetrics()
        if s.meansCoincide {
            out.warnings.append("\(s.layer): every class has the same mean (Σ_B = 0), so NC1, NC2 of the means, CDNV, equinorm and equiangularity are undefined (NaN)")
        }
        let w1 = try NC.withinClassVariability(s, relativeTolerance: relativeTolerance)
        out.append("nc1", w1.nc1)
        out.append("nc1_trace", w1.nc1Trace)
        out.append("nc1_topk", w1.nc1TopK)
        let mc = s.centeredMeans
        out.append("nc2_of", NC.gramDistance(rows: s.means, to: .orthogonalFrame))
        out.append("nc2_etf", NC.gramDistance(rows: mc, to: .simplexETF))
        let geo = try NC.meanGeometry(s)
        out.append("cdnv", geo.cdnv)
        out.append("equinorm", geo.equinorm)
        out.append("equiangularity", geo.equiangularity)
        out.append("maxangle", geo.maxAngle)
        let ms = try NC.spectrum(of: mc, relativeTolerance: relativeTolerance, subtractedNorm: NC.centeringNorm(s),
                                 layer: s.layer, what: "the centered class means")
        out.append("means_rank", Double(ms.rank))
        out.append("means_stable_rank", ms.stableRank)
        out.append("between_eigenvalues", w1.betweenEigenvalues)
        out.append("means_singular_values", ms.singularValues)

        if let c = classifier {
            out.append("nc2w_of", NC.gramDistance(rows: c.weight, to: .orthogonalFrame))
            out.append("nc2w_etf", NC.gramDistance(rows: c.weight, to: .simplexETF))
            out.append("nc3", NC.selfDuality(weight: c.weight, means: s.means))
            out.append("nc3_centered", NC.selfDuality(weight: c.weight, means: mc))
            if let v = nc4 { out.append("nc4", v) }
        }
        if let w = weight ?? classifier?.weight {
            guard w.cols == s.dimension, w.rows >= 1 else {
                throw CollapseError.shapeMismatch(layer: s.layer, what: "weight W_l", expected: "m×\(s.dimension)", found: "\(w.rows)×\(w.cols)")
            }
            guard w.isFinite else { throw CollapseError.nonFiniteParameter(layer: s.layer, what: "weight W_l") }
            let ws = try NC.spectrum(of: w, relativeTolerance: relativeTolerance, layer: s.layer, what: "the weight matrix")
            let al = try NC.alignment(means: s.means, weight: w, relativeTolerance: relativeTolerance, layer: s.layer)
            out.append("weight_rank", Double(ws.rank))
            out.append("weight_stable_rank", ws.stableRank)
            out.append("alignment_sin2", al.meanSquaredSine)
            out.append("weight_singular_values", ws.singularValues)
            out.append("alignment_cosines", al.cosines)
        }
        return out
    }

    /// Every metric of an unconstrained-features level H (d×N, samples as columns, class-major), NC4
    /// included when a classifier is given: the exact path `ClassStatistics(columns:classes:)`, then a
    /// second pass over H for NC4.
    public static func measure(columns h: Matrix<Double>, classes: Int, classifier: Classifier? = nil,
                               weight: Matrix<Double>? = nil, layer: String = "features",
                               relativeTolerance: Double? = nil) throws -> LevelMetrics {
        let s = try ClassStatistics(columns: h, classes: classes, layer: layer)
        var nc4: Double? = nil
        if let c = classifier {
            var agreement = try NearestClassCenterAgreement(statistics: s, classifier: c)
            try agreement.add(columns: h)
            nc4 = agreement.value
        }
        return try compute(s, classifier: classifier, weight: weight, nc4: nc4, relativeTolerance: relativeTolerance)
    }

    /// Every metric of in-memory features Z (N×d, samples as rows, Float or Double) with labels, NC4
    /// included when a classifier is given (two passes over Z).
    public static func measure<T: FeatureScalar>(rows z: Matrix<T>, labels: [Int], classes: Int, classifier: Classifier? = nil,
                                                 weight: Matrix<Double>? = nil, layer: String = "features",
                                                 relativeTolerance: Double? = nil) throws -> LevelMetrics {
        var s = try ClassStatistics(classes: classes, dimension: z.cols, layer: layer)
        try T.add(z, labels: labels[...], to: &s)
        var nc4: Double? = nil
        if let c = classifier {
            var agreement = try NearestClassCenterAgreement(statistics: s, classifier: c)
            try T.add(z, to: &agreement)
            nc4 = agreement.value
        }
        return try compute(s, classifier: classifier, weight: weight, nc4: nc4, relativeTolerance: relativeTolerance)
    }
}
