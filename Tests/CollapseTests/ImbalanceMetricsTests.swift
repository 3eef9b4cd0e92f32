import Foundation
import Linalg
import Testing
@testable import Collapse

/// Class-major features with unbalanced counts: class k around a random center, plus noise, shifted.
func unbalancedFeatures(counts: [Int], dimension d: Int, offset: Double = 0, seed: UInt64) -> Matrix<Double> {
    var rng = Xoshiro256StarStar(seed: seed)
    let centers: Matrix<Double> = rng.normalMatrix(rows: counts.count, cols: d, standardDeviation: 3)
    var h = Matrix<Double>(rows: d, cols: counts.reduce(0, +))
    var j = 0
    for (k, n) in counts.enumerated() {
        for _ in 0..<n {
            for i in 0..<d { h[i, j] = offset + centers[k, i] + rng.nextNormal() }
            j += 1
        }
    }
    return h
}

@Suite struct ImbalanceMetricsTests {
    let counts = [40, 3, 12, 1, 25]

    @Test func sampleGlobalMeanIsTheMeanOfAllColumns() throws {
        let h = unbalancedFeatures(counts: counts, dimension: 4, offset: 50, seed: 3)
        let s = try ClassStatistics(columns: h, counts: counts)
        let direct = (0..<h.rows).map { i in (0..<h.cols).map { h[i, $0] }.reduce(0, +) / Double(h.cols) }
        #expect(relativeError(s.globalMean(.sampleMean), direct) <= 1e-13)
        #expect(s.globalMean(.classMeans) == s.globalMean)
        let c = s.centeredMeans(about: .sampleMean)
        for k in counts.indices { for i in 0..<h.rows { #expect(close(c[k, i], s.means[k, i] - direct[i], 1e-12)) } }
        // Balanced counts: the two choices agree.
        let b = try ClassStatistics(columns: unbalancedFeatures(counts: [5, 5, 5], dimension: 3, seed: 1), counts: [5, 5, 5])
        #expect(relativeError(b.globalMean(.sampleMean), b.globalMean(.classMeans)) <= 1e-14)
    }

    /// c_k against Tr(S_k Σ_B^†)/(K·N) with dense per-class scatters and LAPACK's pseudo-inverse, and Σ_k c_k = nc1.
    @Test func perClassNC1ContributionsMatchADenseComputation() throws {
        let d = 6, K = counts.count
        let h = unbalancedFeatures(counts: counts, dimension: d, offset: 7, seed: 11)
        let s = try ClassStatistics(columns: h, counts: counts)
        let c = try NC.withinClassContributions(columns: h, statistics: s)
        let N = Double(h.cols)
        var sb = Matrix<Double>(rows: d, cols: d)
        let g = (0..<d).map { i in (0..<K).map { s.means[$0, i] }.reduce(0, +) / Double(K) }
        for k in 0..<K { for a in 0..<d { for b in 0..<d { sb[a, b] += (s.means[k, a] - g[a]) * (s.means[k, b] - g[b]) / Double(K) } } }
        let pinv = try sb.pseudoInverse(relativeTolerance: 1e-10)
        var start = 0
        for k in 0..<K {
            var sk = Matrix<Double>(rows: d, cols: d)
            let mu = (0..<d).map { i in (start..<(start + counts[k])).map { h[i, $0] }.reduce(0, +) / Double(counts[k]) }
            for j in start..<(start + counts[k]) { for a in 0..<d { for b in 0..<d { sk[a, b] += (h[a, j] - mu[a]) * (h[b, j] - mu[b]) } } }
            let want = Matrix.product(sk, pinv).trace / (Double(K) * N)
            #expect(close(c[k], want, 1e-9), "class \(k): \(c[k]) vs \(want)")
            start += counts[k]
        }
        let nc1 = try NC.withinClassVariability(s).nc1
        #expect(close(c.reduce(0, +), nc1, 1e-12))
        // The class with one sample has no within-class scatter.
        #expect(c[3] == 0)
    }

    /// Samples as rows in a shuffled order give the same shares as the class-major columns (which the dense
    /// computation above checks); labels whose counts differ from the statistics' are refused.
    @Test func perClassNC1ContributionsFromShuffledRows() throws {
        let d = 5
        let h = unbalancedFeatures(counts: counts, dimension: d, offset: 3, seed: 17)
        let s = try ClassStatistics(columns: h, counts: counts)
        let want = try NC.withinClassContributions(columns: h, statistics: s)
        var labels = counts.enumerated().flatMap { k, n in [Int](repeating: k, count: n) }
        var order = Array(0..<h.cols)
        var rng = Xoshiro256StarStar(seed: 2)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let z = Matrix<Double>(rows: h.cols, cols: d) { i, j in h[j, order[i]] }
        labels = order.map { labels[$0] }
        let got = try NC.withinClassContributions(rows: z, labels: labels, statistics: s)
        for k in counts.indices { #expect(close(got[k], want[k], 1e-12), "class \(k): \(got[k]) vs \(want[k])") }
        var wrong = labels
        wrong[wrong.firstIndex(of: 0)!] = 1
        #expect(throws: CollapseError.self) { try NC.withinClassContributions(rows: z, labels: wrong, statistics: s) }
        #expect(throws: CollapseError.self) { try NC.withinClassContributions(rows: z, labels: Array(labels.dropLast()), statistics: s) }
    }

    @Test func generalFrameNC2AndTheDiagonalTarget() throws {
        // Means e_k·r_k with different norms: a general orthogonal frame (nc2_gof = 0), not an orthogonal frame.
        let r = [3.0, 0.5, 1.0]
        let means = Matrix<Double>(rows: 3, cols: 4) { k, j in k == j ? r[k] : 0 }
        let g = NC.gram(rows: means)
        #expect(NC.offDiagonalFraction(g) == 0)
        #expect(NC.gramDistance(g, to: .orthogonalFrame) > 0.3)
        #expect(abs(NC.gramDistance(g, toDiagonal: r.map { 5 * $0 * $0 })) <= 1e-15)
        // G = diag(1, 0), P = diag(0, 1): ‖(1,0) − (0,1)‖ = √2.
        #expect(abs(NC.gramDistance(Matrix(rows: 2, cols: 2) { i, j in i == 0 && j == 0 ? 1 : 0 }, toDiagonal: [0, 1]) - Double(2).squareRoot()) <= 1e-15)
        // [[1, 1], [1, 1]]: off-diagonal share √2/2.
        #expect(abs(NC.offDiagonalFraction(Matrix(rows: 2, cols: 2) { _, _ in 1 }) - Double(0.5).squareRoot()) <= 1e-15)
        #expect(NC.gramDistance(Matrix(rows: 2, cols: 2), toDiagonal: [1, 1]).isNaN)
    }

    @Test func normsAndTheMinorityAngle() throws {
        let counts = [10, 2, 2, 2]
        let h = unbalancedFeatures(counts: counts, dimension: 3, seed: 5)
        let s = try ClassStatistics(columns: h, counts: counts)
        // Minority rows 1, 2, 3 at 0°, 60° and 90° in one plane: pairwise angles 60°, 90°, 30°, mean 60° = π/3.
        let w = Matrix<Double>(rows: 4, cols: 3, storage: [5, 5, 5,  2, 0, 0,  cos(.pi / 3), sin(.pi / 3), 0,  0, 4, 0])
        let m = try NC.imbalance(s, classifier: w, globalMean: .sampleMean)
        #expect(abs(m.minorityAngle - .pi / 3) <= 1e-14)
        #expect(relativeError(m.classifierRowNorms, [Double(75).squareRoot(), 2, 1, 4]) <= 1e-15)
        for k in 0..<4 {
            let norm = (0..<3).map { s.means[k, $0] * s.means[k, $0] }.reduce(0, +).squareRoot()
            #expect(close(m.meanNorms[k], norm, 1e-14))
            let gm = s.globalMean(.sampleMean)
            let cn = (0..<3).map { pow(s.means[k, $0] - gm[$0], 2) }.reduce(0, +).squareRoot()
            #expect(close(m.centeredMeanNorms[k], cn, 1e-12))
        }
        #expect(m.globalMean == .sampleMean)
        // No classifier: no rows and a NaN angle; a classifier of the wrong shape is refused.
        #expect(try NC.imbalance(s).minorityAngle.isNaN)
        #expect(throws: CollapseError.self) { try NC.imbalance(s, classifier: Matrix(rows: 3, cols: 3)) }
    }
}
