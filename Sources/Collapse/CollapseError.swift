import Linalg

/// Everything that can be wrong with the input of a neural-collapse measurement, naming the layer and the
/// offending class, sample or array so that a person can find it. Sample indices are 0-based rows of the
/// user's (N×d) feature array, i.e. columns of H in the d×N layout, counted from the first sample the
/// statistics saw.
public enum CollapseError: Error, Equatable, CustomStringConvertible {
    /// Fewer than two classes: between-class quantities (Σ_B, NC2, …) are undefined.
    case tooFewClasses(layer: String, classes: Int)
    /// Class `classIndex` has no samples, so its mean μ_k is undefined.
    case emptyClass(layer: String, classIndex: Int)
    /// Sample `sample` has label `label`, outside 0…K−1.
    case labelOutOfRange(layer: String, sample: Int, label: Int, classes: Int)
    /// The first sample holding NaN or ±Inf (feature `feature` of it).
    case nonFinite(layer: String, sample: Int, feature: Int)
    /// A sum over finite features overflowed Double (features of magnitude ~1e300).
    case overflow(layer: String)
    /// Two lengths that must agree do not (e.g. labels vs rows, or N not a multiple of K).
    case lengthMismatch(layer: String, what: String, expected: Int, found: Int)
    /// A matrix has the wrong shape for its role (`expected` says what it should be).
    case shapeMismatch(layer: String, what: String, expected: String, found: String)
    /// A classifier or weight matrix contains NaN or ±Inf.
    case nonFiniteParameter(layer: String, what: String)
    /// A feature file does not follow the `collapse measure` conventions (`FeatureFilePlan`).
    case invalidFile(path: String, reason: String)
    /// The statistics (or the metrics computed from them) would not fit in memory (`MemoryBudget`).
    case memory(layer: String, MemoryBudgetError)
    /// A linear-algebra routine failed (LAPACK did not converge); `reason` carries its message.
    case linearAlgebra(layer: String, reason: String)

    public var description: String {
        switch self {
        case .tooFewClasses(let l, let k):
            "\(l): \(k) class(es); neural-collapse metrics need at least 2 classes"
        case .emptyClass(let l, let k):
            "\(l): class \(k) has no samples (its class mean is undefined); check the labels or --classes"
        case .labelOutOfRange(let l, let i, let y, let k):
            "\(l): sample \(i) has label \(y), outside 0…\(k - 1) (K = \(k))"
        case .nonFinite(let l, let i, let j):
            "\(l): sample (row) \(i) holds NaN or Inf (feature \(j)); this is the first bad row"
        case .overflow(let l):
            "\(l): sums of the features overflow Double; rescale the features"
        case .lengthMismatch(let l, let w, let e, let f):
            "\(l): \(w): expected \(e), found \(f)"
        case .shapeMismatch(let l, let w, let e, let f):
            "\(l): \(w) has shape \(f), expected \(e)"
        case .nonFiniteParameter(let l, let w):
            "\(l): \(w) contains NaN or Inf"
        case .invalidFile(let p, let r):
            "\(p): \(r)"
        case .memory(_, let e):
            "\(e)"
        case .linearAlgebra(let l, let r):
            "\(l): \(r)"
        }
    }
}
