#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Linalg

/// A kernel of the distance between two unit vectors, for hyperspherical uniformity.
public enum UniformityKernel: Sendable, Equatable {
    /// k(r) = log(1/r) (the logarithmic energy).
    case log
    /// k(r) = r^(−s) (the Riesz s-energy); Liu et al. (2023) and Wu & Papyan (2024) take s = d − 2.
    case riesz(exponent: Double)

    @inline(__always) func callAsFunction(_ r: Double) -> Double {
        switch self {
        case .log: return r == 0 ? .infinity : -Glibc.log(r)
        case .riesz(let s): return s == 0 ? 1 : Glibc.pow(r, -s)
        }
    }
}

/// The mean and (population) variance of a kernel over all pairs of classes.
public struct KernelStatistics: Sendable, Equatable {
    public var mean: Double
    public var variance: Double
}

extension NC {
    /// Rows per tile of the K×K pair computations (memory: two tiles of Gram entries, `tile²` Doubles).
    public static let pairTile = 512

    /// GNC2, hyperspherical uniformity of the class means (Liu et al., CVPR 2023, "Generalizing and
    /// decoupling neural collapse via hyperspherical uniformity gap"; Wu & Papyan 2024 as GNC2):
    /// with μ̂_k = (μ_k − μ_G)/‖μ_k − μ_G‖ and r_kl = ‖μ̂_k − μ̂_l‖ = √(2 − 2⟨μ̂_k, μ̂_l⟩),
    ///
    ///     mean = (2/(K(K−1))) Σ_{k<l} k(r_kl),   variance = (2/(K(K−1))) Σ_{k<l} (k(r_kl) − mean)²,
    ///
    /// for the log or Riesz kernel. Lower mean = more uniform; variance → 0 at a simplex ETF. The K×K
    /// Gram matrix is never formed: tiles of `pairTile` rows are one dgemm each into a reused workspace,
    /// visited twice (mean, then variance), so memory is O(K·d + tile²) at any K.
    /// `centered` is M̄_cᵀ (K×d); a zero row (a mean at μ_G) makes the result NaN.
    public static func hypersphericalUniformity(centered mc: Matrix<Double>, kernel: UniformityKernel,
                                                tile: Int = pairTile) -> KernelStatistics {
        let K = mc.rows, d = mc.cols
        precondition(K >= 2 && tile >= 1, "hypersphericalUniformity needs K ≥ 2")
        var u = mc
        for k in 0..<K {
            var n = 0.0
            for j in 0..<d { n += u[k, j] * u[k, j] }
            guard n > 0 else { return KernelStatistics(mean: .nan, variance: .nan) }
            let inv = 1 / n.squareRoot()
            for j in 0..<d { u[k, j] *= inv }
        }
        let pairs = Double(K) * Double(K - 1) / 2
        // pass 0: Σ k(r); pass 1: Σ (k(r) − mean)², over the Gram tiles of the unit means.
        var sums = [0.0, 0.0]
        for pass in 0..<2 {
            let m = sums[0] / pairs
            var acc = 0.0
            forEachGramTile(u, tile: tile) { i0, j0, bi, bj, g in
                for a in 0..<bi {
                    for b in (j0 == i0 ? a + 1 : 0)..<bj {
                        let v = kernel(Swift.max(0, 2 - 2 * g[a * bj + b]).squareRoot())
                        acc += pass == 0 ? v : (v - m) * (v - m)
                    }
                }
            }
            sums[pass] = acc
        }
        return KernelStatistics(mean: sums[0] / pairs, variance: sums[1] / pairs)
    }
}
