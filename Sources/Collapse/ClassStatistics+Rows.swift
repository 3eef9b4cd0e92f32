import Linalg

/// One-pass accumulation of batches of rows (N_b×d, samples as ROWS: the NumPy/PyTorch convention).
///
/// For a batch B with class counts m_k, batch means ν_k and batch scatter S_B = Σ_{i∈B} (z_i − ν_{y_i})(…)ᵀ,
/// the union with the running statistics (n_k, μ_k, S_W) is (the pairwise update of Chan, Golub & LeVeque 1979,
/// "Updating formulae and a pairwise algorithm for computing sample variances", applied per class and
/// summed over classes):
///
///     n_k' = n_k + m_k,   δ_k = ν_k − μ_k,   μ_k' = μ_k + (m_k / n_k')·δ_k,
///     S_W' = S_W + S_B + Σ_k (n_k m_k / n_k')·δ_k δ_kᵀ,
///     Tr(S_k)' = Tr(S_k) + Tr(S_{B,k}) + (n_k m_k / n_k')·‖δ_k‖².
///
/// S_B is one dsyrk on the batch centered at its own class means (converted to Double on the way), and the
/// correction Σ_k c_k δ_k δ_kᵀ is a second dsyrk of rank ≤ K. The result does not depend on how the samples
/// are split into batches, up to round-off. Every z is first shifted by the pivot p (see `ClassStatistics`),
/// so n_k, ν_k and μ_k above are those of z − p.
extension ClassStatistics {
    /// Adds a batch of Float features, row i with label `labels[i]`.
    public mutating func add(rows x: Matrix<Float>, labels: some Collection<Int>) throws {
        try checkBatch(rows: x.rows, cols: x.cols, labels: labels.count)
        let l = Array(labels)
        try x.withUnsafeBufferPointer { p in try accumulate(p.baseAddress, rows: x.rows, labels: l) }
    }

    /// Adds a batch of Double features, row i with label `labels[i]`.
    public mutating func add(rows x: Matrix<Double>, labels: some Collection<Int>) throws {
        try checkBatch(rows: x.rows, cols: x.cols, labels: labels.count)
        let l = Array(labels)
        try x.withUnsafeBufferPointer { p in try accumulate(p.baseAddress, rows: x.rows, labels: l) }
    }

    /// Adds `labels.count` rows of Float features stored row-major in `buffer` (for streaming readers that
    /// hand out their own buffers; `buffer.count` must be `labels.count · d`).
    public mutating func add(rowMajor buffer: UnsafeBufferPointer<Float>, labels: some Collection<Int>) throws {
        try checkBatch(rows: buffer.count / dimension, cols: buffer.count % dimension == 0 ? dimension : -1, labels: labels.count)
        try accumulate(buffer.baseAddress, rows: labels.count, labels: Array(labels))
    }

    /// Adds `labels.count` rows of Double features stored row-major in `buffer`.
    public mutating func add(rowMajor buffer: UnsafeBufferPointer<Double>, labels: some Collection<Int>) throws {
        try checkBatch(rows: buffer.count / dimension, cols: buffer.count % dimension == 0 ? dimension : -1, labels: labels.count)
        try accumulate(buffer.baseAddress, rows: labels.count, labels: Array(labels))
    }

    private func checkBatch(rows: Int, cols: Int, labels: Int) throws {
        guard cols == dimension else {
            throw CollapseError.shapeMismatch(layer: layer, what: "feature batch", expected: "N_b×\(dimension)",
                                              found: cols < 0 ? "not a whole number of rows" : "\(rows)×\(cols)")
        }
        guard labels == rows else {
            throw CollapseError.lengthMismatch(layer: layer, what: "labels for a batch of \(rows) rows", expected: rows, found: labels)
        }
    }

    /// The batch update above. `x` points at `nb` rows of d entries (nil only when nb == 0).
    mutating func accumulate<T: BLASScalar>(_ x: UnsafePointer<T>?, rows nb: Int, labels: [Int]) throws {
        let d = dimension, K = classes
        for (i, y) in labels.enumerated() where y < 0 || y >= K {
            throw CollapseError.labelOutOfRange(layer: layer, sample: sampleCount + i, label: y, classes: K)
        }
        guard nb > 0, let x else { return }
        if !hasPivot { try choosePivot(x, rows: nb) }

        // Batch class sums of z − p → means ν_k − p (Double accumulation).
        var m = [Int](repeating: 0, count: K)
        var nu = [Double](repeating: 0, count: K * d)
        nu.withUnsafeMutableBufferPointer { s in
            pivot.withUnsafeBufferPointer { p in
                for i in 0..<nb {
                    let k = labels[i]
                    m[k] += 1
                    let row = x + i * d, sum = s.baseAddress! + k * d
                    for j in 0..<d { sum[j] += Double(row[j]) - p[j] }
                }
            }
            for k in 0..<K where m[k] > 0 {
                let inv = 1 / Double(m[k])
                for j in 0..<d { s[k * d + j] *= inv }
            }
        }
        if !nu.allSatisfy(\.isFinite) { try throwFirstNonFinite(x, rows: nb) }

        // Center at the batch means, accumulate the per-class traces, then S_W ← S_W + X_cᵀX_c (dsyrk).
        // The centered batch lives in a workspace kept between calls (no allocation per batch).
        var xc = [Double]()
        swap(&xc, &scratch)
        defer { swap(&xc, &scratch) }
        if xc.count < nb * d { xc = [Double](repeating: 0, count: nb * d) }
        var t = [Double](repeating: 0, count: K)
        xc.withUnsafeMutableBufferPointer { c in
            nu.withUnsafeBufferPointer { mu in
                pivot.withUnsafeBufferPointer { p in
                for i in 0..<nb {
                    let k = labels[i]
                    let row = x + i * d, out = c.baseAddress! + i * d, mk = mu.baseAddress! + k * d
                    var s = 0.0
                    for j in 0..<d {
                        let v = (Double(row[j]) - p[j]) - mk[j]
                        out[j] = v
                        s += v * v
                    }
                    t[k] += s
                }
                }
            }
        }
        xc.withUnsafeBufferPointer { c in
            scatterUpper.withUnsafeMutableBufferPointer { s in
                Double.syrkUpper(transpose: true, n: d, k: nb, alpha: 1, a: c.baseAddress!, lda: d,
                                 beta: 1, c: s.baseAddress!, ldc: d)
            }
        }
        absorb(counts: m, means: nu, traces: t)
        sampleCount += nb
    }

