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
    /// Undefined terms (two equal means, a mean equal to μ_G) make the value NaN.
    public static func meanGeometry(_ s: ClassStatistics) throws -> MeanGeometry {
        try s.validate()
        let K = s.classes, d = s.dimension
        let mc = s.centeredMeans  // μ_k − μ_k' = (μ_k − μ_G) − (μ_k' − μ_G), free of any common offset
        var ratios = [Double](), cosines = [Double]()
        let g = gram(rows: mc)
        let r = (0..<K).map { g[$0, $0].squareRoot() }
        for k in 0..<K {
            for l in (k + 1)..<K {
                var dist2 = 0.0
                for j in 0..<d { let t = mc[k, j] - mc[l, j]; dist2 += t * t }
                let vk = s.classScatterTraces[k] / Double(s.counts[k])
                let vl = s.classScatterTraces[l] / Double(s.counts[l])
                ratios.append(dist2 > 0 ? (vk + vl) / (2 * dist2) : .nan)
                cosines.append(r[k] > 0 && r[l] > 0 ? g[k, l] / (r[k] * r[l]) : .nan)
            }
        }
        let target = -1 / Double(K - 1)
        return MeanGeometry(cdnv: mean(ratios), equinorm: populationStd(r) / mean(r),
                            equiangularity: populationStd(cosines),
                            maxAngle: mean(cosines.map { abs($0 - target) }))
    }

    static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    static func populationStd(_ x: [Double]) -> Double {
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }
}
