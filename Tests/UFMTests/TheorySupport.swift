import Foundation
import Linalg
import Testing
@testable import UFM

/// Class means of features Z (d×N, class-major): column k is the mean of samples k·n ..< (k+1)·n.
func classMeans(_ z: Matrix<Double>, spec: ModelSpec) -> Matrix<Double> {
    let n = spec.perClass
    return Matrix(rows: z.rows, cols: spec.classes) { i, k in
        (0..<n).reduce(0.0) { $0 + z[i, k * n + $1] } / Double(n)
    }
}

/// max_i ‖z_i − z̄_{y_i}‖ (within-class spread; 0 when collapsed).
func withinClassSpread(_ z: Matrix<Double>, spec: ModelSpec) -> Double {
    let m = classMeans(z, spec: spec)
    var worst = 0.0
    for i in 0..<spec.samples {
        let k = spec.label(ofSample: i)
        worst = max(worst, (0..<z.rows).reduce(0.0) { $0 + pow(z[$1, i] - m[$1, k], 2) }.squareRoot())
    }
    return worst
}

/// The Gram structure G: I_K or I_K − 11ᵀ/K.
func geometryMatrix(_ g: TheoryPrediction.Geometry, _ K: Int) -> Matrix<Double> {
    Matrix(rows: K, cols: K) { i, j in (i == j ? 1 : 0) - (g == .simplexETF ? 1 / Double(K) : 0) }
}

/// Expects gram == scale·G entrywise to `tolerance`·scale.
func expectGram(_ gram: Matrix<Double>, scale: Double, geometry: TheoryPrediction.Geometry, tolerance: Double,
                _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let target = geometryMatrix(geometry, gram.rows)
    var err = 0.0
    for i in 0..<gram.rows { for j in 0..<gram.cols { err = max(err, abs(gram[i, j] - scale * target[i, j])) } }
    #expect(err <= tolerance * scale, "\(label): max |Gram − a·G| = \(err), a = \(scale)", sourceLocation: sourceLocation)
}

/// Expects the eigenvalues of WWᵀ to be `scale` (K of them for the orthogonal frame, K−1 for the ETF)
/// and 0 otherwise.
func expectWeightSpectrum(_ wwt: Matrix<Double>, scale: Double, geometry: TheoryPrediction.Geometry, classes K: Int,
                          tolerance: Double, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let eig = try? wwt.symmetricEigen() else { Issue.record("\(label): eigendecomposition failed"); return }
    let values = eig.values.sorted(by: >)
    let rank = geometry == .orthogonalFrame ? K : K - 1
    var err = 0.0
    for (i, v) in values.enumerated() { err = max(err, abs(v - (i < rank ? scale : 0))) }
    #expect(err <= tolerance * scale, "\(label): eigenvalues \(values.prefix(rank + 1)) vs b = \(scale)", sourceLocation: sourceLocation)
}

/// L-BFGS (history 20, strong Wolfe) from `seeds` at init scale `scale`, to ‖∇f‖ ≤ `tolerance` or `maxSteps`.
func minimizeFromSeeds(_ spec: ModelSpec, seeds: [UInt64], scale: Double, maxSteps: Int,
                       tolerance: Double = 1e-11) -> [UFMSolution] {
    seeds.map { seed in
        let f = UFMObjective(spec: spec)
        return f.minimize(from: UFMParameters.random(spec: spec, seed: seed, scale: scale),
                          using: LBFGS(dimension: f.dimension, history: 20), maxSteps: maxSteps, gradientTolerance: tolerance)
    }
}
