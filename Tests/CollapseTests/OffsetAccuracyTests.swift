import Linalg
import Testing
@testable import Collapse

/// A double-double number hi + lo (|lo| ≤ ulp(hi)/2): about 106 bits, for extended-precision references.
struct DoubleDouble {
    var hi = 0.0, lo = 0.0

    /// hi + lo + x, with Knuth's TwoSum for the exact error of hi + x.
    mutating func add(_ x: Double) {
        let s = hi + x, bp = s - hi
        let e = (hi - (s - bp)) + (x - bp)
        let t = e + lo
        hi = s + t
        lo = t - (hi - s)
    }

}

/// Features far from the origin (a large common offset, as post-ReLU features often are): the one-pass
/// streaming statistics, shifted by the first batch's mean, must be as accurate as a two-pass computation.
/// The measured case: N = 20,000, d = 16, K = 10, noise 1e-3, in 4096-row batches.
@Suite struct OffsetAccuracyTests {
    let K = 10, n = 2000, d = 16

    /// Streams the rows of `h` (shuffled) in `batch`-row batches.
    func streamed(_ h: Matrix<Double>, batch: Int, seed: UInt64) throws -> ClassStatistics {
        var rng = Xoshiro256StarStar(seed: seed)
        let (rows, labels) = shuffledRows(h, perClass: n, permutation: rng.permutation(K * n))
        var s = try ClassStatistics(classes: K, dimension: d)
        var start = 0
        while start < rows.rows {
            let end = Swift.min(start + batch, rows.rows)
            try s.add(rows: rows.rows(start..<end), labels: labels[start..<end])
            start = end
        }
        return s
    }

    /// Extended-precision two-pass reference straight from the uncentered features: per class, the mean
    /// in double-double, then Σ (z − μ_k)² per coordinate pair summed in double-double. Returns Tr(S_k)
    /// and S_W (d×d), rounded to Double at the end.
    func doubleDoubleReference(_ h: Matrix<Double>) -> (traces: [Double], scatter: Matrix<Double>) {
        var traces = [Double](repeating: 0, count: K)
        var scatter = [DoubleDouble](repeating: DoubleDouble(), count: d * d)
        for k in 0..<K {
            var mu = [DoubleDouble](repeating: DoubleDouble(), count: d)
            for i in 0..<d {
                var s = DoubleDouble()
                for j in (k * n)..<((k + 1) * n) { s.add(h[i, j]) }
                mu[i] = DoubleDouble(hi: s.hi / Double(n), lo: 0)
                // Refine: the residual Σ (z − hi) in double-double gives the low part of the mean.
                var r = DoubleDouble()
                for j in (k * n)..<((k + 1) * n) { r.add(h[i, j] - mu[i].hi) }  // exact: z and hi within 2×
                mu[i].lo = (r.hi + r.lo) / Double(n)
            }
            var t = DoubleDouble()
            for j in (k * n)..<((k + 1) * n) {
                // c_i = (z_i − hi_i) − lo_i: the first difference is exact, the second is tiny.
                let c = (0..<d).map { (h[$0, j] - mu[$0].hi) - mu[$0].lo }
                for a in 0..<d {
                    t.add(c[a] * c[a])
                    for b in a..<d { scatter[a * d + b].add(c[a] * c[b]) }
                }
            }
            traces[k] = t.hi + t.lo
        }
        let s = Matrix<Double>(rows: d, cols: d) { a, b in
            let e = scatter[Swift.min(a, b) * d + Swift.max(a, b)]
            return e.hi + e.lo
        }
        return (traces, s)
    }

    @Test(arguments: [1e4, 1e6, 1e8])
    func streamingIsAsAccurateAsTwoPass(offset: Double) throws {
        let h = classMajorFeatures(classes: K, perClass: n, dimension: d, spread: 1, noise: 1e-3, offset: offset, seed: 21)
        let s = try streamed(h, batch: 4096, seed: 5)
        let ref = doubleDoubleReference(h)
        // S_W and the class traces to the accuracy of a two-pass sum (~1e-13 relative here), at every offset.
        #expect(relativeError(s.withinScatter, ref.scatter) < 1e-11, "offset \(offset)")
        #expect(relativeError(s.classScatterTraces, ref.traces) < 1e-11, "offset \(offset)")

        // The same data exactly translated to the origin: h − offset is exact (Sterbenz: h and offset lie
        // within a factor 2), and its two-pass statistics are free of the offset, so their metrics are the
        // reference for NC1 and for everything built on the centered means.
        var shifted = h
        shifted.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] -= offset } }
        let exact = try ClassStatistics(columns: shifted, classes: K)
        #expect(relativeError(s.centeredMeans, exact.centeredMeans) < 1e-11, "offset \(offset)")
        let m1 = try NCMetrics.compute(s), m2 = try NCMetrics.compute(exact)
        for name in ["nc1", "nc1_trace", "nc1_topk", "nc2_etf", "cdnv", "equinorm", "equiangularity", "maxangle"] {
            let a = m1[name]!, b = m2[name]!
            #expect(close(a, b, 1e-10), "\(name) at offset \(offset): \(a) vs \(b)")
        }
        // The absolute means keep the offset: μ_k = p + (μ_k − p).
        #expect(relativeError(s.means, try ClassStatistics(columns: h, classes: K).means) < 1e-14)
    }

    /// Shards with their own pivots merge into the statistics of the whole, at a large offset.
    @Test func mergeAcrossPivots() throws {
        let h = classMajorFeatures(classes: K, perClass: n, dimension: d, spread: 1, noise: 1e-3, offset: 1e6, seed: 22)
        var rng = Xoshiro256StarStar(seed: 9)
        let (rows, labels) = shuffledRows(h, perClass: n, permutation: rng.permutation(K * n))
        var parts = [ClassStatistics]()
        for range in [0..<5000, 5000..<5001, 5001..<20000] {
            var p = try ClassStatistics(classes: K, dimension: d)
            try p.add(rows: rows.rows(range), labels: labels[range])
            parts.append(p)
        }
        #expect(parts[0].pivot != parts[2].pivot)
        var merged = try ClassStatistics(classes: K, dimension: d)
        for p in parts.reversed() { try merged.merge(p) }
        let ref = doubleDoubleReference(h)
        #expect(merged.counts == [Int](repeating: n, count: K))
        #expect(relativeError(merged.withinScatter, ref.scatter) < 1e-11)
        var shifted = h
        shifted.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] -= 1e6 } }
        let exact = try ClassStatistics(columns: shifted, classes: K)
        #expect(relativeError(merged.centeredMeans, exact.centeredMeans) < 1e-11)
        #expect(close(try NCMetrics.compute(merged)["nc1"]!, try NCMetrics.compute(exact)["nc1"]!, 1e-10))
    }
}
