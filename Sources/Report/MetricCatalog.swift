/// What each `metrics.csv` column family means and how its panel is labelled: the one place where the
/// figures' titles, axis labels and captions are written.
///
/// Per-level families carry the level as a suffix (`nc1_2`, `nc1_stage4`); see `MetricsTable` for the
/// column contract. The definitions follow Tirer & Bruna (ICML 2022, Sec. 4) and Papyan, Han & Donoho
/// (PNAS 2020); docs/metrics.md gives the exact formulas the toolkit computes.
public struct MetricFamily: Sendable {
    /// The column prefix and figure name (`nc1` → columns `nc1_<l>`, file `figures/nc1.svg`).
    public var key: String
    public var title: String
    public var yLabel: String
    public var caption: String
    /// Whether the panel appears in `overview.svg`.
    public var inOverview: Bool
    /// The floor of a log axis (`Panel.logFloor`): values below it are round-off, not collapse.
    public var logFloor: Double? = nil
}

extension MetricFamily {
    /// Machine epsilon of Double, 2.2e-16: NC1 below it (down to ε² ≈ 1e-32, as variances of features equal
    /// to their class means up to rounding come out) is round-off noise, so its axes stop there.
    public static let roundOffFloor = Double.ulpOfOne
}

public enum MetricCatalog {
    /// The per-level families, in the order the figures show them.
    public static let perLevel: [MetricFamily] = [
        MetricFamily(
            key: "nc1", title: "NC1: within-class variability", yLabel: "NC1 = Tr(Σ_{W} Σ_{B}^{+})/K",
            caption: "NC1 = Tr(Σ_W Σ_B⁺)/K per feature level: Σ_W is the within-class and Σ_B the between-class "
                + "covariance of that level's features, ⁺ the pseudo-inverse (Papyan, Han & Donoho 2020; Tirer & Bruna "
                + "2022, Sec. 4). It is 0 when every feature equals its class mean; values below machine epsilon "
                + "(2.2e-16) are round-off and drawn at that floor.",
            inOverview: true, logFloor: MetricFamily.roundOffFloor),
        MetricFamily(
            key: "nc1_trace", title: "NC1 (trace ratio)", yLabel: "Tr(Σ_{W}) / Tr(Σ_{B})",
            caption: "Tr(Σ_W)/Tr(Σ_B) per feature level: the within-class spread relative to the spread of the class means.",
            inOverview: false, logFloor: MetricFamily.roundOffFloor),
        MetricFamily(
            key: "nc2_of", title: "NC2: class means vs. orthogonal frame", yLabel: "NC2 (OF) = ‖Ĝ − I_{K}/√K‖_{F}",
            caption: "Distance of the class means' normalized Gram matrix Ĝ = MᵀM/‖MᵀM‖_F (M: the d×K matrix of class "
                + "means, not centered) from the orthogonal frame I_K/√K, the collapse geometry without a bias "
                + "(Tirer & Bruna 2022, Thm. 3.2).",
            inOverview: true),
        MetricFamily(
            key: "nc2_etf", title: "NC2: class means vs. simplex ETF", yLabel: "NC2 (ETF) = ‖Ĝ − E_{K}‖_{F}",
            caption: "Distance of the globally centered class means' normalized Gram matrix Ĝ from the simplex "
                + "equiangular tight frame E_K = (I_K − 11ᵀ/K)/√(K−1), the collapse geometry with an unregularized "
                + "bias (Tirer & Bruna 2022, Thm. 3.3).",
            inOverview: true),
        MetricFamily(
            key: "nc3", title: "NC3: classifier aligned with class means", yLabel: "NC3 = ‖Ŵ − M̂^{⊤}‖_{F}",
            caption: "Distance between the classifier and the class means, each normalized to unit Frobenius norm: "
                + "Ŵ = W/‖W‖_F, M̂ = M/‖M‖_F (self-duality; Papyan, Han & Donoho 2020).",
            inOverview: true),
        MetricFamily(
            key: "nc4", title: "NC4: nearest-class-center agreement", yLabel: "NC4 (mismatch rate)",
            caption: "Fraction of samples whose predicted class differs from the class of the nearest class mean "
                + "(Papyan, Han & Donoho 2020).",
            inOverview: false),
        MetricFamily(
            key: "nc3_centered", title: "NC3 (centered means)", yLabel: "‖Ŵ − M̂_{c}^{⊤}‖_{F}",
            caption: "NC3 with the globally centered class means M_c = M − μ_G1ᵀ, the self-duality of the biased case "
                + "(Papyan, Han & Donoho 2020).",
            inOverview: false),
        MetricFamily(
            key: "nc2w_of", title: "NC2 of the classifier vs. orthogonal frame", yLabel: "‖WWᵀ/‖WWᵀ‖_{F} − I_{K}/√K‖_{F}",
            caption: "The orthogonal-frame distance of the classifier's normalized Gram matrix WWᵀ.", inOverview: false),
        MetricFamily(
            key: "nc2w_etf", title: "NC2 of the classifier vs. simplex ETF", yLabel: "‖Ĝ_{W} − E_{K}‖_{F}",
            caption: "The simplex-ETF distance of the classifier's normalized Gram matrix WWᵀ.", inOverview: false),
        MetricFamily(
            key: "alignment_sin2", title: "Weight–feature alignment", yLabel: "mean sin² θ",
            caption: "Mean squared sine of the principal angles between the span of a level's class means and the top-K "
                + "right singular subspace of the weight that acts on it (Rangamani et al., ICML 2023); 0 when aligned.",
            inOverview: false),
        MetricFamily(
            key: "cdnv", title: "CDNV: class-distance normalized variance", yLabel: "CDNV",
            caption: "Average over class pairs of (Var_k + Var_k′)/(2‖μ_k − μ_k′‖²) (Galanti, György & Hutter 2022).",
            inOverview: false),
        MetricFamily(
            key: "equinorm", title: "Equinorm of the class means", yLabel: "std/mean of ‖μ_k − μ_G‖",
            caption: "Coefficient of variation of the centered class-mean norms (Papyan, Han & Donoho 2020).", inOverview: false),
        MetricFamily(
            key: "equiangularity", title: "Equiangularity of the class means", yLabel: "std of cos(μ_k − μ_G, μ_k′ − μ_G)",
            caption: "Standard deviation of the cosines between centered class means (Papyan, Han & Donoho 2020).",
            inOverview: false),
        MetricFamily(
            key: "means_rank", title: "Numerical rank of the centered class means", yLabel: "rank M_c",
            caption: "The number of singular values of the centered class means M_c above max(d, K)·ε·σ₁ per feature level: "
                + "K − 1 under neural collapse with a bias, lower for the low-rank solutions of Súkeník, Mondelli & "
                + "Lampert (NeurIPS 2024).", inOverview: false),
        MetricFamily(
            key: "means_rank_eff", title: "Effective rank of the centered class means", yLabel: "#{σ_{j} > 10^{−2}σ_{1}}",
            caption: "The number of singular values of the centered class means M_c above 1% of the largest, per feature "
                + "level: the rank a run is heading to while the discarded directions are small but not yet at round-off "
                + "(Súkeník, Mondelli & Lampert, NeurIPS 2024).", inOverview: false),
    ]

