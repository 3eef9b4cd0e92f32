import Linalg
import Testing
@testable import Collapse

/// Constructed inputs whose metrics are known exactly.
@Suite struct KnownAnswerTests {
    /// Rows z_i = μ_{y_i} + noise·ε_i, n per class, labels class-major.
    func rows(means: Matrix<Double>, perClass n: Int, noise: Double = 0, seed: UInt64 = 1) -> (Matrix<Double>, [Int]) {
        var rng = Xoshiro256StarStar(seed: seed)
        let K = means.rows, d = means.cols
        let z = Matrix<Double>(rows: K * n, cols: d) { i, j in means[i / n, j] + noise * rng.nextNormal() }
        return (z, (0..<(K * n)).map { $0 / n })
    }

    /// A K×d simplex ETF (rows), rotated by a random orthogonal matrix and shifted by `offset`.
    func simplexETF(classes K: Int, dimension d: Int, scale: Double, offset: [Double], seed: UInt64) throws -> Matrix<Double> {
        var rng = Xoshiro256StarStar(seed: seed)
        let q = try rng.normalMatrix(rows: d, cols: d, standardDeviation: 1, as: Double.self).svd().u  // orthogonal
        let c = (Double(K) / Double(K - 1)).squareRoot() * scale
        let e = Matrix<Double>(rows: K, cols: d) { i, j in j < K ? c * ((i == j ? 1 : 0) - 1 / Double(K)) : 0 }
        var m = Matrix.product(e, q, transposeB: true)
        for i in 0..<K { for j in 0..<d { m[i, j] += offset[j] } }
        return m
    }

    /// A common offset far larger than the means' spread: centering leaves round-off of order offset·ε in
    /// M̄_c, far above NumPy's τ·σ_1, and the rank must still be K − 1 (under every OpenBLAS kernel set).
    @Test(arguments: [5, 7, 16]) func simplexETFWithLargeCommonOffsetHasRankKMinusOne(d: Int) throws {
        let K = 5
        let means = try simplexETF(classes: K, dimension: d, scale: 3, offset: Array(repeating: 1000, count: d), seed: 4)
        let (z, y) = rows(means: means, perClass: 3)
        let m = try NCMetrics.measure(rows: z, labels: y, classes: K)
        #expect(m["means_rank"] == Double(K - 1), "d = \(d): singular values \(m.vector("means_singular_values") ?? [])")
        #expect(close(m["means_stable_rank"]!, Double(K - 1), 1e-9))
        #expect(abs(m["nc2_etf"]!) < 1e-9)
    }

    @Test func orthogonalFrameAndExactCollapse() throws {
        // Means 3·e_k: G = 9·I, so nc2_of = 0; features equal their means, so nc1 = 0 exactly; W = M̄ᵀ.
        let K = 4, d = 6
        let means = Matrix<Double>(rows: K, cols: d) { i, j in i == j ? 3 : 0 }
        let (z, y) = rows(means: means, perClass: 5)
        let m = try NCMetrics.measure(rows: z, labels: y, classes: K, classifier: Classifier(weight: means))
        #expect(m["nc1"] == 0)
        #expect(m["nc1_trace"] == 0)
        #expect(m["nc1_topk"] == 0)
        #expect(m["cdnv"] == 0)
        #expect(abs(m["nc2_of"]!) < 1e-15)
        #expect(abs(m["nc2w_of"]!) < 1e-15)
        #expect(abs(m["nc3"]!) < 1e-15)
        #expect(m["nc4"] == 0)
        #expect(m["means_rank"] == Double(K - 1))  // centered orthogonal frame spans K−1 dimensions
        #expect(m["weight_rank"] == Double(K))
        #expect(abs(m["alignment_sin2"]!) < 1e-15)   // W's rows span exactly span(M̄)
        // An orthogonal frame is not a simplex ETF before centering: ‖G/‖G‖ − (I − 11ᵀ/K)/√(K−1)‖ > 0.
        #expect(m["nc2w_etf"]! > 0.1)
        // …but its centered Gram matrix is one.
        #expect(abs(m["nc2_etf"]!) < 1e-14)
    }

