import Collapse
import Linalg

/// The metrics.csv columns of a UFM run and how a logged snapshot fills them.
///
/// Columns: `step`, `objective`, `fit`, `gradient_norm`, then for every feature level l = 1 … L (the
/// features Z_l, Z_1 = H_1): `nc1_l`, `nc1_trace_l`, `nc2_of_l`, `nc2_etf_l`, and `alignment_sin2_l`, the
/// mean sin² of the principal angles between span(M̄_l) and the top-K right singular subspace of W_l
/// (Rangamani et al., ICML 2023: the weight–feature alignment of layers whose W_l is not K×d), and
/// `means_rank_l`, the numerical rank of the centered class means M̄_l − μ_G1ᵀ (`NC.spectrum`: singular
/// values above max(d_l, K)·ε·σ₁; the low-rank solutions of Súkeník, Mondelli & Lampert, NeurIPS 2024), and
/// `means_rank_eff_l`, its effective rank #{σ_j > 10⁻²·σ₁} (`effectiveRankThreshold`): an iterate on its way
/// to a low-rank solution has the discarded directions small but not yet at round-off;
/// for the last level also `nc3_L` and `nc4_L` against the classifier (W_L, b). For the linear model
/// (σ = identity), `nc3_l` and `nc4_l` are logged at every level against the end-to-end classifier
/// W_L⋯W_l (and b), the map Tirer & Bruna's Theorem 4.1 speaks about. Definitions: docs/metrics.md
/// (computed on the exact class-major path, `ClassStatistics(columns:counts:)`).
public enum UFMMetrics {
    /// Per-level metric names (without the `_l` suffix) logged for every level.
    public static let levelNames = ["nc1", "nc1_trace", "nc2_of", "nc2_etf", "alignment_sin2", "means_rank", "means_rank_eff"]

    /// σ_j/σ₁ above which a singular value counts for the effective rank (`means_rank_eff_l`).
    public static let effectiveRankThreshold = 1e-2

    /// #{σ_j > threshold·σ₁} of singular values sorted in decreasing order (0 for none or σ₁ = 0).
    public static func effectiveRank(_ singularValues: [Double], threshold: Double = effectiveRankThreshold) -> Int {
        guard let s1 = singularValues.first, s1 > 0 else { return 0 }
        return singularValues.filter { $0 > threshold * s1 }.count
    }
    /// Extra names logged for the last level only.
    public static let lastLevelNames = ["nc3", "nc4"]

    public static func columns(for spec: ModelSpec) -> [String] {
        var c = ["step", "objective", "fit", "gradient_norm"]
        for l in 1...spec.depth {
            c += levelNames.map { "\($0)_\(l)" }
            if l == spec.depth || spec.activation == .none { c += lastLevelNames.map { "\($0)_\(l)" } }
        }
        return c + (spec.isBalanced ? [] : unbalancedColumns(for: spec))
    }

    /// Extra columns of a run with unbalanced counts (docs/metrics.md, "Imbalance"): per level l,
    /// `nc2_gof_l` (off-diagonal share of M̄ᵀM̄), `nc2_gof_pred_l` (M̄ᵀM̄ against the predicted general
    /// orthogonal frame, NaN without a per-class prediction), and per class k (0-based) `mean_norm_c{k}_l`
    /// (‖μ_k‖) and `nc1_c{k}_l` (class k's share of nc1_l); for the classifier W_L: `w_norm_c{k}` (‖w_k‖),
    /// `nc2w_gof` and `minority_angle` (mean angle between the minority classes' rows, radians).
    public static func unbalancedColumns(for spec: ModelSpec) -> [String] {
        var c: [String] = []
        for l in 1...spec.depth {
            c += ["nc2_gof_\(l)", "nc2_gof_pred_\(l)"]
            c += (0..<spec.classes).map { "mean_norm_c\($0)_\(l)" } + (0..<spec.classes).map { "nc1_c\($0)_\(l)" }
        }
        return c + (0..<spec.classes).map { "w_norm_c\($0)" } + ["nc2w_gof", "minority_angle"]
    }

    /// The row of a snapshot (column name → value).
    ///
    /// Computes only the logged metrics, through the same `Collapse` routines and formulas as
    /// `NCMetrics.compute` (which also computes spectra, alignments and CDNV that a run does not log):
    /// one `ClassStatistics` per level, then NC1 (`NC.withinClassVariability`), NC2 (`NC.gramDistance`),
    /// and for the last level NC3 (`NC.selfDuality`) and NC4 (`NearestClassCenterAgreement`, a second pass).
    public static func row(_ s: TrainingSnapshot) throws -> [String: Double] { try measure(s).row }

