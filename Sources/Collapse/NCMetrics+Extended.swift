import Linalg

extension NCMetrics {
    /// The metrics of the peers (rhubarbwu/neural-collapse, tding1/Neural-Collapse) beyond `compute`, by name
    /// (docs/metrics.md): always `gnc2_log`, `gnc2_log_var`, `gnc2_riesz`, `gnc2_riesz_var` (Riesz s = d − 2);
    /// with a classifier `nc3_zhu` and `unc3`, and `bias_relation` when it has a bias. Every centered quantity
    /// uses the chosen global mean μ_G (`GlobalMean`; default the mean of the class means, as `compute`).
    public static func extended(_ s: ClassStatistics, classifier: Classifier? = nil,
                                globalMean choice: GlobalMean = .classMeans) throws -> LevelMetrics {
        try s.validate()
        try classifier?.validate(classes: s.classes, dimension: s.dimension, layer: s.layer)
        var out = LevelMetrics()
        let mc = s.centeredMeans(about: choice)
        let lg = NC.hypersphericalUniformity(centered: mc, kernel: .log)
        let rz = NC.hypersphericalUniformity(centered: mc, kernel: .riesz(exponent: Double(s.dimension - 2)))
        out.append("gnc2_log", lg.mean)
        out.append("gnc2_log_var", lg.variance)
        out.append("gnc2_riesz", rz.mean)
        out.append("gnc2_riesz_var", rz.variance)
        if let c = classifier {
            out.append("nc3_zhu", NC.zhuSelfDuality(weight: c.weight, centered: mc))
            out.append("unc3", NC.uniformDuality(weight: c.weight, centered: mc))
            if let b = c.bias { out.append("bias_relation", NC.biasRelation(weight: c.weight, bias: b, globalMean: s.globalMean(choice))) }
        }
        return out
    }
}
