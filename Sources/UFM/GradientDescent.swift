import Formats

/// Plain full-batch gradient descent, every block updated at once from the same gradient:
///
///     θ_{t+1} = θ_t − η ∇f(θ_t)
///
/// as in the experiments of Tirer & Bruna (ICML 2022, Sec. 5) and Súkeník et al. (NeurIPS 2023, Sec. 5).
/// One daxpy per step; no state beyond the iterate.
public final class GradientDescent: Minimizer {
    public let learningRate: Double

    public init(learningRate: Double) {
        precondition(learningRate > 0, "learning rate must be positive")
        self.learningRate = learningRate
    }

    public func advance(_ it: inout Iterate, on f: DifferentiableObjective) -> StepOutcome {
        let eta = learningRate
        it.gradient.withUnsafeBufferPointer { g in
            it.x.withUnsafeMutableBufferPointer { x in Kernels.axpy(-eta, g.baseAddress!, x.baseAddress!, x.count) }
        }
        it.reevaluate(on: f)
        it.step += 1
        return .moved
    }

    public func stateArrays() -> [(String, NDArray)] { [] }
    public func restore(from arrays: [(String, NDArray)]) throws {}
}
