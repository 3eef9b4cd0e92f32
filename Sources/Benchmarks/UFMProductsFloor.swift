import Linalg
import UFM

/// The BLAS floor of one GD step of the deep UFM: the step's matrix products alone, with the shapes,
/// transpositions and β of `UFMObjective`'s forward and backward passes (docs/models.md), on buffers of
/// the same sizes, with no elementwise work. No implementation that calls this BLAS for those products
/// can take less time per step, so `floor it/s ÷ NumPy it/s` bounds the ratio any such implementation
/// can reach on this machine.
///
/// Per step, with Z_1 = H_1 (d_1×N), G_{L+1} = G_O (K×N):
///   forward   A_{l+1} = W_l Z_l (l < L),  O = W_L Z_L
///   backward  ∂W_l = G_{l+1} Z_lᵀ (β = 1),  W_lᵀ G_{l+1} (β = 0 for l ≥ 2, β = 1 into ∂H_1 for l = 1)
struct UFMProductsFloor {
    let spec: ModelSpec

    /// 2·Σ(m·n·k) over the step's products.
    var flopsPerStep: Double {
        let N = spec.samples, L = spec.depth
        var mnk = 0
        for l in 1...L {
            let rows = spec.width(l + 1), cols = spec.width(l)
            mnk += 3 * rows * cols * N  // forward, ∂W_l, W_lᵀ G_{l+1}
        }
        return 2 * Double(mnk)
    }

    /// Steps per second of the products alone: the best of `repeats` timings of `steps` steps.
    func iterationsPerSecond(steps: Int, repeats: Int) -> Double {
        let N = spec.samples, L = spec.depth
        let d = [0] + (1...(L + 1)).map { spec.width($0) }
        var rng = Xoshiro256StarStar(seed: 1)
        func buffer(_ count: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
            for i in 0..<max(count, 1) { p[i] = 0.1 * rng.nextNormal() }
            return p
        }
        let w = [buffer(0)] + (1...L).map { buffer(d[$0 + 1] * d[$0]) }
        let gw = [buffer(0)] + (1...L).map { buffer(d[$0 + 1] * d[$0]) }
        let z = (0...(L + 1)).map { buffer($0 >= 1 ? d[$0] * N : 0) }  // z[l] = Z_l, z[L+1] = O
        let g = (0...(L + 1)).map { buffer($0 >= 1 ? d[$0] * N : 0) }  // g[l] = G_l, g[1] = ∂H_1, g[L+1] = G_O
        defer { for p in w + gw + z + g { p.deallocate() } }
        var best = Double.infinity
        for _ in 0..<max(1, repeats) {
            let t0 = monotonicSeconds()
            for _ in 0..<steps {
                for l in 1...L {
                    Double.gemm(transA: false, transB: false, m: d[l + 1], n: N, k: d[l], a: w[l], b: z[l], beta: 0, c: z[l + 1])
                }
                for l in stride(from: L, through: 1, by: -1) {
                    Double.gemm(transA: false, transB: true, m: d[l + 1], n: d[l], k: N, a: g[l + 1], b: z[l], beta: 1, c: gw[l])
                    Double.gemm(transA: true, transB: false, m: d[l], n: N, k: d[l + 1], a: w[l], b: g[l + 1],
                                beta: l == 1 ? 1 : 0, c: g[l])
                }
            }
            best = min(best, monotonicSeconds() - t0)
        }
        return Double(steps) / best
    }
}
