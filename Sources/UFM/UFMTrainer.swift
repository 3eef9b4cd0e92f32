import Foundation
import Formats
import Linalg

/// What the run loop hands to its caller at a logged step.
public struct TrainingSnapshot: Sendable {
    /// t, the number of completed iterations.
    public let step: Int
    public let objective: Double
    public let fit: Double
    /// ‖∇f(θ_t)‖₂ over all blocks.
    public let gradientNorm: Double
    /// Z_1 = H_1, Z_2, …, Z_L at θ_t (the "features at level l"; d_l×N, class-major columns).
    public let features: [Matrix<Double>]
    /// θ_t (W_L and b for NC3/NC4).
    public let parameters: UFMParameters
}

/// Why a run stopped.
public enum StopReason: String, Sendable {
    /// `optimizer.steps` iterations done.
    case steps
    /// ‖∇f‖₂ ≤ `optimizer.tolerance`.
    case tolerance
    /// L-BFGS could not decrease f any further (machine precision).
    case stalled
}

/// The end of a run: where it stopped and where the time went.
public struct TrainingOutcome: Sendable {
    public var step: Int
    public var objective: Double
    public var gradientNorm: Double
    public var reason: StopReason
    public var evaluations: Int
    /// Iterations taken by this call (fewer than `step` after a resume).
    public var iterations: Int
    /// Wall-clock seconds in the optimizer, in snapshots + the log callback, and in checkpoint callbacks.
    public var optimizationSeconds: Double
    public var loggingSeconds: Double
    public var checkpointSeconds: Double
}

/// The optimization loop of one run: an objective, a minimizer and the current iterate, with the
/// iterate and the minimizer's state serializable for checkpoints (`UFMTrainer+Checkpoint.swift`).
///
/// Step t means "after t iterations"; step 0 is the initialization. `run` logs steps 0, k, 2k, … (k =
/// `log.every`) and the final step, stops at `optimizer.steps`, when ‖∇f‖₂ ≤ `optimizer.tolerance`, or on
/// an L-BFGS stall, and throws `UFMError.diverged` (naming the step) if f becomes NaN/Inf or exceeds
/// 10⁶ × f(θ_0). The iterations themselves allocate nothing; snapshots (copies of Z_l and θ) are made
/// only at logged steps.
public final class UFMTrainer {
    public let config: UFMConfig
    public let objective: UFMObjective
    public let minimizer: Minimizer
    public internal(set) var iterate: Iterate
    /// f(θ_0) of the original run (kept across resumes): the reference of the divergence test.
    public internal(set) var initialObjective: Double
    /// Divergence threshold factor: f > `explosionFactor` × max(f(θ_0), 1e-300) stops the run.
    public var explosionFactor = 1e6

    /// A fresh run from `start` (its spec must be the config's model).
    public init(config: UFMConfig, start: UFMParameters) {
        precondition(start.spec == config.model, "the start point belongs to a different model")
        self.config = config
        objective = UFMObjective(spec: config.model)
        minimizer = config.optimizer.makeMinimizer(dimension: objective.dimension)
        iterate = Iterate(x: start.values, on: objective)
        initialObjective = iterate.value
    }

    /// A fresh run from the config's initialization: N(0, scale²) entries from `init.seed`.
    public convenience init(config: UFMConfig) {
        self.init(config: config, start: .random(spec: config.model, seed: config.initialization.seed, scale: config.initialization.scale))
    }

    init(config: UFMConfig, iterate: Iterate, initialObjective: Double, minimizer: Minimizer) {
        self.config = config
        objective = UFMObjective(spec: config.model)
        self.minimizer = minimizer
        self.iterate = iterate
        self.initialObjective = initialObjective
    }

    /// θ_t.
    public var parameters: UFMParameters { UFMParameters(spec: config.model, values: iterate.x) }

    /// The snapshot at the current iterate (runs one forward pass for the fit term and the features).
    public func snapshot() -> TrainingSnapshot {
        let (fit, features) = iterate.x.withUnsafeBufferPointer { x -> (Double, [Matrix<Double>]) in
            _ = objective.value(at: x.baseAddress!)
            let fit = objective.lastFit
            return (fit, objective.features(at: x.baseAddress!))
        }
        return TrainingSnapshot(step: iterate.step, objective: iterate.value, fit: fit, gradientNorm: iterate.gradientNorm,
                                features: features, parameters: parameters)
    }

