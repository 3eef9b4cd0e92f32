import Collapse
import Linalg

/// What a UFM run holds in memory, from the config alone (checked before anything is allocated).
extension UFMConfig {
    /// N = Σ n_k, saturating at Int.max (the estimate may run before `validate`).
    public var samplesSaturating: Int {
        model.counts.reduce(0) { a, b in let (r, o) = a.addingReportingOverflow(max(b, 0)); return o ? Int.max : r }
    }

    /// P = dim θ = d_1·N + Σ_l d_{l+1}·d_l (+ K with a bias), saturating at Int.max.
    public var parameterCountSaturating: Int {
        let s = model
        let n = samplesSaturating
        var terms = [MemoryEstimate.product([s.width(1), n])]
        for l in 1...s.depth { terms.append(MemoryEstimate.product([s.width(l + 1), s.width(l)])) }
        if s.bias { terms.append(s.classes) }
        return terms.reduce(0) { a, b in let (r, o) = a.addingReportingOverflow(b); return o ? Int.max : r }
    }

    /// The large arrays of a run, in Doubles: θ with its gradient, trial point and checkpoint/snapshot
    /// copies (6·P), the minimizer's state (momentum: P; L-BFGS: 2·m·P), the forward and backward
    /// features Z_l, G_l and their logged copies (3·Σ_{l≥2} d_l·N + 2·K·N), and the metrics' statistics
    /// per level (`ClassStatistics.memoryEstimate`).
    public var memoryEstimate: MemoryEstimate {
        let s = model, p = parameterCountSaturating, n = samplesSaturating
        var e = MemoryEstimate()
        let widest = (1...s.depth).max { s.width($0) < s.width($1) }!
        e.add("the parameters θ (P = \(p); H_1 is d_1×N = \(s.width(1))×\(n), d_\(widest) = \(s.width(widest))) and their working copies",
              bytes: p, 6, 8)
        switch optimizer.method {
        case .gd: break
        case .momentum: e.add("the momentum velocity (P = \(p))", bytes: p, 8)
        case .lbfgs: e.add("the L-BFGS history (optimizer.history = \(optimizer.history) pairs of P = \(p))", bytes: p, optimizer.history, 2, 8)
        }
        if s.depth >= 2 {
            for l in 2...s.depth { e.add("the features Z_\(l) (d_\(l)×N = \(s.width(l))×\(n))", bytes: s.width(l), n, 3, 8) }
        }
        e.add("the outputs (K×N = \(s.classes)×\(n))", bytes: s.classes, n, 2, 8)
        let levelStatistics = (1...s.depth).map { ClassStatistics.memoryEstimate(classes: s.classes, dimension: s.width($0), samples: n) }
        if let largest = levelStatistics.max(by: { $0.total < $1.total }) {
            for t in largest.terms { e.add(t.what, bytes: t.bytes) }
        }
        return e
    }

    /// Refuses a config whose run would not fit (`MemoryBudget`).
    public func checkMemory() throws(MemoryBudgetError) {
        try memoryEstimate.check("this model (K = \(model.classes), \(model.countsLabel), widths \(model.widths))")
    }
}
