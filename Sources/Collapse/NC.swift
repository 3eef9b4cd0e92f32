import Linalg

/// The neural-collapse metric functions, one concept per file (`NC+WithinClass.swift`, `NC+Gram.swift`, …).
/// `NCMetrics.compute` assembles all of them into a `LevelMetrics`.
public enum NC {
    /// The default relative tolerance τ = max(d, K)·ε (ε = 2⁻⁵², NumPy's `matrix_rank`/`pinv` default for a
    /// d×K matrix). Singular values σ_j ≤ τ·σ_1 count as zero in every rank; eigenvalues λ_j ≤ τ·λ_1 of Σ_B
    /// are dropped from its pseudo-inverse.
    public static func defaultTolerance(dimension d: Int, classes k: Int) -> Double {
        Double(Swift.max(d, k, 1)) * Double.ulpOfOne
    }

    /// ‖1 μ_Gᵀ‖_2 = √K·‖μ_G‖_2: the norm of what centering subtracts from the class means, whose round-off
    /// the centered means carry (`spectrum(of:relativeTolerance:subtractedNorm:)`).
    public static func centeringNorm(_ s: ClassStatistics) -> Double {
        Double(s.classes).squareRoot() * s.globalMean.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    /// Thin SVD that reports LAPACK failures as `CollapseError.linearAlgebra` naming the layer.
    static func svd(_ m: Matrix<Double>, layer: String, what: String) throws -> SingularValueDecomposition<Double> {
        do { return try m.svd() } catch { throw CollapseError.linearAlgebra(layer: layer, reason: "SVD of \(what): \(error)") }
    }
}
