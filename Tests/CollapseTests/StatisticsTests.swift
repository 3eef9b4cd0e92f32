import Linalg
import Testing
@testable import Collapse

/// One-pass statistics: streaming in any batch size and merge order equals the exact class-major path.
@Suite struct StatisticsTests {
    let K = 5, n = 40, d = 12
    var h: Matrix<Double> { classMajorFeatures(classes: K, perClass: n, dimension: d, offset: 100, seed: 7) }

    /// Textbook statistics straight from the definitions (per-sample loops, d×d outer products).
    func naive(_ h: Matrix<Double>) -> (means: Matrix<Double>, scatter: Matrix<Double>, traces: [Double]) {
        var means = Matrix<Double>(rows: K, cols: d)
        for j in 0..<h.cols { for i in 0..<d { means[j / n, i] += h[i, j] / Double(n) } }
        var s = Matrix<Double>(rows: d, cols: d)
        var t = [Double](repeating: 0, count: K)
        for j in 0..<h.cols {
            let k = j / n
            let c = (0..<d).map { h[$0, j] - means[k, $0] }
            for a in 0..<d { for b in 0..<d { s[a, b] += c[a] * c[b] } }
            t[k] += c.reduce(0) { $0 + $1 * $1 }
        }
        return (means, s, t)
    }

    func expectSame(_ a: ClassStatistics, _ b: ClassStatistics, tol: Double = 1e-10) {
        #expect(a.counts == b.counts)
        #expect(a.sampleCount == b.sampleCount)
        #expect(relativeError(a.means, b.means) <= tol)
        #expect(relativeError(a.withinScatter, b.withinScatter) <= tol)
        #expect(relativeError(a.classScatterTraces, b.classScatterTraces) <= tol)
    }

    @Test func exactPathMatchesDefinitions() throws {
        let s = try ClassStatistics(columns: h, classes: K)
        let ref = naive(h)
        #expect(s.counts == [Int](repeating: n, count: K))
        #expect(relativeError(s.means, ref.means) < 1e-13)
        #expect(relativeError(s.withinScatter, ref.scatter) < 1e-12)
        #expect(relativeError(s.classScatterTraces, ref.traces) < 1e-12)
        #expect(close(s.withinScatterTrace, ref.traces.reduce(0, +), 1e-12))
        // Σ_B = (1/K) M̄_c M̄_cᵀ and μ_G = mean of the means.
        let g = s.globalMean
        #expect(close(g[0], (0..<K).map { ref.means[$0, 0] }.reduce(0, +) / Double(K), 1e-14))
    }

    @Test(arguments: [1, 7, 64, 200])
    func streamingAnyBatchSizeMatchesExact(batch: Int) throws {
        let exact = try ClassStatistics(columns: h, classes: K)
        var rng = Xoshiro256StarStar(seed: 11)
        let (rows, labels) = shuffledRows(h, perClass: n, permutation: rng.permutation(K * n))
        var s = try ClassStatistics(classes: K, dimension: d)
        var start = 0
        while start < rows.rows {
            let end = Swift.min(start + batch, rows.rows)
            try s.add(rows: rows.rows(start..<end), labels: labels[start..<end])
            start = end
        }
        expectSame(s, exact)
        let m1 = try NCMetrics.compute(s), m2 = try NCMetrics.compute(exact)
        for (a, b) in zip(m1.scalars, m2.scalars) { #expect(close(a.value, b.value, 1e-10), "\(a.name)") }
    }

    @Test func mergesInAnyOrderMatchExact() throws {
        let exact = try ClassStatistics(columns: h, classes: K)
        var rng = Xoshiro256StarStar(seed: 3)
        let (rows, labels) = shuffledRows(h, perClass: n, permutation: rng.permutation(K * n))
        // Uneven parts, some missing whole classes (the first part holds 3 rows).
        let cuts = [0, 3, 50, 51, 120, 200]
        var parts: [ClassStatistics] = []
        for p in 0..<(cuts.count - 1) {
            var s = try ClassStatistics(classes: K, dimension: d)
            try s.add(rows: rows.rows(cuts[p]..<cuts[p + 1]), labels: labels[cuts[p]..<cuts[p + 1]])
            parts.append(s)
        }
        var forward = parts[0]
        for p in parts.dropFirst() { try forward.merge(p) }
        var backward = parts[parts.count - 1]
        for p in parts.dropLast().reversed() { try backward.merge(p) }
        // Pairwise tree: ((0 1) (2 3)) 4.
        let tree = try parts[0].merged(with: parts[1]).merged(with: parts[2].merged(with: parts[3])).merged(with: parts[4])
        // Merging into empty statistics is the identity.
        let viaEmpty = try ClassStatistics(classes: K, dimension: d).merged(with: forward)
        for s in [forward, backward, tree, viaEmpty] { expectSame(s, exact) }
    }

    @Test func floatInputAccumulatesInDouble() throws {
        // Float features far from the origin: the statistics must equal those of the same values in Double.
        let hd = classMajorFeatures(classes: K, perClass: n, dimension: d, offset: 1000, seed: 5)
        let rowsD = hd.transposed.converted(to: Float.self).converted(to: Double.self)
        let rowsF = hd.transposed.converted(to: Float.self)
        let labels = (0..<(K * n)).map { $0 / n }
        var sf = try ClassStatistics(classes: K, dimension: d)
        var sd = try ClassStatistics(classes: K, dimension: d)
        for c in stride(from: 0, to: K * n, by: 33) {
            let r = c..<Swift.min(c + 33, K * n)
            try sf.add(rows: rowsF.rows(r), labels: labels[r])
            try sd.add(rows: rowsD.rows(r), labels: labels[r])
        }
        expectSame(sf, sd, tol: 1e-13)
        let exact = try ClassStatistics(columns: rowsD.transposed, classes: K)
        expectSame(sf, exact)
        // The raw-buffer entry point is the same computation.
        var sb = try ClassStatistics(classes: K, dimension: d)
        try rowsF.withUnsafeBufferPointer { try sb.add(rowMajor: $0, labels: labels) }
        expectSame(sb, sf, tol: 1e-13)
    }

    @Test func columnPathAcrossBlocksMatchesRows() throws {
        // N = 2100 > columnBlock, block edges fall inside classes.
        let hb = classMajorFeatures(classes: 3, perClass: 700, dimension: 4, offset: -50, seed: 9)
        let exact = try ClassStatistics(columns: hb, classes: 3)
        var s = try ClassStatistics(classes: 3, dimension: 4)
        try s.add(rows: hb.transposed, labels: (0..<2100).map { $0 / 700 })
        expectSame(s, exact)
    }

    @Test func emptyBatchIsANoOp() throws {
        var s = try ClassStatistics(columns: h, classes: K)
        let before = s
        try s.add(rows: Matrix<Double>(rows: 0, cols: d), labels: [Int]())
        expectSame(s, before, tol: 0)
    }
}
