import Linalg
@testable import Collapse

/// |a − b| ≤ tol·max(1, |a|, |b|)-style comparison used throughout (relative for large values).
func close(_ a: Double, _ b: Double, _ tol: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    return abs(a - b) <= tol * Swift.max(abs(a), abs(b), 1e-300)
}

/// max_ij |A_ij − B_ij| / max_ij |B_ij|.
func relativeError(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Double {
    precondition(a.rows == b.rows && a.cols == b.cols)
    return (a - b).maxAbs() / Swift.max(b.maxAbs(), 1e-300)
}

func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    let scale = b.map { abs($0) }.max() ?? 0
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / Swift.max(scale, 1e-300) } ?? 0
}

/// Random labelled features: class k centered at `centers` row k (scaled by `spread`) plus N(0, noise²),
/// all shifted by `offset` (to stress centering). Returns H (d×N, class-major) and the class of each column.
func classMajorFeatures(classes K: Int, perClass n: Int, dimension d: Int, spread: Double = 3, noise: Double = 1,
                        offset: Double = 0, seed: UInt64) -> Matrix<Double> {
    var rng = Xoshiro256StarStar(seed: seed)
    let centers: Matrix<Double> = rng.normalMatrix(rows: K, cols: d, standardDeviation: spread)
    var h = Matrix<Double>(rows: d, cols: K * n)
    for i in 0..<d {
        for j in 0..<(K * n) { h[i, j] = offset + centers[j / n, i] + noise * rng.nextNormal() }
    }
    return h
}

/// The rows of H's transpose in the order `perm`, with their class-major labels.
func shuffledRows(_ h: Matrix<Double>, perClass n: Int, permutation perm: [Int]) -> (rows: Matrix<Double>, labels: [Int]) {
    let rows = Matrix<Double>(rows: h.cols, cols: h.rows) { i, j in h[j, perm[i]] }
    return (rows, perm.map { $0 / n })
}
