import Linalg

/// The elementwise passes of the UFM objective, on raw pointers into preallocated buffers.
///
/// Each is a single pass over its data, written as plain loops that the compiler vectorizes for baseline
/// x86-64 (SSE2; the package does not assume AVX) — explicit `SIMD8` code made the debug test build ~15×
/// slower. Reductions keep several partial sums so that the loop is
/// not bound by the latency of one add chain; the order of the additions is fixed (bit-reproducible).
enum Kernels {
    /// C ← α·op(A)·op(B) + β·C, row-major, with leading dimensions equal to the column counts.
    @inline(__always)
    static func gemm(_ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, alpha: Double = 1,
                     _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                     beta: Double, _ c: UnsafeMutablePointer<Double>) {
        // lda/ldb: the stored column counts of A and B (row-major).
        let lda = ta ? m : k, ldb = tb ? k : n
        Double.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a, lda: max(1, lda),
                    b: b, ldb: max(1, ldb), beta: beta, c: c, ldc: max(1, n))
    }

    /// x ← σ(x) for σ = ReLU, in place. `x < 0 ? 0 : x` keeps a NaN visible to the divergence check.
    @inline(__always)
    static func relu(_ x: UnsafeMutablePointer<Double>, _ count: Int) {
        for i in 0..<count { let v = x[i]; x[i] = v < 0 ? 0 : v }
    }

    /// d ← d ⊙ σ'(a) for σ = ReLU, with σ'(a) = 1[a > 0] read off z = σ(a) (z > 0 ⇔ a > 0; σ'(0) := 0).
    /// (The unconditional load of d lets the compiler turn the select into a vector compare-and-mask.)
    @inline(__always)
    static func reluMask(_ d: UnsafeMutablePointer<Double>, _ z: UnsafePointer<Double>, _ count: Int) {
        for i in 0..<count { let v = d[i]; d[i] = z[i] > 0 ? v : 0 }
    }

    /// dst ← λ·src and returns Σ src² (one pass: the regularization gradient and its value together).
    @inline(__always)
    static func scaledCopySquaredNorm(_ dst: UnsafeMutablePointer<Double>, _ src: UnsafePointer<Double>,
                                      _ lambda: Double, _ count: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var i = 0
        while i + 4 <= count {
            let a = src[i], b = src[i + 1], c = src[i + 2], d = src[i + 3]
            dst[i] = lambda * a; dst[i + 1] = lambda * b; dst[i + 2] = lambda * c; dst[i + 3] = lambda * d
            s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
            i += 4
        }
        while i < count { let a = src[i]; dst[i] = lambda * a; s0 += a * a; i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// The MSE residual pass over row entries [lo, hi) whose target is y: r = x − y, x ← r·scale;
    /// returns (Σ r², Σ r·scale).
    @inline(__always)
    static func residual(_ x: UnsafeMutablePointer<Double>, _ lo: Int, _ hi: Int, target y: Double, scale: Double) -> (Double, Double) {
        var s0 = 0.0, s1 = 0.0, t0 = 0.0, t1 = 0.0
        var i = lo
        while i + 2 <= hi {
            let r0 = x[i] - y, r1 = x[i + 1] - y
            s0 += r0 * r0; s1 += r1 * r1
            let g0 = r0 * scale, g1 = r1 * scale
            x[i] = g0; x[i + 1] = g1
            t0 += g0; t1 += g1
            i += 2
        }
        if i < hi { let r = x[i] - y; s0 += r * r; let g = r * scale; x[i] = g; t0 += g }
        return (s0 + s1, t0 + t1)
    }

    /// Σ x² (BLAS ddot).
    @inline(__always)
    static func squaredNorm(_ x: UnsafePointer<Double>, _ count: Int) -> Double {
        count == 0 ? 0 : Double.dot(count: count, x: x, y: x)
    }

    /// xᵀy (BLAS ddot).
    @inline(__always)
    static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ count: Int) -> Double {
        count == 0 ? 0 : Double.dot(count: count, x: x, y: y)
    }

    /// y ← y + α·x (BLAS daxpy).
    @inline(__always)
    static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ count: Int) {
        if count > 0 { Double.axpy(count: count, alpha: alpha, x: x, y: y) }
    }
}
