import Linalg

/// Which global mean μ_G centers the class means. The two differ when the classes are imbalanced.
///
/// - `classMeans`: μ_G = (1/K) Σ_k μ_k, the mean of the class means (the toolkit's default everywhere;
///   Papyan, Han & Donoho 2020 on balanced data; the simplex ETF is centered at it).
/// - `sampleMean`: μ_G = (1/N) Σ_i z_i = Σ_k (n_k/N) μ_k, the mean of all samples (tding1/Neural-Collapse).
public enum GlobalMean: String, Sendable, CaseIterable {
    case classMeans = "class_means"
    case sampleMean = "sample_mean"
}

extension ClassStatistics {
    /// μ_G − p for the chosen global mean, in the pivot frame (p cancels in every centered quantity).
    func shiftedGlobalMean(_ choice: GlobalMean) -> [Double] {
        switch choice {
        case .classMeans: return shiftedMeans.columnMeans()
        case .sampleMean:
            var g = [Double](repeating: 0, count: dimension)
            let n = Double(Swift.max(sampleCount, 1))
            for k in 0..<classes where counts[k] > 0 {
                let w = Double(counts[k]) / n
                for j in 0..<dimension { g[j] += w * shiftedMeans[k, j] }
            }
            return g
        }
    }

    /// μ_G for the chosen global mean.
    public func globalMean(_ choice: GlobalMean) -> [Double] {
        var g = shiftedGlobalMean(choice)
        for j in 0..<dimension { g[j] += pivot[j] }
        return g
    }

    /// M̄_cᵀ (K×d), row k = μ_k − μ_G, for the chosen global mean (`centeredMeans` is `.classMeans`).
    public func centeredMeans(about choice: GlobalMean) -> Matrix<Double> {
        var c = shiftedMeans
        let g = shiftedGlobalMean(choice)
        for k in 0..<classes { for j in 0..<dimension { c[k, j] -= g[j] } }
        return c
    }
}
