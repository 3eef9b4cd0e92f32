import Foundation

/// The training loss on logits O ∈ R^{K×B} (classes as rows, samples as columns) and labels y_b.
public enum LossKind: String, Sendable, Codable, CaseIterable {
    /// Squared error against one-hot targets Y, scaled by `MSEScale`.
    case mse
    /// Cross-entropy: (1/B)·Σ_b [log Σ_k exp(o_kb) − o_{y_b b}].
    case ce
}

/// The normalization of the squared error.
public enum MSEScale: String, Sendable, Codable, CaseIterable {
    /// (1/(B·K))·‖O − Y‖²_F, PyTorch's `nn.MSELoss()` (mean over all entries), which the papers'
    /// network experiments use (Tirer & Bruna, ICML 2022, Sec. 6; Súkeník et al., NeurIPS 2023, Sec. 5).
    case mean
    /// (1/(2B))·‖O − Y‖²_F, the unconstrained features model's fit term (Tirer & Bruna, Eq. (2)).
    /// Its gradient is K/2 times that of `mean`: with lr = 0.05 and K = 10 training diverges.
    case ufm
}

/// A loss with its gradient, and the batch accuracy.
public struct LossFunction: Sendable, Equatable {
    public var kind: LossKind
    public var mseScale: MSEScale

    public init(kind: LossKind, mseScale: MSEScale = .mean) {
        self.kind = kind
        self.mseScale = mseScale
    }

    /// The loss of the batch (accumulated in Double), the number of correctly classified samples
    /// (argmax of the logits, the first maximum on ties), and, when `gradient` is given, ∂loss/∂O (K×B) in it;
    /// with `perClassCorrect` (K counters), each correct sample of class y also adds 1 to `perClassCorrect[y]`.
    /// - MSE (mean): ∂/∂O = 2(O − Y)/(B·K); MSE (ufm): (O − Y)/B; CE: (softmax(O) − Y)/B.
    public func evaluate(logits o: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch b: Int, classes k: Int,
                         gradient g: UnsafeMutablePointer<Float>?,
                         perClassCorrect: UnsafeMutablePointer<Int>? = nil) -> (loss: Double, correct: Int) {
        var total = 0.0
        var correct = 0
        switch kind {
        case .mse:
            let norm = mseScale == .mean ? Double(b * k) : Double(2 * b)
            let gs = Float(2 / norm)
            for j in 0..<b {
                let y = Int(labels[j])
                var best = 0
                for c in 0..<k {
                    let v = o[c * b + j]
                    if v > o[best * b + j] { best = c }
                    let r = v - (c == y ? 1 : 0)
                    total += Double(r) * Double(r)
                    g?[c * b + j] = gs * r
                }
                if best == y { correct += 1; perClassCorrect?[y] += 1 }
            }
            total /= norm
        case .ce:
            let inv = 1 / Float(b)
            for j in 0..<b {
                let y = Int(labels[j])
                var best = 0
                for c in 1..<k where o[c * b + j] > o[best * b + j] { best = c }
                if best == y { correct += 1; perClassCorrect?[y] += 1 }
                let m = Double(o[best * b + j])
                var s = 0.0
                for c in 0..<k { s += exp(Double(o[c * b + j]) - m) }
                total += m + log(s) - Double(o[y * b + j])
                if let g {
                    for c in 0..<k {
                        let p = Float(exp(Double(o[c * b + j]) - m) / s)
                        g[c * b + j] = (p - (c == y ? 1 : 0)) * inv
                    }
                }
            }
            total /= Double(b)
        }
        return (total, correct)
    }
}
