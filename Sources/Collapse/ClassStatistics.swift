import Linalg

/// The sufficient statistics of labelled features for every neural-collapse metric, in Double.
///
/// For features z_i ∈ R^d with labels y_i ∈ {0…K−1}, N = Σ_k n_k:
/// - counts n_k and class means μ_k = (1/n_k) Σ_{i: y_i = k} z_i, stored as `means` = M̄ᵀ (K×d, row k is μ_k);
/// - the pooled within-class scatter S_W = Σ_i (z_i − μ_{y_i})(z_i − μ_{y_i})ᵀ (d×d), so Σ_W = S_W / N;
/// - the per-class scatter traces Tr(S_k) = Σ_{i: y_i = k} ‖z_i − μ_k‖² (CDNV's class variances).
///
/// Memory is O(K·d + d²) whatever N is. Statistics are built in one pass, from batches of rows in any
/// order and any batch size (`add(rows:labels:)`, Float or Double input, Double accumulation), or exactly
/// from an unconstrained-features matrix H (d×N, samples as columns, class-major; `init(columns:classes:)`),
/// and two partial statistics merge into those of the union (`merge(_:)`, Chan, Golub & LeVeque 1979).
/// Each batch is centered at its own class means before its scatter is formed, so no sum of squares of
/// uncentered features (and no catastrophic cancellation) ever occurs.
///
/// Shift by a pivot: every statistic is invariant under z ↦ z − p except the means, which move by p.
/// The one-pass path stores the class means of z − p, with p the sample mean of the first batch it sees,
/// so that features far from the origin (post-ReLU features often share a large common offset) are summed
/// as small numbers: the batch means, the Chan differences δ_k and the centered means M̄_c then carry the
/// relative accuracy of a two-pass computation instead of losing log10(‖p‖/noise) digits.
/// `means` adds p back; `centeredMeans` never sees it.
public struct ClassStatistics: Sendable {
    /// K, the number of classes.
    public let classes: Int
    /// d, the feature dimension.
    public let dimension: Int
    /// The layer name used in error messages.
    public let layer: String
    /// n_k, the number of samples of each class seen so far.
    public internal(set) var counts: [Int]
    /// M̄ᵀ (K×d): row k is the class mean μ_k (zero while class k has no samples).
    public var means: Matrix<Double> {
        guard hasPivot else { return shiftedMeans }
        var m = shiftedMeans
        for k in 0..<classes where counts[k] > 0 { for j in 0..<dimension { m[k, j] += pivot[j] } }
        return m
    }
    /// Row k is μ_k − p, the class mean relative to the pivot p (zero while class k has no samples).
    var shiftedMeans: Matrix<Double>
    /// p, the shift subtracted from every sample before it is accumulated (zeros until chosen).
    public internal(set) var pivot: [Double]
    /// Whether p has been chosen (by the first non-empty batch, a merge, or the exact path's p = 0).
    var hasPivot = false
    /// Tr(S_k) = Σ_{i: y_i = k} ‖z_i − μ_k‖², one per class.
    public internal(set) var classScatterTraces: [Double]
    /// N, the number of samples seen so far.
    public internal(set) var sampleCount: Int
    /// The upper triangle of S_W (row-major d×d); the strictly lower triangle is never read.
    var scatterUpper: Matrix<Double>
    /// Workspace for one centered batch (N_b×d Doubles), reused across `add` calls.
    var scratch: [Double] = []

    /// Empty statistics for K classes of d-dimensional features.
    /// Throws `tooFewClasses` for K < 2 and `shapeMismatch` for d < 1.
    public init(classes: Int, dimension: Int, layer: String = "features") throws {
        guard classes >= 2 else { throw CollapseError.tooFewClasses(layer: layer, classes: classes) }
        guard dimension >= 1 else {
            throw CollapseError.shapeMismatch(layer: layer, what: "feature dimension", expected: "d ≥ 1", found: "\(dimension)")
        }
        do { try Self.memoryEstimate(classes: classes, dimension: dimension).check(layer) } catch {
            throw CollapseError.memory(layer: layer, error)
        }
        self.classes = classes
        self.dimension = dimension
        self.layer = layer
        counts = [Int](repeating: 0, count: classes)
        shiftedMeans = Matrix(rows: classes, cols: dimension)
        pivot = [Double](repeating: 0, count: dimension)
        classScatterTraces = [Double](repeating: 0, count: classes)
        sampleCount = 0
        scatterUpper = Matrix(rows: dimension, cols: dimension)
    }

    /// The memory that statistics of K classes in d dimensions and the metrics computed from them hold, in
    /// Doubles: S_W and its symmetric and scaled copies (4·d²), the class means M̄ᵀ with their centered
    /// copy and SVD (4·K·d), the K×K Gram matrices of NC2 and their targets (4·K²), and with `samples`
    /// the N labels (8 bytes each). Checked by `init` before anything is allocated.
    public static func memoryEstimate(classes K: Int, dimension d: Int, samples: Int = 0) -> MemoryEstimate {
        var e = MemoryEstimate()
        e.add("the d×d within-class scatter and its copies (d = \(d))", bytes: d, d, 4, 8)
        e.add("the K×d class means and their copies (K = \(K), d = \(d))", bytes: K, d, 4, 8)
        e.add("the K×K Gram matrices of NC2 (K = \(K))", bytes: K, K, 4, 8)
        if samples > 0 { e.add("the labels (N = \(samples))", bytes: samples, 8) }
        return e
    }

