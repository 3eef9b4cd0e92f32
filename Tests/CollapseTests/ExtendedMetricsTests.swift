import Linalg
import Testing
@testable import Collapse

/// The peers' metrics (NCMetrics.extended, NC5, the global-mean choice) against direct computations
/// written from the definitions: explicit loops over classes and pairs, no shared helpers.
@Suite struct ExtendedMetricsTests {
    let K = 7, d = 5

    func statistics(counts: [Int], seed: UInt64) throws -> (ClassStatistics, Matrix<Double>, [Int]) {
        var rng = Xoshiro256StarStar(seed: seed)
        let centers: Matrix<Double> = rng.normalMatrix(rows: K, cols: d, standardDeviation: 2)
        let labels = counts.enumerated().flatMap { k, n in [Int](repeating: k, count: n) }
        let z = Matrix<Double>(rows: labels.count, cols: d) { i, j in 3 + centers[labels[i], j] + 0.5 * rng.nextNormal() }
        var s = try ClassStatistics(classes: K, dimension: d)
        try s.add(rows: z, labels: labels)
        return (s, z, labels)
    }

    /// Class means and both global means straight from the samples.
    func direct(_ z: Matrix<Double>, _ y: [Int]) -> (mu: [[Double]], classMean: [Double], sampleMean: [Double]) {
        var mu = [[Double]](repeating: [Double](repeating: 0, count: d), count: K), n = [Int](repeating: 0, count: K)
        var sample = [Double](repeating: 0, count: d)
        for i in 0..<z.rows { n[y[i]] += 1; for j in 0..<d { mu[y[i]][j] += z[i, j]; sample[j] += z[i, j] / Double(z.rows) } }
        for k in 0..<K { for j in 0..<d { mu[k][j] /= Double(n[k]) } }
        let cm = (0..<d).map { j in mu.reduce(0) { $0 + $1[j] } / Double(K) }
        return (mu, cm, sample)
    }

