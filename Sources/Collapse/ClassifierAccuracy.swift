import Linalg

/// The accuracy of a linear classifier and of the nearest-class-center rule on labelled rows, overall
/// and per class, plus NC4 (their disagreement), for held-out data measured with training statistics:
///
///     acc_k = #{i : y_i = k, argmax_c (W z_i + b)_c = k} / #{i : y_i = k},
///     ncc_k = #{i : y_i = k, argmin_c ‖z_i − μ_c‖ = k} / #{i : y_i = k},
///     nc4  = (1/N)·#{i : argmin_c ‖z_i − μ_c‖ ≠ argmax_c (W z_i + b)_c }
///
/// (Papyan, Han & Donoho, PNAS 2020: NC4 and the NCC accuracy on the test set, Fig. 7), with μ_c the
/// TRAINING class means. Ties go to the lowest class index. Scores are one product per batch.
public struct ClassifierAccuracy: Sendable {
    public let layer: String
    public let classes: Int
    /// Samples per class seen.
    public private(set) var counts: [Int]
    /// Samples per class the classifier gets right.
    public private(set) var correct: [Int]
    /// Samples per class the nearest training class mean gets right.
    public private(set) var nearestCenterCorrect: [Int]
    /// Samples where the two rules differ.
    public private(set) var disagreements = 0
    let scorer: Matrix<Double>   // [M̄ᵀ; W], 2K×d
    let offsets: [Double]        // [−‖μ_k‖²/2; b]
    /// Rows scored per dgemm: the score workspace stays at most 2²² Doubles (32 MiB) at any K.
    let chunkRows: Int
    var scores: [Double] = []

    /// Prepares the pass from training statistics and the classifier (validated against K and d).
    public init(statistics s: ClassStatistics, classifier: Classifier) throws {
        try s.validate()
        try classifier.validate(classes: s.classes, dimension: s.dimension, layer: s.layer)
        let K = s.classes, d = s.dimension, m = s.means
        layer = s.layer
        classes = K
        var b = Matrix<Double>(rows: 2 * K, cols: d)
        b.storage.replaceSubrange(0..<(K * d), with: m.storage)
        b.storage.replaceSubrange((K * d)..<(2 * K * d), with: classifier.weight.storage)
        scorer = b
        offsets = (0..<K).map { k in -0.5 * m.row(k).reduce(0) { $0 + $1 * $1 } } + (classifier.bias ?? [Double](repeating: 0, count: K))
        counts = [Int](repeating: 0, count: K)
        chunkRows = Swift.max(1, (1 << 22) / (2 * K))
        correct = counts
        nearestCenterCorrect = counts
    }

    /// Counts a batch of rows (N_b×d) with their labels.
    public mutating func add(rows x: Matrix<Double>, labels: some Collection<Int>) throws {
        let y = Array(labels)
        guard x.cols == scorer.cols else {
            throw CollapseError.shapeMismatch(layer: layer, what: "feature batch", expected: "N_b×\(scorer.cols)", found: "\(x.rows)×\(x.cols)")
        }
        guard y.count == x.rows else {
            throw CollapseError.lengthMismatch(layer: layer, what: "labels for a batch of \(x.rows) rows", expected: x.rows, found: y.count)
        }
        for (i, c) in y.enumerated() where c < 0 || c >= classes {
            throw CollapseError.labelOutOfRange(layer: layer, sample: counts.reduce(0, +) + i, label: c, classes: classes)
        }
        if x.rows == 0 { return }
        let K = classes, d = scorer.cols, twoK = 2 * K
        var sc = [Double]()
        swap(&sc, &scores)
        defer { swap(&sc, &scores) }
        if sc.count < Swift.min(chunkRows, x.rows) * twoK { sc = [Double](repeating: 0, count: Swift.min(chunkRows, x.rows) * twoK) }
        var r0 = 0
        while r0 < x.rows {
            let nr = Swift.min(chunkRows, x.rows - r0)
            x.withUnsafeBufferPointer { xp in
                scorer.withUnsafeBufferPointer { bp in
                    sc.withUnsafeMutableBufferPointer { sp in
                        Double.gemm(transA: false, transB: true, m: nr, n: twoK, k: d, alpha: 1,
                                    a: xp.baseAddress! + r0 * d, lda: d, b: bp.baseAddress!, ldb: d,
                                    beta: 0, c: sp.baseAddress!, ldc: twoK)
                    }
                }
            }
            for i in 0..<nr {
                var nearest = 0, decided = 0
                var bestN = -Double.infinity, bestD = -Double.infinity
                for k in 0..<K {
                    let sn = sc[i * twoK + k] + offsets[k], sd = sc[i * twoK + K + k] + offsets[K + k]
                    if sn > bestN { bestN = sn; nearest = k }
                    if sd > bestD { bestD = sd; decided = k }
                }
                let c = y[r0 + i]
                counts[c] += 1
                if decided == c { correct[c] += 1 }
                if nearest == c { nearestCenterCorrect[c] += 1 }
                if nearest != decided { disagreements += 1 }
            }
            r0 += nr
        }
    }

    /// Counts a batch of Float rows.
    public mutating func add(rows x: Matrix<Float>, labels: some Collection<Int>) throws {
        try add(rows: x.converted(to: Double.self), labels: labels)
    }

    /// The classifier's accuracy over every sample seen (NaN before any).
    public var accuracy: Double { ratio(correct.reduce(0, +), counts.reduce(0, +)) }
    /// The nearest-class-center rule's accuracy.
    public var nearestCenterAccuracy: Double { ratio(nearestCenterCorrect.reduce(0, +), counts.reduce(0, +)) }
    /// NC4 on these samples.
    public var nc4: Double { ratio(disagreements, counts.reduce(0, +)) }
    /// acc_k per class (NaN for a class without samples).
    public var perClassAccuracy: [Double] { zip(correct, counts).map { ratio($0, $1) } }
    /// ncc_k per class.
    public var perClassNearestCenterAccuracy: [Double] { zip(nearestCenterCorrect, counts).map { ratio($0, $1) } }

    private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? .nan : Double(a) / Double(b) }
}
