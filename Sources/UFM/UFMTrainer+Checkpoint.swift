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
        guard let counters = arrays.first(where: { $0.0 == "counters" })?.1.integers, counters.count == 3, counters[0] >= 0 else {
            throw UFMError.checkpoint(reason: "'counters' is missing or malformed")
        }
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