    /// The family of a per-level column and the level it names: `nc1_trace_2` → (nc1_trace, "2"),
    /// `nc1_stage4` → (nc1, "stage4"), `nc1` → (nc1, ""). nil if the column is no per-level metric.
    public static func classify(_ column: String) -> (family: MetricFamily, level: String)? {
        var best: (MetricFamily, String)?
        for f in perLevel {
            if column == f.key { return (f, "") }
            if column.hasPrefix(f.key + "_"), column.count > f.key.count + 1,
               best.map({ f.key.count > $0.0.key.count }) ?? true {
                best = (f, String(column.dropFirst(f.key.count + 1)))
            }
        }
        return best
    }

    /// The legend label of a level: "level 2 (H₂)" for a number, the layer name otherwise.
    public static func levelLabel(_ level: String) -> String {
        guard let l = Int(level), l >= 0 else { return level }
        let sub: [Character] = ["₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
        return "level \(l) (H" + String(String(l).map { sub[Int(String($0))!] }) + ")"
    }

    /// The x axis label for the first column's name.
    public static func xLabel(_ column: String) -> String {
        switch column {
        case "step": "step (gradient-descent iterations)"
        case "epoch": "epoch (passes over the training set)"
        case "iteration": "iteration"
        default: column
        }
    }
}
