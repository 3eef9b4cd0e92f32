import Collapse
import Foundation
import Linalg

/// The compute-only parts of `collapse bench measure`: features already in memory, so that the file
/// reader's cost can be told apart from the statistics' cost.
enum MeasureCore {
    /// Seconds to stream `z` (N×d Float rows) through ClassStatistics in batches of `batch` rows, run the NC4
    /// pass and compute every metric, best of `repeats`.
    static func streamingSeconds(z: Matrix<Float>, labels: [Int], classes: Int, classifier: Classifier,
                                 batch: Int, repeats: Int = 2) throws -> (seconds: Double, metrics: LevelMetrics) {
        var best = Double.infinity
        var result = LevelMetrics()
        for _ in 0..<repeats {
            let t0 = monotonicSeconds()
            var s = try ClassStatistics(classes: classes, dimension: z.cols)
            var start = 0
            while start < z.rows {
                let end = min(start + batch, z.rows)
                try s.add(rows: z.rows(start..<end), labels: labels[start..<end])
                start = end
            }
            var pass2 = try NearestClassCenterAgreement(statistics: s, classifier: classifier)
            start = 0
            while start < z.rows {
                let end = min(start + batch, z.rows)
                try pass2.add(rows: z.rows(start..<end))
                start = end
            }
            result = try NCMetrics.compute(s, classifier: classifier, nc4: pass2.value)
            best = min(best, monotonicSeconds() - t0)
        }
        return (best, result)
    }

    /// Seconds for one UFM measurement: `NCMetrics.measure(columns:)` on H ∈ R^{d×N} (class-major),
    /// statistics + NC4 + every metric, best of `repeats`.
    static func ufmSeconds(d: Int, perClass n: Int, classes K: Int, repeats: Int = 3) throws -> Double {
        var rng = Xoshiro256StarStar(seed: 1)
        let h: Matrix<Double> = rng.normalMatrix(rows: d, cols: K * n, standardDeviation: 1)
        let w: Matrix<Double> = rng.normalMatrix(rows: K, cols: d, standardDeviation: 1)
        var best = Double.infinity
        for _ in 0..<repeats {
            let t0 = monotonicSeconds()
            _ = try NCMetrics.measure(columns: h, classes: K, classifier: Classifier(weight: w))
            best = min(best, monotonicSeconds() - t0)
        }
        return best
    }
}
