import Linalg

/// The shape of the class means beyond NC2: CDNV, equinorm, equiangularity and max-angle.
public struct MeanGeometry: Sendable, Equatable {
    /// CDNV averaged over the K(K−1)/2 class pairs.
    public var cdnv: Double
    /// std_k ‖μ_k − μ_G‖ / avg_k ‖μ_k − μ_G‖.
    public var equinorm: Double
    /// std over pairs k < k' of cos(μ_k − μ_G, μ_k' − μ_G).
    public var equiangularity: Double
    /// avg over pairs k < k' of |cos(μ_k − μ_G, μ_k' − μ_G) + 1/(K−1)|.
    public var maxAngle: Double
}

extension NC {
    /// The class-mean geometry of `s` (all standard deviations are population ones, ddof = 0):
    ///
    /// - CDNV (Galanti, György & Hutter, ICLR 2022, class-distance normalized variance):
    ///   Var_k = Tr(S_k)/n_k = avg_{i: y_i = k} ‖z_i − μ_k‖², and
    ///   cdnv = avg_{k<k'} (Var_k + Var_k') / (2‖μ_k − μ_k'‖²).
    /// - Equinorm (Papyan, Han & Donoho, PNAS 2020, Fig. 2): std_k(r_k)/avg_k(r_k), r_k = ‖μ_k − μ_G‖.
    /// - Equiangularity (ibid., Fig. 3): std_{k<k'} cos_{kk'}, cos_{kk'} = ⟨μ_k − μ_G, μ_k' − μ_G⟩/(r_k r_k').
    /// - Max-angle (ibid., Fig. 4): avg_{k<k'} |cos_{kk'} + 1/(K−1)|, 0 for a simplex ETF.
    ///
    /// Undefined terms (two equal means, a mean equal to μ_G, all means equal: `ClassStatistics.meansCoincide`)
    /// make the value NaN.
    public static func meanGeometry(_ s: ClassStatistics) throws -> MeanGeometry {
        try s.validate()
        let K = s.classes, d = s.dimension
        // μ_k − μ_k' = (μ_k − μ_G) − (μ_k' − μ_G), free of any common offset; exactly zero when the means
        // coincide (`ClassStatistics.centeredMeans`), so every term is then NaN.
        let mc = s.centeredMeans
        // r_k = ‖μ_k − μ_G‖; the pairs are visited in Gram tiles (`forEachGramTile`), never as K×K arrays.
        let r = (0..<K).map { k in (0..<d).reduce(0.0) { $0 + mc[k, $1] * mc[k, $1] }.squareRoot() }
        let variances = (0..<K).map { s.classScatterTraces[$0] / Double(s.counts[$0]) }
        let target = -1 / Double(K - 1)
        let pairs = Double(K) * Double(K - 1) / 2
        var ratioSum = 0.0, cosSum = 0.0, angleSum = 0.0
        func forEachPair(_ body: (Int, Int, Double) -> Void) {
            forEachGramTile(mc) { i0, j0, bi, bj, g in
                for x in 0..<bi {
                    for y in (j0 == i0 ? x + 1 : 0)..<bj {
                        let k = i0 + x, l = j0 + y
                        body(k, l, r[k] > 0 && r[l] > 0 ? g[x * bj + y] / (r[k] * r[l]) : .nan)
                    }
                }
            }
        }
        mc.withUnsafeBufferPointer { m in
            forEachPair { k, l, cos in
                var dist2 = 0.0
                for j in 0..<d { let t = m[k * d + j] - m[l * d + j]; dist2 += t * t }
                ratioSum += dist2 > 0 ? (variances[k] + variances[l]) / (2 * dist2) : .nan
                cosSum += cos
                angleSum += abs(cos - target)
            }
        }
        let cosMean = cosSum / pairs
        var deviation2 = 0.0
        forEachPair { _, _, cos in deviation2 += (cos - cosMean) * (cos - cosMean) }
        return MeanGeometry(cdnv: ratioSum / pairs, equinorm: populationStd(r) / mean(r),
                            equiangularity: (deviation2 / pairs).squareRoot(), maxAngle: angleSum / pairs)
    }

    static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    static func populationStd(_ x: [Double]) -> Double {
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }
}