    @Test func simplexETFMeans() throws {
        let K = 5, d = 7
        var rng = Xoshiro256StarStar(seed: 2)
        let offset = (0..<d).map { _ in 10 * rng.nextNormal() }
        let means = try simplexETF(classes: K, dimension: d, scale: 2, offset: offset, seed: 3)
        let (z, y) = rows(means: means, perClass: 6, noise: 0.01)
        let m = try NCMetrics.measure(rows: z, labels: y, classes: K)
        // The class means of noisy samples are an ETF only up to the noise; use noise-free features for NC2.
        let (z0, y0) = rows(means: means, perClass: 3)
        let m0 = try NCMetrics.measure(rows: z0, labels: y0, classes: K)
        #expect(abs(m0["nc2_etf"]!) < 1e-13)
        #expect(abs(m0["equinorm"]!) < 1e-13)
        #expect(abs(m0["equiangularity"]!) < 1e-13)
        #expect(abs(m0["maxangle"]!) < 1e-13)
        #expect(m0["means_rank"] == Double(K - 1))
        #expect(close(m0["means_stable_rank"]!, Double(K - 1), 1e-13))  // all K−1 singular values equal
        #expect(m0["nc1"]! < 1e-25)  // means of identical rows carry one rounding
        // A classifier whose rows form a (centered) simplex ETF: nc2w_etf = 0, and nc3_centered = 0 for W = M̄_cᵀ.
        let s0 = try { var s = try ClassStatistics(classes: K, dimension: d); try s.add(rows: z0, labels: y0); return s }()
        let etfW = try NCMetrics.compute(s0, classifier: Classifier(weight: s0.centeredMeans))
        #expect(abs(etfW["nc2w_etf"]!) < 1e-13)
        #expect(etfW["nc2w_of"]! > 0.1)
        #expect(abs(etfW["nc3_centered"]!) < 1e-13)
        // With noise the metrics are small but positive, and NC1 is never negative.
        #expect(m["nc1"]! > 0 && m["nc1"]! < 1e-3)
        #expect(m["nc2_etf"]! < 1e-2)
    }

    @Test func nearCollapseNeverNegative() throws {
        // Features collapsed to 1e-13 relative: round-off in u_jᵀΣ_W u_j must not produce nc1 < 0.
        let means = Matrix<Double>(rows: 3, cols: 4) { i, j in Double(i * 4 + j).squareRoot() * 1e3 }
        for seed in 1...5 as ClosedRange<UInt64> {
            let (z, y) = rows(means: means, perClass: 4, noise: 1e-10, seed: seed)
            let m = try NCMetrics.measure(rows: z, labels: y, classes: 3)
            #expect(m["nc1"]! >= 0 && m["nc1"]! < 1e-20)
            #expect(m["nc1_topk"]! >= 0)
        }
    }

    @Test func oneDimensionalNC1AndCDNV() throws {
        // Class 0 at −1 ± a, class 1 at +1 ± a: Σ_B = 1, Σ_W = a², so nc1 = a²/2, nc1_trace = nc1_topk = a²,
        // and Var_k = a², ‖μ_0 − μ_1‖² = 4 give cdnv = 2a²/8.
        let a = 0.3
        let z = Matrix<Double>([[-1 - a], [-1 + a], [1 - a], [1 + a]])
        let m = try NCMetrics.measure(rows: z, labels: [0, 0, 1, 1], classes: 2)
        #expect(close(m["nc1"]!, a * a / 2, 1e-14))
        #expect(close(m["nc1_trace"]!, a * a, 1e-14))
        #expect(close(m["nc1_topk"]!, a * a, 1e-14))
        #expect(close(m["cdnv"]!, a * a / 4, 1e-14))
        #expect(m["equinorm"] == 0)
        #expect(m["maxangle"] == 0)  // K = 2: cos = −1 = −1/(K−1)
    }

