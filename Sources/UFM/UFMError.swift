/// Everything that can go wrong when loading parameters, optimizing, or resuming a UFM run, phrased so
/// that a person can act on it.
public indirect enum UFMError: Error, Equatable, CustomStringConvertible {
    /// A params or checkpoint file lacks a required array.
    case missingArray(name: String, expectedShape: [Int], available: [String])
    /// An array has the wrong shape for the model in the config.
    case arrayShape(name: String, found: [Int], expected: [Int])
    /// A params or checkpoint file written for other class counts: `H1` has another number of samples, or
    /// its `class_counts` array differs from `model.per_class`.
    case classCounts(name: String, found: [Int], expected: [Int], counts: [Int])
    /// An array is not floating point, or holds NaN/Inf.
    case arrayContent(name: String, reason: String)
    /// An array that the model does not have (e.g. `b` when `model.bias = false`).
    case unexpectedArray(name: String, reason: String)
    /// The objective became NaN/Inf or exploded.
    case diverged(step: Int, objective: Double, reason: String, learningRate: Double)
    /// The objective became NaN/Inf or exploded for a reason other than the step size (`cause` names the
    /// key: a non-finite objective at the initial point, or a regularization that makes every step overshoot).
    case divergedBecause(step: Int, objective: Double, reason: String, cause: String)
    /// A checkpoint does not belong to this config (different optimizer or parameter count).
    case checkpoint(reason: String)
    /// A run directory that cannot be used (already holds a run, or lacks a file needed to resume).
    case runDirectory(path: String, reason: String)
    /// An error about the arrays of the file at `path` (params or checkpoint).
    case inFile(path: String, error: UFMError)

    /// The step, objective and reason of a divergence (either kind), or nil for every other error.
    public var divergence: (step: Int, objective: Double, reason: String)? {
        switch self {
        case .diverged(let s, let f, let r, _), .divergedBecause(let s, let f, let r, _): return (s, f, r)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .missingArray(let n, let s, let a):
            return "no array '\(n)' (expected shape \(s)); the file has: \(a.isEmpty ? "nothing" : a.joined(separator: ", "))"
        case .arrayShape(let n, let f, let e):
            return "array '\(n)' has shape \(f), expected \(e) for the model in the config"
        case .classCounts(let n, let f, let e, let c):
            let given = c.allSatisfy { $0 == c.first } ? "\(c.first ?? 0) per class" : "[\(c.map(String.init).joined(separator: ", "))]"
            if n == "class_counts" {
                return "array 'class_counts' is \(f) but model.per_class = \(e): the file was written for other class counts"
            }
            return "array '\(n)' has shape \(f), expected \(e): the file was written for other class counts; "
                + "model.per_class = \(given) (N = \(c.reduce(0, +)) samples, class-major)"
        case .arrayContent(let n, let r):
            return "array '\(n)': \(r)"
        case .unexpectedArray(let n, let r):
            return "unexpected array '\(n)': \(r)"
        case .diverged(let s, let f, let r, let lr):
            return "the optimization diverged at step \(s) (objective \(f): \(r)); "
                + "try a smaller learning rate (optimizer.learning_rate is \(lr), e.g. --set optimizer.learning_rate=\(lr / 10))"
        case .divergedBecause(let s, let f, let r, let c):
            return "the optimization diverged at step \(s) (objective \(f): \(r)); \(c)"
        case .checkpoint(let r):
            return "cannot resume from this checkpoint: \(r)"
        case .runDirectory(let p, let r):
            return "run directory \(p): \(r)"
        case .inFile(let p, let e):
            return "\(p): \(e)"
        }
    }
}
