/// The result of minimizing a UFM objective outside a recorded run (theory checks, tests).
public struct UFMSolution: Sendable {
    public var parameters: UFMParameters
    public var objective: Double
    public var gradientNorm: Double
    /// Iterations taken.
    public var steps: Int
    /// Objective-and-gradient evaluations (including the initial one).
    public var evaluations: Int
    /// Why it stopped early, if it stalled (L-BFGS at machine precision).
    public var stall: String?
}

extension UFMObjective {
    /// Minimizes f from `start` until ‖∇f‖₂ ≤ `gradientTolerance` or `maxSteps` iterations.
    ///
    /// The default minimizer is L-BFGS (m = 10, strong Wolfe line search), which reaches the plain UFM's
    /// global minimum c − c²/2 to 1e-10 relative in a few dozen iterations (Tests/UFMTests/OptimizerTests).
    public func minimize(from start: UFMParameters, using minimizer: Minimizer? = nil, maxSteps: Int = 10_000,
                         gradientTolerance: Double = 1e-10) -> UFMSolution {
        precondition(start.spec == spec, "the start point belongs to a different model")
        var it = Iterate(x: start.values, on: self)
        let m = minimizer ?? LBFGS(dimension: dimension)
        let outcome = m.minimize(&it, on: self, maxSteps: maxSteps, gradientTolerance: gradientTolerance)
        var stall: String? = nil
        if case .stalled(let r) = outcome { stall = r }
        return UFMSolution(parameters: UFMParameters(spec: spec, values: it.x), objective: it.value,
                           gradientNorm: it.gradientNorm, steps: it.step, evaluations: it.evaluations, stall: stall)
    }
}
