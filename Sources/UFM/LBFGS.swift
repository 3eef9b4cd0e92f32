import Formats

/// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithms 7.4 and 7.5).
///
/// Direction d_t = −H_t ∇f(x_t) by the two-loop recursion over the last m pairs
/// s_i = x_{i+1} − x_i, y_i = ∇f(x_{i+1}) − ∇f(x_i), ρ_i = 1/(y_iᵀs_i), with H⁰ = γ I,
/// γ = s_{t−1}ᵀy_{t−1} / y_{t−1}ᵀy_{t−1} (their Eq. (7.20)). The step α_t satisfies the strong Wolfe
/// conditions (`WolfeLineSearch`, c₁ = 1e-4, c₂ = 0.9); the first trial is α = 1, or
/// α = min(1, 1/‖∇f‖) while the history is empty. A pair is stored only if y_iᵀs_i > ε·y_iᵀy_i
/// (ε = 2.2e-16), which keeps H_t positive definite. If d_t is not a descent direction or the line
/// search fails, the history is cleared and steepest descent is tried; failing that, `advance` reports
/// a stall (machine precision reached).
///
/// State (all checkpointed): the m pairs in a ring buffer, ρ, the ring's head and fill.
public final class LBFGS: Minimizer {
    public let history: Int
    public var lineSearch: (c1: Double, c2: Double, maxEvaluations: Int)

    let dimension: Int
    /// s and y of slot j at [j·dimension ..< (j+1)·dimension].
    var s: [Double], y: [Double], rho: [Double]
    /// Slot of the oldest pair and the number of stored pairs.
    var head = 0, count = 0
    /// Work buffers: direction, trial point, trial gradient, two-loop coefficients.
    var direction: [Double], trialX: [Double], trialGradient: [Double], alpha: [Double]

    public init(dimension: Int, history: Int = 10, c1: Double = 1e-4, c2: Double = 0.9, maxLineSearchEvaluations: Int = 30) {
        precondition(history >= 1 && dimension >= 1)
        precondition(0 < c1 && c1 < c2 && c2 < 1, "need 0 < c1 < c2 < 1")
        self.history = history
        self.dimension = dimension
        self.lineSearch = (c1, c2, maxLineSearchEvaluations)
        s = [Double](repeating: 0, count: history * dimension)
        y = s
        rho = [Double](repeating: 0, count: history)
        direction = [Double](repeating: 0, count: dimension)
        trialX = direction
        trialGradient = direction
        alpha = rho
    }

    /// Forgets all pairs (H⁰ = I afterwards).
    public func reset() { head = 0; count = 0 }

    public func advance(_ it: inout Iterate, on f: DifferentiableObjective) -> StepOutcome {
        precondition(it.x.count == dimension)
        var dphi0 = computeDirection(it.gradient)
        if !(dphi0 < 0) { reset(); dphi0 = computeDirection(it.gradient) }
        if !(dphi0 < 0) { return .stalled(reason: "the gradient is zero or not finite") }
        if let outcome = lineSearchAndUpdate(&it, f, dphi0) { return outcome }
        if count > 0 {
            reset()
            dphi0 = computeDirection(it.gradient)
            if dphi0 < 0, let outcome = lineSearchAndUpdate(&it, f, dphi0) { return outcome }
        }
        return .stalled(reason: "the line search found no decrease along −∇f (machine precision reached)")
    }

    /// d = −H ∇f by the two-loop recursion; returns ∇fᵀd.
    private func computeDirection(_ gradient: [Double]) -> Double {
        let n = dimension, m = history, cnt = count, hd = head
        return gradient.withUnsafeBufferPointer { gb in
            direction.withUnsafeMutableBufferPointer { db in
                s.withUnsafeBufferPointer { sb in
                    y.withUnsafeBufferPointer { yb in
                        alpha.withUnsafeMutableBufferPointer { ab in
                            let g = gb.baseAddress!, q = db.baseAddress!, sp = sb.baseAddress!, yp = yb.baseAddress!
                            q.update(from: g, count: n)
                            // Newest to oldest: α_i = ρ_i s_iᵀq, q ← q − α_i y_i.
                            for j in stride(from: cnt - 1, through: 0, by: -1) {
                                let slot = (hd + j) % m
                                let a = rho[slot] * Kernels.dot(sp + slot * n, q, n)
                                ab[slot] = a
                                Kernels.axpy(-a, yp + slot * n, q, n)
                            }
                            if cnt > 0 {
                                let last = (hd + cnt - 1) % m
                                let yy = Kernels.squaredNorm(yp + last * n, n)
                                let gamma = 1 / (rho[last] * yy)  // sᵀy / yᵀy
                                for i in 0..<n { q[i] *= gamma }
                            }
                            // Oldest to newest: β = ρ_i y_iᵀr, r ← r + (α_i − β) s_i.
                            for j in 0..<cnt {
                                let slot = (hd + j) % m
                                let b = rho[slot] * Kernels.dot(yp + slot * n, q, n)
                                Kernels.axpy(ab[slot] - b, sp + slot * n, q, n)
                            }
                            var dg = 0.0
                            for i in 0..<n { q[i] = -q[i]; dg += q[i] * g[i] }
                            return dg
                        }
                    }
                }
            }
        }
    }

