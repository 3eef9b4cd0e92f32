import Linalg

extension NC {
    /// Calls `body(i0, j0, bi, bj, tile)` for every tile of the upper block triangle (j0 ≥ i0) of A Aᵀ
    /// (A is K×d, one row per class): `tile[a * bj + b]` = ⟨A_{i0+a}, A_{j0+b}⟩. One dgemm per tile into a
    /// reused `pairTile`² workspace, so the K×K matrix is never formed.
    static func forEachGramTile(_ a: Matrix<Double>, tile: Int = pairTile,
                                _ body: (Int, Int, Int, Int, UnsafeBufferPointer<Double>) -> Void) {
        let K = a.rows, d = a.cols, t = Swift.max(1, Swift.min(tile, K))
        var g = [Double](repeating: 0, count: t * t)
        a.withUnsafeBufferPointer { ap in
            g.withUnsafeMutableBufferPointer { gp in
                var i0 = 0
                while i0 < K {
                    let bi = Swift.min(t, K - i0)
                    var j0 = i0
                    while j0 < K {
                        let bj = Swift.min(t, K - j0)
                        Double.gemm(transA: false, transB: true, m: bi, n: bj, k: d, alpha: 1,
                                    a: ap.baseAddress! + i0 * d, lda: d, b: ap.baseAddress! + j0 * d, ldb: d,
                                    beta: 0, c: gp.baseAddress!, ldc: bj)
                        body(i0, j0, bi, bj, UnsafeBufferPointer(gp))
                        j0 += bj
                    }
                    i0 += bi
                }
            }
        }
    }

    /// `gramDistance(gram(rows: a), to: target)` without forming the K×K Gram matrix: a first tiled pass
    /// gives ‖G‖_F, a second Σ_kl (G_kl/‖G‖_F − T_kl)² (off-diagonal tiles counted twice, G and T being
    /// symmetric). Memory O(K·d + tile²) at any K; the same value up to round-off.
    public static func gramDistance(rows a: Matrix<Double>, to target: GramTarget, tile: Int = pairTile) -> Double {
        let K = a.rows
        precondition(K >= 2, "gramDistance needs K ≥ 2 rows")
        var n2 = 0.0
        forEachGramTile(a, tile: tile) { i0, j0, bi, bj, g in
            var s = 0.0
            for x in 0..<(bi * bj) { s += g[x] * g[x] }
            n2 += j0 == i0 ? s : 2 * s
        }
        let norm = n2.squareRoot()
        guard norm > 0 else { return .nan }
        let off: Double, diag: Double
        switch target {
        case .orthogonalFrame: (diag, off) = (1 / Double(K).squareRoot(), 0)
        case .simplexETF:
            let s = 1 / Double(K - 1).squareRoot()
            (diag, off) = ((1 - 1 / Double(K)) * s, -s / Double(K))
        }
        var e2 = 0.0
        forEachGramTile(a, tile: tile) { i0, j0, bi, bj, g in
            var s = 0.0
            for x in 0..<bi {
                for y in 0..<bj {
                    let t = i0 + x == j0 + y ? diag : off
                    let v = g[x * bj + y] / norm - t
                    s += v * v
                }
            }
            e2 += j0 == i0 ? s : 2 * s
        }
        return e2.squareRoot()
    }
}