    /// The spectra of one level at a snapshot: the singular values of the centered class means M̄_l − μ_G1ᵀ
    /// and of the uncentered M̄_l, with their numerical ranks (for summary.json).
    public struct LevelSpectra: Sendable {
        public var level: Int
        public var centered: Spectrum
        public var uncentered: Spectrum
    }

    /// The row of a snapshot and the spectra of its class means at every level.
    public static func measure(_ s: TrainingSnapshot) throws -> (row: [String: Double], spectra: [LevelSpectra]) {
        let spec = s.parameters.spec
        var spectra: [LevelSpectra] = []
        var row: [String: Double] = ["step": Double(s.step), "objective": s.objective, "fit": s.fit, "gradient_norm": s.gradientNorm]
        // The end-to-end classifiers W_L⋯W_l of the linear model, l = L … 1 (only W_L otherwise).
        var classifiers: [Int: Matrix<Double>] = [spec.depth: s.parameters.w(spec.depth)]
        if spec.activation == .none, spec.depth > 1 {
            for l in stride(from: spec.depth - 1, through: 1, by: -1) {
                classifiers[l] = classifiers[l + 1]! * s.parameters.w(l)
            }
        }
        let perClass = spec.isBalanced ? nil : (try? Theory.predict(spec))?.classPredictions
        for l in 1...spec.depth {
            let z = s.features[l - 1]
            let stats = try ClassStatistics(columns: z, counts: spec.counts, layer: "level \(l) (Z_\(l))")
            let w = try NC.withinClassVariability(stats)
            row["nc1_\(l)"] = w.nc1
            row["nc1_trace_\(l)"] = w.nc1Trace
            row["nc2_of_\(l)"] = NC.gramDistance(NC.gram(rows: stats.means), to: .orthogonalFrame)
            row["nc2_etf_\(l)"] = NC.gramDistance(NC.gram(rows: stats.centeredMeans), to: .simplexETF)
            row["alignment_sin2_\(l)"] = try NC.alignment(means: stats.means, weight: s.parameters.w(l),
                                                      layer: "level \(l) (Z_\(l))").meanSquaredSine
            let centered = try NC.spectrum(of: stats.centeredMeans, layer: "level \(l) (Z_\(l))", what: "the centered class means")
            let uncentered = try NC.spectrum(of: stats.means, layer: "level \(l) (Z_\(l))", what: "the class means")
            row["means_rank_\(l)"] = Double(centered.rank)
            row["means_rank_eff_\(l)"] = Double(effectiveRank(centered.singularValues))
            spectra.append(LevelSpectra(level: l, centered: centered, uncentered: uncentered))
            if let weight = classifiers[l] {
                let classifier = Classifier(weight: weight, bias: s.parameters.b)
                row["nc3_\(l)"] = NC.selfDuality(weight: classifier.weight, means: stats.means)
                var agreement = try NearestClassCenterAgreement(statistics: stats, classifier: classifier)
                try agreement.add(columns: z)
                row["nc4_\(l)"] = agreement.value
            }
            if !spec.isBalanced {
                let weight = l == spec.depth ? s.parameters.w(l) : nil
                let m = try NC.imbalance(stats, classifier: weight)
                let share = try NC.withinClassContributions(columns: z, statistics: stats)
                row["nc2_gof_\(l)"] = m.nc2GeneralFrame
                row["nc2_gof_pred_\(l)"] = perClass.map { p in
                    NC.gramDistance(NC.gram(rows: stats.means), toDiagonal: p.map { $0.meanNorms[l - 1] * $0.meanNorms[l - 1] })
                } ?? .nan
                for k in 0..<spec.classes {
                    row["mean_norm_c\(k)_\(l)"] = m.meanNorms[k]
                    row["nc1_c\(k)_\(l)"] = share[k]
                }
                if weight != nil {
                    for k in 0..<spec.classes { row["w_norm_c\(k)"] = m.classifierRowNorms[k] }
                    row["nc2w_gof"] = m.nc2wGeneralFrame
                    row["minority_angle"] = m.minorityAngle
                }
            }
        }
        return (row, spectra)
    }
}
