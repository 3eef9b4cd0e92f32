/// Level-1/2/3 BLAS on `Matrix`, row-major, through OpenBLAS's CBLAS.
extension Matrix {
    /// C ← α·op(A)·op(B) + β·C in place (dgemm/sgemm), where op(X) is X or Xᵀ.
    ///
    /// `self` is C and must already have the shape of op(A)·op(B); nothing is allocated.
    /// With β = 0, C's previous contents are ignored (BLAS does not read them), NaN included.
    @inlinable @inline(__always)
    public mutating func gemm(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        alpha: Scalar = 1, beta: Scalar = 0
    ) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb, "gemm: inner dimensions differ (\(m)×\(k) times \(kb)×\(n))")
        precondition(rows == m && cols == n, "gemm: output is \(rows)×\(cols), product is \(m)×\(n)")
        if m == 0 || n == 0 { return }
        if k == 0 { scale(by: beta); return }
        let lda = max(1, a.cols), ldb = max(1, b.cols), ldc = max(1, cols)
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                storage.withUnsafeMutableBufferPointer { pc in
                    Scalar.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                beta: beta, c: pc.baseAddress!, ldc: ldc)
                }
            }
        }
    }

    /// op(A)·op(B) as a new matrix.
    @inlinable
    public static func product(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false) -> Matrix {
        var c = Matrix(rows: transposeA ? a.cols : a.rows, cols: transposeB ? b.rows : b.cols)
        c.gemm(a, transposeA: transposeA, b, transposeB: transposeB)
        return c
    }

    /// y ← α·op(A)·x + β·y (dgemv/sgemv); `x` and `y` are plain arrays.
    @inlinable
    public func gemv(_ x: [Scalar], transpose: Bool = false, alpha: Scalar = 1, beta: Scalar = 0, into y: inout [Scalar]) {
        precondition(x.count == (transpose ? rows : cols), "gemv: x has \(x.count) entries")
        precondition(y.count == (transpose ? cols : rows), "gemv: y has \(y.count) entries")
        if rows == 0 || cols == 0 { return }
        storage.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    Scalar.gemv(trans: transpose, m: rows, n: cols, alpha: alpha, a: pa.baseAddress!, lda: cols,
                                x: px.baseAddress!, beta: beta, y: py.baseAddress!)
                }
            }
        }
    }

    /// self ← self + α·X (daxpy/saxpy); shapes must agree.
    @inlinable @inline(__always)
    public mutating func add(_ x: Matrix, scaledBy alpha: Scalar = 1) {
        precondition(rows == x.rows && cols == x.cols, "axpy: \(x.rows)×\(x.cols) into \(rows)×\(cols)")
        if count == 0 { return }
        x.storage.withUnsafeBufferPointer { px in
            storage.withUnsafeMutableBufferPointer { py in
                Scalar.axpy(count: px.count, alpha: alpha, x: px.baseAddress!, y: py.baseAddress!)
            }
        }
    }

    /// self ← α·self (dscal/sscal).
    @inlinable @inline(__always)
    public mutating func scale(by alpha: Scalar) {
        if count == 0 { return }
        storage.withUnsafeMutableBufferPointer { p in Scalar.scal(count: p.count, alpha: alpha, x: p.baseAddress!) }
    }

    /// ⟨A, B⟩_F = Σ_ij A_ij B_ij = Tr(AᵀB), one dot product over the storage.
    @inlinable
    public static func frobeniusInner(_ a: Matrix, _ b: Matrix) -> Scalar {
        precondition(a.rows == b.rows && a.cols == b.cols, "frobeniusInner: \(a.rows)×\(a.cols) vs \(b.rows)×\(b.cols)")
        if a.count == 0 { return 0 }
        return a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in Scalar.dot(count: pa.count, x: pa.baseAddress!, y: pb.baseAddress!) }
        }
    }

    /// ‖A‖²_F = Σ_ij A_ij².
    @inlinable
    public var squaredFrobeniusNorm: Scalar { Matrix.frobeniusInner(self, self) }

    /// ‖A‖_F, computed with scaling so that it neither overflows nor underflows (like LAPACK's ?lange).
    @inlinable
    public var frobeniusNorm: Scalar {
        var scale: Scalar = 0, ssq: Scalar = 1
        for x in storage where x != 0 {
            let ax = abs(x)
            if scale < ax { ssq = 1 + ssq * (scale / ax) * (scale / ax); scale = ax } else { ssq += (ax / scale) * (ax / scale) }
        }
        return scale * ssq.squareRoot()
    }

    /// Tr(A·B) = Σ_ij A_ij·B_ji, without forming A·B: O(m·n) work instead of O(m²·n).
    @inlinable
    public static func traceOfProduct(_ a: Matrix, _ b: Matrix) -> Scalar {
        precondition(a.cols == b.rows && a.rows == b.cols, "traceOfProduct: \(a.rows)×\(a.cols) times \(b.rows)×\(b.cols) is not square")
        var t: Scalar = 0
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                for i in 0..<a.rows {
                    for j in 0..<a.cols { t += pa[i * a.cols + j] * pb[j * b.cols + i] }
                }
            }
        }
        return t
    }

    /// Tr(A), for a square matrix.
    @inlinable
    public var trace: Scalar {
        precondition(rows == cols, "trace of a non-square \(rows)×\(cols) matrix")
        var t: Scalar = 0
        for i in 0..<rows { t += storage[i * cols + i] }
        return t
    }
}

/// op(A)·op(B) for the common case A·B.
@inlinable
public func * <T>(a: Matrix<T>, b: Matrix<T>) -> Matrix<T> { Matrix.product(a, b) }
