import Collapse
import Linalg

/// The metrics.csv columns of a UFM run and how a logged snapshot fills them.
///
/// Columns: `step`, `objective`, `fit`, `gradient_norm`, then for every feature level l = 1 … L (the
/// features Z_l, Z_1 = H_1): `nc1_l`, `nc1_trace_l`, `nc2_of_l`, `nc2_etf_l`; for the last level also
/// `nc3_L` and `nc4_L` against the classifier (W_L, b). Definitions: docs/metrics.md (computed by
/// `NCMetrics.measure(columns:…)` on the exact class-major path).
public enum UFMMetrics {
    /// Per-level metric names (without the `_l` suffix) logged for every level.
    public static let levelNames = ["nc1", "nc1_trace", "nc2_of", "nc2_etf"]
    /// Extra names logged for the last level only.
    public static let lastLevelNames = ["nc3", "nc4"]

    public static func columns(for spec: ModelSpec) -> [String] {
        var c = ["step", "objective", "fit", "gradient_norm"]
        for l in 1...spec.depth {
            c += levelNames.map { "\($0)_\(l)" }
            if l == spec.depth { c += lastLevelNames.map { "\($0)_\(l)" } }
        }
        return c
    }

    /// The row of a snapshot (column name → value).
    public static func row(_ s: TrainingSnapshot) throws -> [String: Double] {
        let spec = s.parameters.spec
        var row: [String: Double] = ["step": Double(s.step), "objective": s.objective, "fit": s.fit, "gradient_norm": s.gradientNorm]
        for l in 1...spec.depth {
            let last = l == spec.depth
            let classifier = last ? Classifier(weight: s.parameters.w(spec.depth), bias: s.parameters.b) : nil
            let m = try NCMetrics.measure(columns: s.features[l - 1], classes: spec.classes, classifier: classifier,
                                          layer: "level \(l) (Z_\(l))")
            for name in levelNames + (last ? lastLevelNames : []) { row["\(name)_\(l)"] = m[name] ?? .nan }
        }
        return row
    }
}
