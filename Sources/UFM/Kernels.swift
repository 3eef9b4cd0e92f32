import CKernels
import Linalg

/// The elementwise passes of the UFM objective, on raw pointers into preallocated buffers.
///
/// Each is a single pass over its data. The passes themselves are C (Sources/CKernels), compiled once per
/// x86-64 vector width (AVX-512, AVX2, baseline) and chosen at load time: the Swift package builds for
/// baseline x86-64 (SSE2), and at the paper's sizes (d = 20, N = 200) these passes were a fifth of a GD
/// step. All clones give the same bits; reductions keep eight partial sums in a fixed order, so that
/// the loop is not bound by the latency of one add chain and results are reproducible.
enum Kernels {
    /// C ← α·op(A)·op(B) + β·C, row-major, with leading dimensions equal to the column counts.
    @inline(__always)
    static func gemm(_ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, alpha: Double = 1,
                     _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                     beta: Double, _ c: UnsafeMutablePointer<Double>) {
        Double.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c)
    }

    /// x ← σ(x) for σ = ReLU, in place; NaN stays NaN (visible to the divergence check).
    @inline(__always)
    static func relu(_ x: UnsafeMutablePointer<Double>, _ count: Int) {
        nc_relu(x, count)
    }

    /// d ← d ⊙ σ'(a) for σ = ReLU, with σ'(a) = 1[a > 0] read off z = σ(a) (z > 0 ⇔ a > 0; σ'(0) := 0).
    @inline(__always)
    static func reluMask(_ d: UnsafeMutablePointer<Double>, _ z: UnsafePointer<Double>, _ count: Int) {
        nc_relu_mask(d, z, count)
    }

    /// dst ← λ·src and returns Σ src² (one pass: the regularization gradient and its value together).
    @inline(__always)
    static func scaledCopySquaredNorm(_ dst: UnsafeMutablePointer<Double>, _ src: UnsafePointer<Double>,
                                      _ lambda: Double, _ count: Int) -> Double {
        nc_scaled_copy_squared_norm(dst, src, lambda, count)
    }

    /// The MSE residual pass over row entries [lo, hi) whose target is y: r = x − y, x ← r·scale;
    /// returns (Σ r², Σ r·scale).
    @inline(__always)
    static func residual(_ x: UnsafeMutablePointer<Double>, _ lo: Int, _ hi: Int, target y: Double, scale: Double) -> (Double, Double) {
        var squares = 0.0, sum = 0.0
        if hi > lo { nc_residual(x + lo, hi - lo, y, scale, &squares, &sum) }
        return (squares, sum)
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
