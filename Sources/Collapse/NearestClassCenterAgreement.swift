import Linalg

/// NC4, convergence to the nearest-class-center rule (Papyan, Han & Donoho, PNAS 2020, Fig. 7): the fraction
/// of samples whose nearest class mean differs from the classifier's decision,
///
///     nc4 = (1/N)·#{i : argmin_k ‖z_i − μ_k‖ ≠ argmax_k (W z_i + b)_k }.
///
/// A second pass over the samples once the means are known; labels are not needed. Both arg-extrema use
/// the scores of one product Z·[M̄ | Wᵀ] (dgemm): argmin_k ‖z − μ_k‖² = argmax_k (μ_kᵀz − ‖μ_k‖²/2).
/// Ties go to the lowest class index in both rules.
public struct NearestClassCenterAgreement: Sendable {
    /// The layer name used in errors.
    public let layer: String
    /// Samples seen.
    public private(set) var samples = 0
    /// Samples where the two decisions differ.
    public private(set) var disagreements = 0
    /// [M̄ᵀ; W] (2K×d) and the offsets [−‖μ_k‖²/2; b].
    let scorer: Matrix<Double>
    let offsets: [Double]
    let classes: Int
    var scratch: [Double] = []
    var scores: [Double] = []

    /// Prepares the second pass from first-pass statistics and a classifier (validated against K and d).
    public init(statistics s: ClassStatistics, classifier: Classifier) throws {
        try s.validate()
        try classifier.validate(classes: s.classes, dimension: s.dimension, layer: s.layer)
        let K = s.classes, d = s.dimension
        layer = s.layer
        classes = K
        var b = Matrix<Double>(rows: 2 * K, cols: d)
        b.storage.replaceSubrange(0..<(K * d), with: s.means.storage)
        b.storage.replaceSubrange((K * d)..<(2 * K * d), with: classifier.weight.storage)
        scorer = b
        offsets = (0..<K).map { k in -0.5 * s.means.row(k).reduce(0) { $0 + $1 * $1 } } + (classifier.bias ?? [Double](repeating: 0, count: K))
    }

    /// nc4 = disagreements / samples (NaN before any sample).
    public var value: Double { samples == 0 ? .nan : Double(disagreements) / Double(samples) }

    /// Counts a batch of Float rows (N_b×d).
    public mutating func add(rows x: Matrix<Float>) throws {
        try checkShape(x.rows, x.cols)
        var xd = [Double]()
        swap(&xd, &scratch)
        defer { swap(&xd, &scratch) }
        if xd.count < x.count { xd = [Double](repeating: 0, count: x.count) }
        x.withUnsafeBufferPointer { p in
            xd.withUnsafeMutableBufferPointer { q in for i in 0..<p.count { q[i] = Double(p[i]) } }
        }
        try xd.withUnsafeBufferPointer { try count($0.baseAddress!, rows: x.rows) }
    }

    /// Counts a batch of Double rows (N_b×d).
    public mutating func add(rows x: Matrix<Double>) throws {
        try checkShape(x.rows, x.cols)
        if x.rows == 0 { return }
        try x.withUnsafeBufferPointer { try count($0.baseAddress!, rows: x.rows) }
    }

    /// Counts every column of H (d×N, samples as columns): scores [M̄ᵀ; W]·H in blocks of columns (dgemm),
    /// no transpose of H.
    public mutating func add(columns h: Matrix<Double>) throws {
        guard h.rows == scorer.cols else {
            throw CollapseError.shapeMismatch(layer: layer, what: "H", expected: "\(scorer.cols)×N", found: "\(h.rows)×\(h.cols)")
        }
        let K = classes, d = h.rows, N = h.cols, width = 2 * K, block = 1024
        if N == 0 { return }
        if scores.count < width * Swift.min(block, N) { scores = [Double](repeating: 0, count: width * Swift.min(block, N)) }
        var c0 = 0
        while c0 < N {
            let w = Swift.min(block, N - c0)
            h.withUnsafeBufferPointer { ph in
                scorer.withUnsafeBufferPointer { b in
                    scores.withUnsafeMutableBufferPointer { out in
                        Double.gemm(transA: false, transB: false, m: width, n: w, k: d, alpha: 1, a: b.baseAddress!, lda: d,
                                    b: ph.baseAddress! + c0, ldb: N, beta: 0, c: out.baseAddress!, ldc: w)
                    }
                }
            }
            for j in 0..<w where try disagrees(scoresAt: j, stride: w, sample: samples + j, features: d, { h[$0, c0 + j] }) {
                disagreements += 1
            }
            samples += w
            c0 += w
        }
    }

    private func checkShape(_ rows: Int, _ cols: Int) throws {
        guard cols == scorer.cols else {
            throw CollapseError.shapeMismatch(layer: layer, what: "feature batch", expected: "N_b×\(scorer.cols)", found: "\(rows)×\(cols)")
        }
    }

    private mutating func count(_ x: UnsafePointer<Double>, rows nb: Int) throws {
        let K = classes, d = scorer.cols, width = 2 * K
        if scores.count < nb * width { scores = [Double](repeating: 0, count: nb * width) }
        scorer.withUnsafeBufferPointer { b in
            scores.withUnsafeMutableBufferPointer { out in
                Double.gemm(transA: false, transB: true, m: nb, n: width, k: d, alpha: 1, a: x, lda: d,
                            b: b.baseAddress!, ldb: d, beta: 0, c: out.baseAddress!, ldc: width)
            }
        }
        for i in 0..<nb where try disagrees(scoresAt: i * width, stride: 1, sample: samples + i, features: d, { x[i * d + $0] }) {
            disagreements += 1
        }
        samples += nb
    }

    /// Whether one sample's nearest class center (argmax_k of NCC score k + offset) differs from the
    /// classifier's decision (argmax_k of classifier score k + offset), ties going to the lower k. Its 2K
    /// scores are in `scores` at base + r·stride, r = k for the NCC scores and K + k for the classifier's.
    /// A non-finite score throws, naming the first non-finite entry of `feature(0 ..< features)`, or an
    /// overflow if the features are all finite.
    private func disagrees(scoresAt base: Int, stride: Int, sample: Int, features: Int,
                           _ feature: (Int) -> Double) throws -> Bool {
        let K = classes
        var ncc = 0, cls = 0
        var bestN = -Double.infinity, bestC = -Double.infinity
        for k in 0..<K {
            let sn = scores[base + k * stride] + offsets[k]
            let sc = scores[base + (K + k) * stride] + offsets[K + k]
            guard sn.isFinite, sc.isFinite else {
                for f in 0..<features where !feature(f).isFinite {
                    throw CollapseError.nonFinite(layer: layer, sample: sample, feature: f)
                }
                throw CollapseError.overflow(layer: layer)
            }
            if sn > bestN { bestN = sn; ncc = k }
            if sc > bestC { bestC = sc; cls = k }
        }
        return ncc != cls
    }
}