    @Test(arguments: [GlobalMean.classMeans, .sampleMean])
    func everyExtendedMetricMatchesDirect(choice: GlobalMean) throws {
        let counts = [3, 9, 4, 12, 5, 6, 20]  // imbalanced: the two global means differ
        let (s, z, y) = try statistics(counts: counts, seed: 4)
        let (mu, cm, sm) = direct(z, y)
        let g = choice == .classMeans ? cm : sm
        #expect(relativeError(s.globalMean(choice), g) < 1e-13)
        #expect(relativeError(cm, sm) > 1e-3)
        var rng = Xoshiro256StarStar(seed: 8)
        let w: Matrix<Double> = rng.normalMatrix(rows: K, cols: d, standardDeviation: 1)
        let b = (0..<K).map { Double($0) * 0.3 - 1 }
        let m = try NCMetrics.extended(s, classifier: Classifier(weight: w, bias: b), globalMean: choice)

        let c = mu.map { row in (0..<d).map { row[$0] - g[$0] } }          // μ_k − μ_G
        // nc3_zhu: ‖W M_c/‖W M_c‖_F − (I − 11ᵀ/K)/√(K−1)‖_F.
        var p = [[Double]](repeating: [Double](repeating: 0, count: K), count: K)
        for k in 0..<K { for l in 0..<K { for j in 0..<d { p[k][l] += w[k, j] * c[l][j] } } }
        let pn = p.joined().reduce(0) { $0 + $1 * $1 }.squareRoot()
        var e = 0.0
        for k in 0..<K { for l in 0..<K {
            let t = ((k == l ? 1 : 0) - 1 / Double(K)) / Double(K - 1).squareRoot()
            e += (p[k][l] / pn - t) * (p[k][l] / pn - t)
        } }
        #expect(close(m["nc3_zhu"]!, e.squareRoot(), 1e-12))
        // bias relation ‖W μ_G + b‖.
        let r = (0..<K).map { k in b[k] + (0..<d).reduce(0) { $0 + w[k, $1] * g[$1] } }
        #expect(close(m["bias_relation"]!, r.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12))
        // unc3: CoV of cos(w_k, μ_k − μ_G).
        let cosines = (0..<K).map { k -> Double in
            let dot = (0..<d).reduce(0) { $0 + w[k, $1] * c[k][$1] }
            let nw = (0..<d).reduce(0) { $0 + w[k, $1] * w[k, $1] }.squareRoot()
            let nc = c[k].reduce(0) { $0 + $1 * $1 }.squareRoot()
            return dot / (nw * nc)
        }
        let cmean = cosines.reduce(0, +) / Double(K)
        let cstd = (cosines.reduce(0) { $0 + ($1 - cmean) * ($1 - cmean) } / Double(K)).squareRoot()
        #expect(close(m["unc3"]!, cstd / cmean, 1e-12))
        // GNC2: log and Riesz (s = d − 2) kernels over ‖μ̂_k − μ̂_l‖, mean and variance over k < l.
        let u = c.map { v in v.map { $0 / v.reduce(0) { $0 + $1 * $1 }.squareRoot() } }
        var dist: [Double] = []
        for k in 0..<K {
            for l in (k + 1)..<K {
                var s2 = 0.0
                for j in 0..<d { let t = u[k][j] - u[l][j]; s2 += t * t }
                dist.append(s2.squareRoot())
            }
        }
        for (name, kernel) in [("gnc2_log", { (r: Double) in -Foundation_log(r) }), ("gnc2_riesz", { (r: Double) in Foundation_pow(r, -Double(d - 2)) })] {
            let v = dist.map(kernel)
            let mean = v.reduce(0, +) / Double(v.count)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)
            #expect(close(m[name]!, mean, 1e-12), "\(name)")
            #expect(close(m[name + "_var"]!, variance, 1e-10), "\(name)_var")
        }
    }

    @Test func tilingDoesNotChangeTheResult() throws {
        let (s, _, _) = try statistics(counts: [Int](repeating: 6, count: K), seed: 5)
        let mc = s.centeredMeans
        let whole = NC.hypersphericalUniformity(centered: mc, kernel: .log, tile: 512)
        for t in [1, 2, 3, 6] {
            let tiled = NC.hypersphericalUniformity(centered: mc, kernel: .log, tile: t)
            #expect(close(tiled.mean, whole.mean, 1e-13) && close(tiled.variance, whole.variance, 1e-11), "tile \(t)")
        }
    }

    /// The tiled Gram distance and mean geometry equal the K×K forms at every tile size.
    @Test func tiledGramDistanceMatchesTheFullMatrix() throws {
        let (s, _, _) = try statistics(counts: [Int](repeating: 6, count: K), seed: 6)
        for (a, target) in [(s.means, GramTarget.orthogonalFrame), (s.centeredMeans, .simplexETF)] {
            let full = NC.gramDistance(NC.gram(rows: a), to: target)
            for t in [1, 2, 3, 7, 512] {
                #expect(close(NC.gramDistance(rows: a, to: target, tile: t), full, 1e-12), "\(target) tile \(t)")
            }
        }
    }

    /// Known answers: a simplex ETF has every pairwise distance √(2K/(K−1)), so the variance is 0 and the
    /// log mean is −½ log(2K/(K−1)); W = M_c gives nc3_zhu = 0 and unc3 = 0.
    @Test func simplexETFKnownAnswers() throws {
        var h = Matrix<Double>(rows: K, cols: K * 2)  // d = K, columns: two samples per class at e_k
        for k in 0..<K { h[k, 2 * k] = 1; h[k, 2 * k + 1] = 1 }
        let s = try ClassStatistics(columns: h, classes: K)
        let u = NC.hypersphericalUniformity(centered: s.centeredMeans, kernel: .log)
        #expect(close(u.mean, -0.5 * Foundation_log(2 * Double(K) / Double(K - 1)), 1e-13))
        #expect(abs(u.variance) < 1e-28)
        let w = s.centeredMeans
        #expect(abs(NC.zhuSelfDuality(weight: w, centered: s.centeredMeans)) < 1e-14)
        #expect(abs(NC.uniformDuality(weight: w, centered: s.centeredMeans)) < 1e-14)
        // b = −W μ_G gives the bias relation 0.
        let g = s.globalMean
        let b = (0..<K).map { k in -(0..<K).reduce(0) { $0 + w[k, $1] * g[$1] } }
        #expect(NC.biasRelation(weight: w, bias: b, globalMean: g) < 1e-15)
    }

    @Test func oodOrthogonality() {
        // Means along e_0 and e_1; OOD mean along e_2 → 0; along e_0 + e_1 → cos 45° for both.
        let m = Matrix<Double>(rows: 2, cols: 3, storage: [2, 0, 0, 0, 3, 0])
        #expect(NC.oodOrthogonality(means: m, oodMean: [0, 0, 5]) == 0)
        #expect(close(NC.oodOrthogonality(means: m, oodMean: [1, 1, 0]), 0.5.squareRoot(), 1e-15))
        let r3: Double = 3.0.squareRoot()
        let first: Double = 2.0 / (2 * r3), second: Double = 3.0 / (3 * r3)
        let direct = (first + second) / 2
        #expect(close(NC.oodOrthogonality(means: m, oodMean: [1, -1, 1]), direct, 1e-15))
    }
}

#if canImport(Glibc)
import Glibc
func Foundation_log(_ x: Double) -> Double { Glibc.log(x) }
func Foundation_pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#endif
