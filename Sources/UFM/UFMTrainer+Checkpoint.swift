import Formats

/// Checkpoints: everything that determines the rest of a run, as named arrays (written as checkpoint.npz).
///
/// - `H1`, `W1` … `WL`, `b`: θ_t, under the params-file names (a checkpoint is also a valid `--init` file);
/// - `gradient`: ∇f(θ_t), flat; `objective`: [f(θ_t), f(θ_0)];
/// - `counters` (int64): [t, evaluations, method index in `OptimizerMethod.allCases`];
/// - the minimizer's state: `momentum_velocity`, or `lbfgs_s`, `lbfgs_y`, `lbfgs_rho`, `lbfgs_ring`.
///
/// No random numbers are drawn after the initialization, so there is no RNG state to save. Restoring gives
/// bit-identical later iterates on the same machine and BLAS thread count (BLAS may sum in a different
/// order on a different number of threads).
extension UFMTrainer {
    public func checkpointArrays() -> [(String, NDArray)] {
        let methodIndex = OptimizerMethod.allCases.firstIndex(of: config.optimizer.method)!
        return parameters.arrays()
            + [("gradient", NDArray(iterate.gradient)),
               ("objective", NDArray([iterate.value, initialObjective])),
               ("counters", NDArray(labels: [iterate.step, iterate.evaluations, methodIndex]))]
            + minimizer.stateArrays()
    }

    /// Restores a run from `checkpointArrays()` output and the run's config; throws `UFMError` naming what
    /// does not fit (a missing array, a shape, a different optimizer).
    public convenience init(config: UFMConfig, checkpoint arrays: [(String, NDArray)]) throws {
        let params = try UFMParameters(spec: config.model, arrays: arrays)
        let dim = params.values.count
        let gradient = try stateArray(arrays, "gradient", count: dim)
        let values = try stateArray(arrays, "objective", count: 2)
        guard let counters = arrays.first(where: { $0.0 == "counters" })?.1.integers, counters.count == 3 else {
            throw UFMError.checkpoint(reason: "'counters' is missing or malformed (expected 3 integers: step, evaluations, method)")
        }
        // A checkpoint is written only by a run of this config: its counters and values are checked as
        // carefully as any other input (a tampered or damaged file must not resume, nor trap later).
        let steps = config.optimizer.steps
        guard counters[0] >= 0, counters[1] >= 0 else {
            throw UFMError.checkpoint(reason: "'counters' holds a negative count (step \(counters[0]), evaluations \(counters[1])): the file is damaged")
        }
        guard counters[0] <= steps else {
            throw UFMError.checkpoint(reason: "it is at step \(counters[0]), beyond optimizer.steps = \(steps): a run cannot be shortened "
                + "(its results would no longer match its record). If the file is intact, resume with --set optimizer.steps=\(counters[0]) "
                + "or more, or start a new run")
        }
        guard counters[1] <= Int.max / 2 else { throw UFMError.checkpoint(reason: "'counters' has an impossible evaluation count \(counters[1])") }
        guard values.allSatisfy(\.isFinite) else {
            throw UFMError.checkpoint(reason: "'objective' holds \(values) (not finite): the file is damaged, or the run had diverged")
        }
        guard gradient.allSatisfy(\.isFinite) else { throw UFMError.checkpoint(reason: "'gradient' holds NaN or Inf: the file is damaged") }
        let methods = OptimizerMethod.allCases
        guard methods.indices.contains(counters[2]), methods[counters[2]] == config.optimizer.method else {
            let saved = methods.indices.contains(counters[2]) ? methods[counters[2]].rawValue : "unknown"
            throw UFMError.checkpoint(reason: "it was written by optimizer '\(saved)', the config says '\(config.optimizer.method.rawValue)'")
        }
        let minimizer = config.optimizer.makeMinimizer(dimension: dim)
        try minimizer.restore(from: arrays)
        let it = Iterate(x: params.values, value: values[0], gradient: gradient, step: counters[0], evaluations: counters[1])
        self.init(config: config, iterate: it, initialObjective: values[1], minimizer: minimizer)
    }
}
