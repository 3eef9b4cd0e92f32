import COpenBLAS

/// Symmetric rank-k update (?syrk): half the flops of the equivalent gemm, for scatter and Gram matrices.
///
/// Added for the streaming class statistics (Collapse): Σ (x − μ)(x − μ)ᵀ over a batch is one syrk.
/// Only the UPPER triangle of C (row-major) is read and written; the strictly lower triangle is left as it
/// was, so callers symmetrize once at the end (`Matrix.symmetrizeFromUpper()`).
extension Double {
    /// C ← α·AᵀA + β·C (`transpose: true`, A is k×n) or C ← α·AAᵀ + β·C (`transpose: false`, A is n×k),
    /// upper triangle of the n×n row-major C (cblas_dsyrk).
    @inline(__always)
    public static func syrkUpper(
        transpose: Bool, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans, blasint(n), blasint(k),
                    alpha, a, blasint(lda), beta, c, blasint(ldc))
    }
}

extension Float {
    /// The single-precision twin of `Double.syrkUpper` (cblas_ssyrk).
    @inline(__always)
    public static func syrkUpper(
        transpose: Bool, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans, blasint(n), blasint(k),
                    alpha, a, blasint(lda), beta, c, blasint(ldc))
    }
}

extension Matrix {
    /// Copies the upper triangle onto the lower one, making a syrk result fully symmetric (square only).
    @inlinable
    public mutating func symmetrizeFromUpper() {
        precondition(rows == cols, "symmetrizeFromUpper on a non-square \(rows)×\(cols) matrix")
        let n = rows
        storage.withUnsafeMutableBufferPointer { p in
            for i in 0..<n { for j in 0..<i { p[i * n + j] = p[j * n + i] } }
        }
    }
}
