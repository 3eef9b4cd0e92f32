import Report

extension TheoryPrediction {
    /// The prediction as ordered JSON, for `collapse theory --json` and summary.json's `theory` member.
    ///
    /// Keys: `objective`, `regime` ("collapse" | "zero"), `status` ("global" | "dnc-candidate"),
    /// `geometry` ("orthogonal-frame" | "simplex-etf"), `s_star`, `control` (κ = K·μ, c at L = 1),
    /// `threshold`, `margin` (threshold − control), `scale` {`output` (s*: O̅ − b1ᵀ = s*·G), `features`
    /// [a_1 … a_L] (H̄_lᵀH̄_l = a_l·G), `weights` [b_1 … b_L] (W_lW_lᵀ = b_l·Π_l)}, `bias` (when the model
    /// has one), `collapse_count` and `classes` [{`count`, `survives`, `control`, `output_scale`, `mean_norms`,
    /// `classifier_row_norm`}] (unbalanced bias-free MSE), `reference`, `statement`.
    public var json: JSONValue {
        var o: JSONValue = [
            "objective": .number(objective),
            "regime": .string(regime.rawValue),
            "status": .string(status.rawValue),
            "geometry": .string(geometry.rawValue),
            "s_star": .number(sStar),
            "control": .number(control),
            "threshold": .number(threshold),
            "margin": .number(margin),
            "scale": ["output": .number(sStar), "features": JSONValue(featureScales), "weights": JSONValue(weightScales)],
        ]
        if let b = bias { o.set("bias", JSONValue(b)) }
        if let classes = classPredictions {
            o.set("collapse_count", .number(Theory.collapseCount(spec)))
            o.set("classes", .array(classes.map { c in
                ["count": .number(Double(c.count)), "survives": .bool(c.survives), "control": JSONValue(c.control),
                 "output_scale": .number(c.outputScale), "mean_norms": JSONValue(c.meanNorms),
                 "classifier_row_norm": .number(c.classifierRowNorm)]
            }))
        }
        o.set("reference", .string(reference))
        o.set("statement", .string(statusStatement))
        return o
    }
}

extension Theory {
    /// summary.json's `theory` member for `spec`: the prediction's `json` with `"closed_form": true` first,
    /// or `{"closed_form": false, "reason": …}` when there is no closed form or the spec is invalid.
    public static func json(for spec: ModelSpec) -> JSONValue {
        do {
            let p = try predict(spec)
            guard case .object(let kv) = p.json else { preconditionFailure("prediction JSON is an object") }
            return .object([("closed_form", .bool(true))] + kv)
        } catch {
            return ["closed_form": false, "reason": .string(error.description)]
        }
    }
}