    /// p = (1/N_b) Σ_{i∈B} z_i over the first batch (any fixed p is exact; one near the data keeps z − p small).
    private mutating func choosePivot<T: BLASScalar>(_ x: UnsafePointer<T>, rows nb: Int) throws {
        let d = dimension
        var p = [Double](repeating: 0, count: d)
        for i in 0..<nb { for j in 0..<d { p[j] += Double(x[i * d + j]) } }
        let inv = 1 / Double(nb)
        for j in 0..<d { p[j] *= inv }
        if !p.allSatisfy(\.isFinite) { try throwFirstNonFinite(x, rows: nb) }
        pivot = p
        hasPivot = true
    }

    /// Merges per-class (m_k, ν_k, Tr S_{B,k}) into the running counts, means and traces, and adds the
    /// between-part correction Σ_k (n_k m_k / n_k')·δ_k δ_kᵀ to S_W (the caller adds S_B itself).
    mutating func absorb(counts m: [Int], means nu: [Double], traces t: [Double]) {
        let d = dimension
        var correction = [Double]()  // rows √c_k·δ_k
        var rank = 0
        for k in 0..<classes where m[k] > 0 {
            let n = counts[k]
            if n == 0 {
                for j in 0..<d { shiftedMeans[k, j] = nu[k * d + j] }
                classScatterTraces[k] += t[k]
                counts[k] = m[k]
                continue
            }
            let total = n + m[k]
            let w = Double(m[k]) / Double(total)
            let c = Double(n) * Double(m[k]) / Double(total)
            let rc = c.squareRoot()
            var delta2 = 0.0
            for j in 0..<d {
                let delta = nu[k * d + j] - shiftedMeans[k, j]
                shiftedMeans[k, j] += w * delta
                delta2 += delta * delta
                correction.append(rc * delta)
            }
            classScatterTraces[k] += t[k] + c * delta2
            counts[k] = total
            rank += 1
        }
        if rank == 0 { return }
        correction.withUnsafeBufferPointer { a in
            scatterUpper.withUnsafeMutableBufferPointer { s in
                Double.syrkUpper(transpose: true, n: d, k: rank, alpha: 1, a: a.baseAddress!, lda: d,
                                 beta: 1, c: s.baseAddress!, ldc: d)
            }
        }
    }

    /// Names the first row (and feature) holding NaN/Inf; when every entry is finite the sums overflowed.
    private func throwFirstNonFinite<T: BLASScalar>(_ x: UnsafePointer<T>, rows nb: Int) throws -> Never {
        let d = dimension
        for i in 0..<nb {
            for j in 0..<d where !x[i * d + j].isFinite {
                throw CollapseError.nonFinite(layer: layer, sample: sampleCount + i, feature: j)
            }
        }
        throw CollapseError.overflow(layer: layer)
    }

    /// Combines two partial statistics of the same K and d into the statistics of the union of their
    /// samples (Chan, Golub & LeVeque 1979, pairwise update): exact in exact arithmetic, in any order.
    public mutating func merge(_ other: ClassStatistics) throws {
        guard other.classes == classes, other.dimension == dimension else {
            throw CollapseError.shapeMismatch(layer: layer, what: "statistics to merge", expected: "K = \(classes), d = \(dimension)",
                                              found: "K = \(other.classes), d = \(other.dimension)")
        }
        if !hasPivot && sampleCount == 0 {  // adopt the other's frame: its means are then taken as they are
            pivot = other.pivot
            hasPivot = other.hasPivot
        }
        // The other's means in this frame: (μ_k − p') + (p' − p); p' − p is exact when p' and p are within 2×.
        var nu = other.shiftedMeans.storage
        let d = dimension
        for k in 0..<classes where other.counts[k] > 0 {
            for j in 0..<d { nu[k * d + j] += other.pivot[j] - pivot[j] }
        }
        scatterUpper.add(other.scatterUpper)
        absorb(counts: other.counts, means: nu, traces: other.classScatterTraces)
        sampleCount += other.sampleCount
    }

    /// The statistics of the union of `self`'s and `other`'s samples.
    public func merged(with other: ClassStatistics) throws -> ClassStatistics {
        var s = self
        try s.merge(other)
        return s
    }
}
