import Foundation
@testable import Report

/// Synthetic metrics tables shaped like real runs.
enum Synthetic {
    /// A deep-UFM run: `levels` levels, objective decaying to `theory`, NC1 falling ten decades.
    static func ufm(levels: Int = 3, steps: Int = 200, theory: Double = 0.3127) -> MetricsTable {
        var cols = ["step", "objective", "fit", "gradient_norm"]
        for fam in ["nc1", "nc2_of", "nc2_etf", "nc3"] { cols += (1...levels).map { "\(fam)_\($0)" } }
        var t = MetricsTable(columns: cols)
        for i in 0...steps {
            let s = Double(i * 100)
            var row: [Double?] = [s, theory + 2.5 * exp(-s / 1500), 0.1, 3 * exp(-s / 1400)]
            for fam in ["nc1", "nc2_of", "nc2_etf", "nc3"] {
                for l in 1...levels {
                    let f = Double(i) / Double(steps)
                    switch fam {
                    case "nc1": row.append(pow(10, 0.5 - 10 * f) * (1 + 0.01 * Double(l)))
                    case "nc2_of": row.append(0.9 * exp(-3 * f) + 0.3)
                    default: row.append(exp(-8 * f * Double(l)))
                    }
                }
            }
            t.append(row: row)
        }
        return t
    }

    /// A network run: epochs, layer names, train/test loss and accuracy.
    static func network(epochs: Int = 60) -> MetricsTable {
        let layers = ["stage3", "stage4", "head"]
        var cols = ["epoch", "loss", "test_loss", "accuracy", "test_accuracy"]
        for fam in ["nc1", "nc2_of", "nc3"] { cols += layers.map { "\(fam)_\($0)" } }
        var t = MetricsTable(columns: cols)
        for e in 0...epochs {
            let x = Double(e)
            var row: [Double?] = [x, 2.3 * exp(-x / 10) + 1e-3, 2.3 * exp(-x / 15) + 0.3, 1 - 0.9 * exp(-x / 8), 0.9 - 0.8 * exp(-x / 9)]
            for _ in 0..<3 { for (j, _) in layers.enumerated() { row.append(30 * exp(-x * 0.05 * Double(j + 1)) + 0.01) } }
            t.append(row: row)
        }
        return t
    }
}