    @Test func nc1TopKIsKTimesNC1AndMatchesDenseFormula() throws {
        // nc1 through the K×K SVD equals the textbook (1/K)·Tr(Σ_W·pinv(Σ_B)) with a d×d pseudo-inverse.
        let h = classMajorFeatures(classes: 6, perClass: 15, dimension: 9, noise: 2, offset: 5, seed: 21)
        let s = try ClassStatistics(columns: h, classes: 6)
        let w = try NC.withinClassVariability(s)
        let dense = Matrix.traceOfProduct(s.withinCovariance, try s.betweenCovariance.symmetricPseudoInverse(relativeTolerance: 1e-10)) / 6
        #expect(close(w.nc1, dense, 1e-10))
        #expect(close(w.nc1TopK, 6 * w.nc1, 1e-13))
        #expect(w.pseudoInverseRank == 5)
        // Σ_W·X from the statistics equals the dense product.
        let x = Matrix<Double>(rows: 9, cols: 2) { i, j in Double(i - j) }
        #expect(relativeError(s.withinCovariance(times: x), Matrix.product(s.withinCovariance, x)) < 1e-14)
    }

    @Test func nc1IgnoresDirectionsBelowTolerance() throws {
        // Collinear means (rank-1 Σ_B; K − 1 = 2): samples μ_k ± v_i keep the means exact, so the second
        // eigenvalue of Σ_B is pure round-off and must be dropped from the pseudo-inverse.
        let means = Matrix<Double>([[0, 0, 1], [1, 1, 1], [2, 2, 1]])
        var rng = Xoshiro256StarStar(seed: 4)
        var rowsList: [[Double]] = [], y: [Int] = []
        for k in 0..<3 {
            for _ in 0..<4 {
                let v = (0..<3).map { _ in 0.1 * rng.nextNormal() }
                rowsList.append((0..<3).map { means[k, $0] + v[$0] })
                rowsList.append((0..<3).map { means[k, $0] - v[$0] })
                y += [k, k]
            }
        }
        var s = try ClassStatistics(classes: 3, dimension: 3)
        try s.add(rows: Matrix(rowsList), labels: y)
        let w = try NC.withinClassVariability(s)
        #expect(w.pseudoInverseRank == 1)
        // One direction u = (1, 1, 0)/√2 with λ = (1/3)·2·‖(1, 1, 0)‖² = 4/3: nc1 = (1/3)·uᵀΣ_W u/λ.
        let u = Matrix<Double>(rows: 3, cols: 1, storage: [(0.5).squareRoot(), (0.5).squareRoot(), 0])
        let q = Matrix.product(u, transposeA: true, s.withinCovariance(times: u))[0, 0]
        #expect(close(w.nc1, q / (4.0 / 3.0) / 3, 1e-12))
        #expect(close(w.nc1TopK, 3 * w.nc1, 1e-14))
    }

    @Test func nc4HandMadeCase() throws {
        // μ_0 = −1, μ_1 = +1. NCC: −2.5→0, 0.5→1, 0.25→1, 1.75→1.
        // Classifier scores (0.6, z): −2.5→0, 0.5→0, 0.25→0, 1.75→1. Two of four differ.
        let z = Matrix<Double>([[-2.5], [0.5], [0.25], [1.75]])
        let clf = Classifier(weight: Matrix([[0.0], [1.0]]), bias: [0.6, 0])
        let m = try NCMetrics.measure(rows: z, labels: [0, 0, 1, 1], classes: 2, classifier: clf)
        #expect(m["nc4"] == 0.5)
        // Second pass in two batches and through the d×N layout give the same count.
        var s = try ClassStatistics(classes: 2, dimension: 1)
        try s.add(rows: z, labels: [0, 0, 1, 1])
        var agree = try NearestClassCenterAgreement(statistics: s, classifier: clf)
        try agree.add(rows: z.rows(0..<1).converted(to: Float.self))
        try agree.add(rows: z.rows(1..<4))
        #expect(agree.disagreements == 2 && agree.samples == 4)
        var byColumns = try NearestClassCenterAgreement(statistics: s, classifier: clf)
        try byColumns.add(columns: z.transposed)
        #expect(byColumns.value == 0.5)
    }

