import Formats

/// The current iterate x_t of a minimization, with f(x_t) and ∇f(x_t) (always evaluated at x_t).
public struct Iterate: Equatable, Sendable {
    /// x_t, flat (for a UFM, laid out as `ParameterLayout` says).
    public var x: [Double]
    /// f(x_t).
    public var value: Double
    /// ∇f(x_t).
    public var gradient: [Double]
    /// t, the number of completed iterations.
    public var step: Int
    /// Objective-and-gradient evaluations so far (line searches make it exceed `step` for L-BFGS).
    public var evaluations: Int

    public init(x: [Double], value: Double, gradient: [Double], step: Int, evaluations: Int) {
        precondition(x.count == gradient.count, "x and ∇f have different lengths")
        self.x = x; self.value = value; self.gradient = gradient; self.step = step; self.evaluations = evaluations
    }

    /// Evaluates f and ∇f at `x`; t = 0.
    public init(x: [Double], on f: DifferentiableObjective) {
        precondition(x.count == f.dimension, "x has \(x.count) entries, f takes \(f.dimension)")
        var g = [Double](repeating: 0, count: x.count)
        let v = x.withUnsafeBufferPointer { xp in g.withUnsafeMutableBufferPointer { f.value(at: xp.baseAddress!, gradient: $0.baseAddress!) } }
        self.init(x: x, value: v, gradient: g, step: 0, evaluations: 1)
    }

    /// ‖∇f(x_t)‖₂.
    public var gradientNorm: Double {
        gradient.withUnsafeBufferPointer { Kernels.squaredNorm($0.baseAddress!, $0.count) }.squareRoot()
    }

    /// Re-evaluates f and ∇f at the current x in place (no allocation).
    mutating func reevaluate(on f: DifferentiableObjective) {
        let v = x.withUnsafeBufferPointer { xp in gradient.withUnsafeMutableBufferPointer { f.value(at: xp.baseAddress!, gradient: $0.baseAddress!) } }
        value = v
        evaluations += 1
    }
}

/// What one iteration did.
public enum StepOutcome: Equatable, Sendable {
    /// x moved; value and gradient are at the new x.
    case moved
    /// No progress is possible (an L-BFGS line search found no acceptable step even along −∇f, which
    /// happens at machine precision); the iterate is unchanged.
    case stalled(reason: String)
}

/// An iterative minimizer with all of its state serializable, so a run can be checkpointed and resumed
/// bit for bit: the iterate plus `stateArrays()` determine every later iterate.
public protocol Minimizer: AnyObject {
    /// One iteration: x_t → x_{t+1}, with `value`, `gradient`, `step` and `evaluations` updated.
    /// Allocates nothing.
    func advance(_ it: inout Iterate, on f: DifferentiableObjective) -> StepOutcome
    /// The state beyond the iterate (momentum buffer, L-BFGS history), as named arrays.
    func stateArrays() -> [(String, NDArray)]
    /// Restores what `stateArrays()` saved; throws `UFMError.checkpoint` if an array is missing or has the wrong size.
    func restore(from arrays: [(String, NDArray)]) throws
}

extension Minimizer {
    /// Runs `advance` until ‖∇f‖ ≤ `gradientTolerance`, `maxSteps` iterations, or a stall.
    @discardableResult
    public func minimize(_ it: inout Iterate, on f: DifferentiableObjective, maxSteps: Int, gradientTolerance: Double = 0) -> StepOutcome {
        var outcome = StepOutcome.moved
        for _ in 0..<maxSteps {
            if gradientTolerance > 0, it.gradientNorm <= gradientTolerance { break }
            outcome = advance(&it, on: f)
            if case .stalled = outcome { break }
        }
        return outcome
    }
}

/// Reads one float64 state array of a known length from a checkpoint.
func stateArray(_ arrays: [(String, NDArray)], _ name: String, count: Int) throws -> [Double] {
    guard let a = arrays.first(where: { $0.0 == name })?.1 else {
        throw UFMError.checkpoint(reason: "the optimizer state '\(name)' is missing (was the checkpoint written by another optimizer?)")
    }
    guard a.count == count, a.dtype == .float64 else {
        throw UFMError.checkpoint(reason: "the optimizer state '\(name)' has \(a.count) \(a.dtype) entries, expected \(count) float64")
    }
    return a.doubles
}