    /// S_W = Σ_i (z_i − μ_{y_i})(z_i − μ_{y_i})ᵀ, the pooled within-class scatter (a new symmetric d×d matrix).
    public var withinScatter: Matrix<Double> {
        var s = scatterUpper
        let d = dimension
        s.withUnsafeMutableBufferPointer { p in  // a concrete loop: Linalg's generic one is not specialized here
            for i in 0..<d { for j in 0..<i { p[i * d + j] = p[j * d + i] } }
        }
        return s
    }

    /// Σ_W = S_W / N (Papyan, Han & Donoho 2020, Eq. (4); a new d×d matrix).
    public var withinCovariance: Matrix<Double> {
        var s = withinScatter
        s.scale(by: 1 / Double(Swift.max(sampleCount, 1)))
        return s
    }

    /// Tr(S_W) = Σ_k Tr(S_k), from the diagonal of the scatter.
    public var withinScatterTrace: Double { scatterUpper.trace }

    /// μ_G = (1/K) Σ_k μ_k, the mean of the class means (not the sample mean when classes are unbalanced).
    public var globalMean: [Double] {
        var g = shiftedMeans.columnMeans()
        for j in 0..<dimension { g[j] += pivot[j] }
        return g
    }

    /// M̄_cᵀ = M̄ᵀ − 1 μ_Gᵀ (K×d): row k is μ_k − μ_G, formed from the pivot-relative means (p cancels);
    /// exactly zero when `meansCoincide`, so that every between-class quantity is the documented undefined
    /// value (NaN) rather than a ratio of round-off.
    public var centeredMeans: Matrix<Double> {
        var c = shiftedMeans
        let g = shiftedMeans.columnMeans()
        for k in 0..<classes { for j in 0..<dimension { c[k, j] -= g[j] } }
        if Self.coincide(centered: c, means: means) { return Matrix(rows: classes, cols: dimension) }
        return c
    }

    /// Relative size below which class means count as identical: max_k ‖μ_k − μ_G‖ ≤ 1e-12 · max_k ‖μ_k‖.
    /// Means that agree to 12 significant digits are far below any real class separation and far above
    /// the round-off of Double accumulation (≈ n·2⁻⁵³ relative for n samples per class).
    public static let coincidenceTolerance = 1e-12

    /// Whether every class mean is the same point (up to `coincidenceTolerance`): Σ_B = 0, so NC1, NC2 of the
    /// means, CDNV, equinorm and equiangularity are undefined (NaN) and `NCMetrics` adds a warning.
    public var meansCoincide: Bool {
        var c = shiftedMeans
        let g = shiftedMeans.columnMeans()
        for k in 0..<classes { for j in 0..<dimension { c[k, j] -= g[j] } }
        return Self.coincide(centered: c, means: means)
    }

    private static func coincide(centered c: Matrix<Double>, means m: Matrix<Double>) -> Bool {
        var spread = 0.0, scale = 0.0
        for k in 0..<m.rows {
            var a = 0.0, b = 0.0
            for j in 0..<m.cols { a += c[k, j] * c[k, j]; b += m[k, j] * m[k, j] }
            spread = Swift.max(spread, a)
            scale = Swift.max(scale, b)
        }
        return spread.squareRoot() <= coincidenceTolerance * scale.squareRoot()
    }

    /// Σ_B = (1/K) M̄_c M̄_cᵀ (d×d). Provided for tests and small d; the metrics never form it.
    public var betweenCovariance: Matrix<Double> {
        let c = centeredMeans
        var b = Matrix.product(c, transposeA: true, c)
        b.scale(by: 1 / Double(classes))
        return b
    }

    /// Σ_W·X for a d×m matrix X, from the upper triangle (one symmetric product, no d×d copy).
    /// This is all the NC1 computation needs of Σ_W: Tr(Σ_W A) for a rank-r A = U·D·Uᵀ is Σ_j D_jj u_jᵀ(Σ_W u_j).
    public func withinCovariance(times x: Matrix<Double>) -> Matrix<Double> {
        precondition(x.rows == dimension, "withinCovariance(times:) needs \(dimension) rows, got \(x.rows)")
        var s = withinScatter
        s.scale(by: 1 / Double(Swift.max(sampleCount, 1)))
        return Matrix.product(s, x)
    }

    /// Checks that the statistics define every metric: every class has a sample, and nothing overflowed.
    public func validate() throws {
        if let k = counts.firstIndex(of: 0) { throw CollapseError.emptyClass(layer: layer, classIndex: k) }
        // |S_ij| ≤ √(S_ii·S_jj) for the PSD scatter, so a finite diagonal means a finite S_W (O(d) check).
        let d = dimension
        let diagonalFinite = scatterUpper.storage.withUnsafeBufferPointer { p in (0..<d).allSatisfy { p[$0 * d + $0].isFinite } }
        guard diagonalFinite, shiftedMeans.storage.allSatisfy(\.isFinite), pivot.allSatisfy(\.isFinite), classScatterTraces.allSatisfy(\.isFinite) else {
            throw CollapseError.overflow(layer: layer)
        }
    }
}