    /// Runs to `optimizer.steps` (see the type's documentation). `onLog` receives every logged snapshot;
    /// `onCheckpoint` is called every `log.checkpointEvery` steps (after that step's log) and at the final
    /// step, so a finished run can be extended. Both may throw to abort the run.
    @discardableResult
    public func run(onLog: (TrainingSnapshot) throws -> Void,
                    onCheckpoint: ((UFMTrainer) throws -> Void)? = nil) throws -> TrainingOutcome {
        let steps = config.optimizer.steps, every = config.log.every, tol = config.optimizer.tolerance
        let ckEvery = config.log.checkpointEvery
        let clock = ContinuousClock()
        var opt = Duration.zero, logging = Duration.zero, ck = Duration.zero
        let firstStep = iterate.step
        var stalled = false
        var lastLogged = -1
        while true {
            let t = iterate.step
            try checkDivergence()
            let gnorm = tol > 0 ? iterate.gradientNorm : .nan
            let stop: StopReason? = t >= steps ? .steps : (tol > 0 && gnorm <= tol ? .tolerance : (stalled ? .stalled : nil))
            if (t % every == 0 || stop != nil) && t != lastLogged {
                let t0 = clock.now
                try onLog(snapshot())
                lastLogged = t
                logging += clock.now - t0
            }
            if let onCheckpoint, ckEvery > 0, t > firstStep, t % ckEvery == 0 || stop != nil {
                let t0 = clock.now
                try onCheckpoint(self)
                ck += clock.now - t0
            }
            if let stop {
                return TrainingOutcome(step: t, objective: iterate.value, gradientNorm: iterate.gradientNorm, reason: stop,
                                       evaluations: iterate.evaluations, iterations: t - firstStep,
                                       optimizationSeconds: opt.seconds, loggingSeconds: logging.seconds, checkpointSeconds: ck.seconds)
            }
            let t0 = clock.now
            if case .stalled = minimizer.advance(&iterate, on: objective) { stalled = true }
            opt += clock.now - t0
        }
    }

    /// NaN/Inf or an explosion of f stops the run, naming the cause (`divergenceCause`).
    func checkDivergence() throws {
        let f = iterate.value
        let reason: String
        if f.isNaN { reason = "the objective is NaN" } else if f.isInfinite { reason = "the objective is infinite" } else {
            let limit = explosionFactor * max(initialObjective, 1e-300)
            guard f > limit else { return }
            reason = "it exceeds \(String(format: "%g", explosionFactor)) × the initial objective \(initialObjective)"
        }
        if let cause = divergenceCause() {
            throw UFMError.divergedBecause(step: iterate.step, objective: f, reason: reason, cause: cause)
        }
        throw UFMError.diverged(step: iterate.step, objective: f, reason: reason, learningRate: config.optimizer.learningRate)
    }

    /// Why f left the finite range when the step size is not to blame:
    /// - at step 0 nothing has moved, so a non-finite f(θ_0) comes from the initial point (init.scale, an
    ///   --init file) or the regularization, with fit and regularization terms reported;
    /// - for gradient steps on the λ/2·‖X‖² terms, X ← (1 − ηλ)X diverges once ηλ > 2 (heavy ball with
    ///   momentum μ: ηλ > 2(1 + μ)) whatever the data: a λ that large (1e300 would do) is the cause, not η.
    func divergenceCause() -> String? {
        let s = config.model, eta = config.optimizer.learningRate
        let lambdas = [("regularization.lambda_h", s.lambdaH)] + s.lambdaW.enumerated().map { ("regularization.lambda_w[\($0.offset + 1)]", $0.element) }
        let (key, lambda) = lambdas.max { $0.1 < $1.1 }!
        if iterate.step == 0 {
            let fit = objective.lastFit, reg = objective.lastRegularization
            var parts = ["the objective is already \(iterate.value) at the initial point, before any step (fit term \(fit), regularization term \(reg))"]
            if config.initialization.file.isEmpty {
                parts.append("check init.scale = \(config.initialization.scale) and \(key) = \(lambda)")
            } else {
                parts.append("check the --init file \(config.initialization.file) and \(key) = \(lambda)")
            }
            return parts.joined(separator: "; ") + " (the learning rate plays no part yet)"
        }
        // Heavy ball on λ/2·x² is stable iff η·λ < 2(1 + μ) (Polyak 1964); plain GD is μ = 0.
        let mu = config.optimizer.method == .momentum ? config.optimizer.momentum : 0
        if config.optimizer.method != .lbfgs, eta * lambda > 2 * (1 + mu) {
            return "\(key) = \(lambda) makes every gradient step overshoot: on λ/2·‖X‖² a step scales X by 1 − η·λ = \(1 - eta * lambda), "
                + "which grows when η·λ > \(2 * (1 + mu)); that λ is far outside the usual range (1e-5 to 1e-1), so check \(key) before lowering the learning rate"
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