    @Test func selfDualityAndCenteredForm() throws {
        let means = Matrix<Double>([[1, 2, 0], [3, -1, 1], [0, 1, 4]])
        let (z, y) = rows(means: means, perClass: 2)
        let s = try { var s = try ClassStatistics(classes: 3, dimension: 3); try s.add(rows: z, labels: y); return s }()
        // W = 5·M̄ᵀ: nc3 = 0 (scale-free); W = M̄_cᵀ: nc3_centered = 0 and nc3 > 0.
        var w = means
        w.scale(by: 5)
        #expect(abs(try NCMetrics.compute(s, classifier: Classifier(weight: w))["nc3"]!) < 1e-15)
        let mc = try NCMetrics.compute(s, classifier: Classifier(weight: s.centeredMeans))
        #expect(abs(mc["nc3_centered"]!) < 1e-15)
        #expect(mc["nc3"]! > 0.1)
        // W = −M̄ᵀ is the farthest possible: ‖−a − a‖ = 2.
        #expect(close(NC.selfDuality(weight: -means, means: means), 2, 1e-15))
    }

    @Test func gramTargetsHaveUnitNormAndScaleInvariance() {
        for k in 2...6 {
            #expect(close(GramTarget.orthogonalFrame.matrix(classes: k).frobeniusNorm, 1, 1e-15))
            #expect(close(GramTarget.simplexETF.matrix(classes: k).frobeniusNorm, 1, 1e-15))
        }
        var g = GramTarget.simplexETF.matrix(classes: 4)
        g.scale(by: 17)
        #expect(NC.gramDistance(g, to: .simplexETF) < 1e-15)
        #expect(NC.gramDistance(Matrix<Double>(rows: 3, cols: 3), to: .orthogonalFrame).isNaN)
    }

    @Test func spectrumAndAlignment() throws {
        let s = try NC.spectrum(of: Matrix<Double>([[3, 0], [0, 4], [0, 0]]))
        #expect(s.singularValues == [4, 3])
        #expect(s.rank == 2)
        #expect(close(s.stableRank, 25.0 / 16.0, 1e-15))
        #expect(try NC.spectrum(of: Matrix<Double>(rows: 2, cols: 2)).rank == 0)
        // span(M̄) = span{e1, e2}; W_l's right singular vectors are e1 (σ = 2) and e3 (σ = 1):
        // principal angles 0 and 90°, cosines [1, 0], mean sin² = 1/2.
        let a = try NC.alignment(means: Matrix([[1.0, 0, 0], [1.0, 1, 0]]), weight: Matrix([[2.0, 0, 0], [0, 0, 1]]))
        #expect(a.cosines.count == 2)
        #expect(close(a.cosines[0], 1, 1e-15) && abs(a.cosines[1]) < 1e-15)
        #expect(close(a.meanSquaredSine, 0.5, 1e-15))
    }

    @Test func suffixedNamesForMetricsCSV() throws {
        let z = Matrix<Double>([[-1.1], [-0.9], [1.2], [0.8]])
        let m = try NCMetrics.measure(rows: z, labels: [0, 0, 1, 1], classes: 2)
        #expect(m.names.prefix(5) == ["nc1", "nc1_trace", "nc1_topk", "nc2_of", "nc2_etf"])
        #expect(m.suffixed("3").first?.name == "nc1_3")
        #expect(m.vector("means_singular_values")?.count == 1)
    }
}
