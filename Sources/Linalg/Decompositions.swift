/// Symmetric eigendecomposition, SVD and the Moore–Penrose pseudo-inverse on LAPACK (row-major LAPACKE).
/// Every routine checks its input for NaN/Inf and turns LAPACK's `info != 0` into a `LinalgError`.

/// A = V·diag(λ)·Vᵀ for symmetric A: eigenvalues ascending, eigenvectors as the columns of `vectors`.
public struct SymmetricEigen<Scalar: BLASScalar>: Sendable {
    public var values: [Scalar]
    public var vectors: Matrix<Scalar>
}

/// A = U·diag(σ)·Vᵀ, thin: U is m×k, σ has k = min(m, n) entries in descending order, Vᵀ is k×n.
public struct SingularValueDecomposition<Scalar: BLASScalar>: Sendable {
    public var u: Matrix<Scalar>
    public var singularValues: [Scalar]
    public var vt: Matrix<Scalar>
}

extension Matrix {
    /// The default relative tolerance of `pseudoInverse` and `rank`: max(m, n)·ε, as NumPy's `matrix_rank`
    /// and the `rtol` default of `numpy.linalg.pinv` since NumPy 2 (ε = machine epsilon of `Scalar`).
    public var defaultRelativeTolerance: Scalar { Scalar(Swift.max(rows, cols, 1)) * Scalar.ulpOfOne }

    /// Eigendecomposition of a symmetric matrix (dsyevd/ssyevd, divide and conquer; reads the upper triangle).
    public func symmetricEigen() throws -> SymmetricEigen<Scalar> {
        guard rows == cols else { throw LinalgError.notSquare(operation: "symmetricEigen", rows: rows, cols: cols) }
        guard isFinite else { throw LinalgError.nonFinite(operation: "symmetricEigen") }
        var a = self
        var w = [Scalar](repeating: 0, count: rows)
        if rows == 0 { return SymmetricEigen(values: w, vectors: a) }
        let info = a.storage.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in Scalar.syevd(n: rows, a: pa.baseAddress!, w: pw.baseAddress!) }
        }
        try LinalgError.check(info, "\(Scalar.lapackPrefix)syevd")
        return SymmetricEigen(values: w, vectors: a)
    }

    /// Thin singular value decomposition (dgesdd/sgesdd, divide and conquer).
    public func svd() throws -> SingularValueDecomposition<Scalar> {
        guard isFinite else { throw LinalgError.nonFinite(operation: "svd") }
        let k = Swift.min(rows, cols)
        var a = self
        var s = [Scalar](repeating: 0, count: k)
        var u = Matrix(rows: rows, cols: k)
        var vt = Matrix(rows: k, cols: cols)
        if k == 0 { return SingularValueDecomposition(u: u, singularValues: s, vt: vt) }
        let info = a.storage.withUnsafeMutableBufferPointer { pa in
            s.withUnsafeMutableBufferPointer { ps in
                u.storage.withUnsafeMutableBufferPointer { pu in
                    vt.storage.withUnsafeMutableBufferPointer { pv in
                        Scalar.gesdd(m: rows, n: cols, a: pa.baseAddress!, s: ps.baseAddress!,
                                     u: pu.baseAddress!, vt: pv.baseAddress!)
                    }
                }
            }
        }
        try LinalgError.check(info, "\(Scalar.lapackPrefix)gesdd")
        return SingularValueDecomposition(u: u, singularValues: s, vt: vt)
    }

    /// The singular values, descending.
    public func singularValues() throws -> [Scalar] { try svd().singularValues }

    /// Moore–Penrose pseudo-inverse A⁺ = V·diag(1/σᵢ)·Uᵀ over the singular values σᵢ > rtol·σ_max;
    /// the others are treated as exact zeros. `rtol` defaults to `defaultRelativeTolerance`, max(m, n)·ε.
    /// A⁺ satisfies the four Penrose identities AA⁺A = A, A⁺AA⁺ = A⁺, (AA⁺)ᵀ = AA⁺, (A⁺A)ᵀ = A⁺A.
    public func pseudoInverse(relativeTolerance rtol: Scalar? = nil) throws -> Matrix {
        let d = try svd()
        let cutoff = (rtol ?? defaultRelativeTolerance) * (d.singularValues.first ?? 0)
        // V·diag(1/σ) as (diag(1/σ)·Vᵀ)ᵀ: scale the rows of Vᵀ, then one gemm with Uᵀ.
        var sVt = d.vt
        for (i, sigma) in d.singularValues.enumerated() {
            let inv: Scalar = sigma > cutoff ? 1 / sigma : 0
            for j in 0..<sVt.cols { sVt[i, j] *= inv }
        }
        return Matrix.product(sVt, transposeA: true, d.u, transposeB: true)
    }

    /// Pseudo-inverse of a symmetric positive semi-definite matrix through its eigendecomposition:
    /// eigenvalues λᵢ ≤ rtol·λ_max (negative round-off included) are treated as zero.
    public func symmetricPseudoInverse(relativeTolerance rtol: Scalar? = nil) throws -> Matrix {
        let e = try symmetricEigen()
        let lmax = e.values.map { abs($0) }.max() ?? 0
        let cutoff = (rtol ?? defaultRelativeTolerance) * lmax
        var vs = e.vectors  // V·diag(1/λ) column scaling
        for j in 0..<cols {
            let inv: Scalar = e.values[j] > cutoff ? 1 / e.values[j] : 0
            for i in 0..<rows { vs[i, j] *= inv }
        }
        return Matrix.product(vs, e.vectors, transposeB: true)
    }

    /// Numerical rank: the number of singular values above rtol·σ_max (default rtol = max(m, n)·ε).
    public func rank(relativeTolerance rtol: Scalar? = nil) throws -> Int {
        let s = try singularValues()
        let cutoff = (rtol ?? defaultRelativeTolerance) * (s.first ?? 0)
        return s.filter { $0 > cutoff }.count
    }
}
