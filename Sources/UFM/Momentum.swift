import Formats

/// Full-batch gradient descent with momentum, in the form PyTorch's SGD uses (velocity v_0 = 0):
///
///     v_{t+1} = μ v_t + ∇f(θ_t)
///     θ_{t+1} = θ_t − η v_{t+1}                       (heavy ball, Polyak 1964)
///     θ_{t+1} = θ_t − η (∇f(θ_t) + μ v_{t+1})         (Nesterov, as in Sutskever et al. 2013)
///
/// Both evaluate the gradient at θ_t only, so the logged gradient norm is that of the iterate itself.
/// The update is one fused pass over θ, v and ∇f. State: v.
public final class Momentum: Minimizer {
    public let learningRate: Double
    public let momentum: Double
    public let nesterov: Bool
    /// v_t, flat like θ.
    public private(set) var velocity: [Double]

    public init(dimension: Int, learningRate: Double, momentum: Double, nesterov: Bool) {
        precondition(learningRate > 0 && momentum >= 0 && momentum < 1, "need η > 0 and 0 ≤ μ < 1")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = [Double](repeating: 0, count: dimension)
    }

    public func advance(_ it: inout Iterate, on f: DifferentiableObjective) -> StepOutcome {
        precondition(it.x.count == velocity.count, "iterate and velocity differ in length")
        let eta = learningRate, mu = momentum, nest = nesterov
        it.gradient.withUnsafeBufferPointer { gb in
            it.x.withUnsafeMutableBufferPointer { xb in
                velocity.withUnsafeMutableBufferPointer { vb in
                    let g = gb.baseAddress!, x = xb.baseAddress!, v = vb.baseAddress!
                    if nest {
                        for i in 0..<xb.count { let vi = mu * v[i] + g[i]; v[i] = vi; x[i] -= eta * (g[i] + mu * vi) }
                    } else {
                        for i in 0..<xb.count { let vi = mu * v[i] + g[i]; v[i] = vi; x[i] -= eta * vi }
                    }
                }
            }
        }
        it.reevaluate(on: f)
        it.step += 1
        return .moved
    }

    public func stateArrays() -> [(String, NDArray)] { [("momentum_velocity", NDArray(velocity))] }

    public func restore(from arrays: [(String, NDArray)]) throws {
        velocity = try stateArray(arrays, "momentum_velocity", count: velocity.count)
    }
}
