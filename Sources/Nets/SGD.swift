/// Stochastic gradient descent with momentum and decoupled-by-group weight decay, with PyTorch's
/// semantics (`torch.optim.SGD`, dampening 0, no Nesterov), in Float:
///
///   d = g + λ_group·θ,   v ← μ·v + d,   θ ← θ − η·v
///
/// (PyTorch's first step sets v = d, which is the same as starting from v = 0.)
public struct SGD: Sendable, Equatable {
    /// μ.
    public var momentum: Float
    /// λ per parameter group.
    public var weightDecay: [ParameterGroup: Float]

    public init(momentum: Float, weightDecay: [ParameterGroup: Float]) {
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// One update of every parameter with learning rate η, from the gradients of the last backward pass.
    public func step(_ parameters: [Parameter], learningRate lr: Float, workers: Workers) {
        let mu = momentum
        for p in parameters {
            let wd = weightDecay[p.group] ?? 0
            let th = p.value.base, g = p.gradient.base, v = p.velocity.base
            let body: (Range<Int>) -> Void = { r in
                for i in r {
                    let d = g[i] + wd * th[i]
                    let vi = mu * v[i] + d
                    v[i] = vi
                    th[i] -= lr * vi
                }
            }
            if p.count >= 1 << 16 { workers.forEachRange(p.count, body) } else { body(0..<p.count) }
        }
    }

    /// The step schedule: η_e = η₀·γ^⌊e/step⌋ for epoch e (0-based), PyTorch's `StepLR`; γ = 0.1 divides
    /// the learning rate by 10 every `stepEpochs` epochs.
    public static func learningRate(base: Double, gamma: Double, stepEpochs: Int, epoch: Int) -> Double {
        guard stepEpochs > 0 else { return base }
        var lr = base
        for _ in 0..<(epoch / stepEpochs) { lr *= gamma }
        return lr
    }
}