    /// Line search along `direction`; on success moves the iterate, stores the pair, returns `.moved`.
    private func lineSearchAndUpdate(_ it: inout Iterate, _ f: DifferentiableObjective, _ dphi0: Double) -> StepOutcome? {
        let n = dimension
        let search = WolfeLineSearch(c1: lineSearch.c1, c2: lineSearch.c2, maxEvaluations: lineSearch.maxEvaluations)
        let a0 = count == 0 ? min(1, 1 / it.gradientNorm) : 1
        var evaluations = it.evaluations
        let result: WolfeLineSearch.Result = it.x.withUnsafeBufferPointer { xb in
            direction.withUnsafeBufferPointer { db in
                trialX.withUnsafeMutableBufferPointer { tb in
                    trialGradient.withUnsafeMutableBufferPointer { tg in
                        let x = xb.baseAddress!, d = db.baseAddress!, xt = tb.baseAddress!, gt = tg.baseAddress!
                        return search.search(phi0: it.value, dphi0: dphi0, initialStep: a0, evaluations: &evaluations) { a in
                            for i in 0..<n { xt[i] = x[i] + a * d[i] }
                            let v = f.value(at: xt, gradient: gt)
                            return (v, Kernels.dot(gt, d, n))
                        }
                    }
                }
            }
        }
        it.evaluations = evaluations
        let value: Double
        switch result {
        case .wolfe(_, let v), .armijoOnly(_, let v): value = v
        case .failed: return nil
        }
        storePair(it.x, it.gradient)
        swap(&it.x, &trialX)
        swap(&it.gradient, &trialGradient)
        it.value = value
        it.step += 1
        return .moved
    }

    /// s = x_trial − x, y = ∇f_trial − ∇f into the next ring slot (replacing the oldest pair when the
    /// ring is full), if yᵀs > ε yᵀy: a read-only pass decides, a second pass stores.
    private func storePair(_ x: [Double], _ g: [Double]) {
        let n = dimension, m = history
        let slot = (head + count) % m
        x.withUnsafeBufferPointer { xb in
            g.withUnsafeBufferPointer { gb in
                trialX.withUnsafeBufferPointer { tb in
                    trialGradient.withUnsafeBufferPointer { tg in
                        var sy = 0.0, yy = 0.0
                        for i in 0..<n { let si = tb[i] - xb[i], yi = tg[i] - gb[i]; sy += si * yi; yy += yi * yi }
                        guard sy > 2.2e-16 * yy, sy.isFinite else { return }
                        s.withUnsafeMutableBufferPointer { sb in
                            y.withUnsafeMutableBufferPointer { yb in
                                let sp = sb.baseAddress! + slot * n, yp = yb.baseAddress! + slot * n
                                for i in 0..<n { sp[i] = tb[i] - xb[i]; yp[i] = tg[i] - gb[i] }
                            }
                        }
                        rho[slot] = 1 / sy
                        if count < m { count += 1 } else { head = (head + 1) % m }
                    }
                }
            }
        }
    }

    public func stateArrays() -> [(String, NDArray)] {
        [("lbfgs_s", NDArray(shape: [history, dimension], data: .float64(s))),
         ("lbfgs_y", NDArray(shape: [history, dimension], data: .float64(y))),
         ("lbfgs_rho", NDArray(rho)),
         ("lbfgs_ring", NDArray(labels: [head, count]))]
    }

    public func restore(from arrays: [(String, NDArray)]) throws {
        s = try stateArray(arrays, "lbfgs_s", count: history * dimension)
        y = try stateArray(arrays, "lbfgs_y", count: history * dimension)
        rho = try stateArray(arrays, "lbfgs_rho", count: history)
        guard let ring = arrays.first(where: { $0.0 == "lbfgs_ring" })?.1.integers, ring.count == 2,
              (0..<history).contains(ring[0]), (0...history).contains(ring[1]) else {
            throw UFMError.checkpoint(reason: "'lbfgs_ring' is missing or invalid for history m = \(history)")
        }
        head = ring[0]; count = ring[1]
    }
}
