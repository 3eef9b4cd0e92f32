import Linalg

/// The exact path for an unconstrained features model: H ∈ R^{d×N} with samples as COLUMNS in class-major
/// order (sample i has label i / n, n = N / K, or class k owns n_k consecutive columns when counts are
/// given), the layout of Tirer & Bruna (2022) and Súkeník et al. (2023).
///
/// μ_k = p + (1/n_k) (H − p1ᵀ)_{:, s_k..<s_k+n_k}·1 (contiguous row segments, s_k = n_1 + … + n_{k−1};
/// p = the first column, the pivot of `ClassStatistics`), and S_W = H_c H_cᵀ with
/// H_c = H − M̄·Eᵀ (E the N×K class indicator), formed block by block: each block of at most
/// `columnBlock` columns is centered into a d×b workspace and added with one dsyrk, so the cost is
/// d·N (means, centering) + d²·N flops (half of a gemm) and the extra memory is d·b Doubles.
/// No per-sample d×d work and no Chan update: the means are known before the scatter is formed.
extension ClassStatistics {
    /// Columns per dsyrk block in `init(columns:classes:)`.
    public static let columnBlock = 1024

    /// The statistics of H (d×N, samples as columns, class-major with N = K·n).
    /// Throws `tooFewClasses` (K < 2), `lengthMismatch` (N not a positive multiple of K) and `nonFinite`
    /// (naming the first sample, i.e. column, with NaN/Inf).
    public init(columns h: Matrix<Double>, classes: Int, layer: String = "features") throws {
        let K = classes, N = h.cols
        guard K >= 2 else { throw CollapseError.tooFewClasses(layer: layer, classes: classes) }
        guard h.rows < 1 || (N >= K && N % K == 0) else {  // (d < 1 is reported first, by the general init)
            throw CollapseError.lengthMismatch(layer: layer, what: "samples N = K·n in class-major order (K = \(K))",
                                               expected: Swift.max(K, (N / K) * K), found: N)
        }
        try self.init(columns: h, counts: [Int](repeating: N / K, count: K), layer: layer)
    }

    /// The statistics of H (d×N, samples as columns, class-major with class k owning the n_k columns
    /// n_1 + … + n_{k−1} ..< n_1 + … + n_k, N = Σ_k n_k): μ_k = (1/n_k)·H_{:, segment k}·1.
    /// Throws `tooFewClasses` (K < 2), `emptyClass` (some n_k < 1), `lengthMismatch` (Σ n_k ≠ N) and
    /// `nonFinite` (naming the first sample, i.e. column, with NaN/Inf).
    public init(columns h: Matrix<Double>, counts: [Int], layer: String = "features") throws {
        try self.init(classes: counts.count, dimension: Swift.max(h.rows, 1), layer: layer)
        guard h.rows >= 1 else {
            throw CollapseError.shapeMismatch(layer: layer, what: "H", expected: "d×N with d ≥ 1", found: "\(h.rows)×\(h.cols)")
        }
        let d = h.rows, N = h.cols, K = counts.count
        if let k = counts.firstIndex(where: { $0 < 1 }) { throw CollapseError.emptyClass(layer: layer, classIndex: k) }
        guard counts.reduce(0, +) == N else {
            throw CollapseError.lengthMismatch(layer: layer, what: "samples N = Σ_k n_k in class-major order (counts \(counts))",
                                               expected: counts.reduce(0, +), found: N)
        }
        var starts = [0]
        for c in counts { starts.append(starts[starts.count - 1] + c) }
        // The pivot p is the first sample (see `ClassStatistics`): the sums below are of z − p.
        let p0 = (0..<d).map { h[$0, 0] }
        var mu = [Double](repeating: 0, count: K * d)
        h.withUnsafeBufferPointer { p in
            for i in 0..<d {
                let row = p.baseAddress! + i * N, pi = p0[i]
                for k in 0..<K {
                    var s = 0.0
                    for j in starts[k]..<starts[k + 1] { s += row[j] - pi }
                    mu[k * d + i] = s / Double(counts[k])
                }
            }
        }
        let pivotFinite = p0.allSatisfy(\.isFinite)
        if !pivotFinite || !mu.allSatisfy(\.isFinite) {
            // The first bad sample is the smallest column index holding NaN/Inf.
            var first: (sample: Int, feature: Int)? = nil
            for i in 0..<d {
                for j in 0..<(first?.sample ?? N) where !h[i, j].isFinite { first = (j, i); break }
            }
            if let f = first { throw CollapseError.nonFinite(layer: layer, sample: f.sample, feature: f.feature) }
            throw CollapseError.overflow(layer: layer)
        }

        let b = Swift.min(N, ClassStatistics.columnBlock)
        var hc = [Double](repeating: 0, count: d * b)
        var t = [Double](repeating: 0, count: K)
        var c0 = 0, k0 = 0  // k0: the class of column c0
        while c0 < N {
            let w = Swift.min(b, N - c0)
            h.withUnsafeBufferPointer { p in
                hc.withUnsafeMutableBufferPointer { out in
                    for i in 0..<d {
                        let row = p.baseAddress! + i * N, o = out.baseAddress! + i * w
                        var j = c0, k = k0
                        while j < c0 + w {  // one class segment at a time inside the block
                            while j >= starts[k + 1] { k += 1 }
                            let end = Swift.min(c0 + w, starts[k + 1])
                            let m = mu[k * d + i], pi = p0[i]
                            var s = 0.0
                            for jj in j..<end { let v = (row[jj] - pi) - m; o[jj - c0] = v; s += v * v }
                            t[k] += s
                            j = end
                        }
                    }
                }
            }
            hc.withUnsafeBufferPointer { a in
                scatterUpper.withUnsafeMutableBufferPointer { s in
                    Double.syrkUpper(transpose: false, n: d, k: w, alpha: 1, a: a.baseAddress!, lda: w,
                                     beta: 1, c: s.baseAddress!, ldc: d)
                }
            }
            c0 += w
            while k0 < K - 1, c0 >= starts[k0 + 1] { k0 += 1 }
        }
        shiftedMeans = Matrix(rows: K, cols: d, storage: mu)
        pivot = p0
        hasPivot = true
        self.counts = counts
        classScatterTraces = t
        sampleCount = N
    }
}
