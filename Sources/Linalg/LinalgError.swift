/// Failures of a LAPACK computation, surfaced as values instead of crashes or silent wrong answers.
public enum LinalgError: Error, Equatable, CustomStringConvertible {
    /// The input holds NaN or ±Inf; LAPACK's result would be meaningless.
    case nonFinite(operation: String)
    /// A LAPACK routine returned `info < 0`: argument number `-info` was illegal.
    case illegalArgument(routine: String, info: Int32)
    /// A LAPACK routine returned `info > 0`: the algorithm did not converge.
    case notConverged(routine: String, info: Int32)
    /// The operation needs a square matrix.
    case notSquare(operation: String, rows: Int, cols: Int)

    /// Turns LAPACK's `info` into a thrown error (0 is success).
    static func check(_ info: Int32, _ routine: String) throws {
        if info < 0 { throw LinalgError.illegalArgument(routine: routine, info: info) }
        if info > 0 { throw LinalgError.notConverged(routine: routine, info: info) }
    }

    public var description: String {
        switch self {
        case .nonFinite(let op): return "\(op): the matrix contains NaN or Inf"
        case .illegalArgument(let r, let info): return "LAPACK \(r): argument \(-info) is illegal (info = \(info))"
        case .notConverged(let r, let info): return "LAPACK \(r) did not converge (info = \(info))"
        case .notSquare(let op, let r, let c): return "\(op) needs a square matrix, got \(r)×\(c)"
        }
    }
}
