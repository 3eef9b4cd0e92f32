import Linalg

/// A linear classifier z ↦ W z + b with W ∈ R^{K×d} (row k scores class k) and an optional bias b ∈ R^K:
/// the last layer W_L (and b) of an unconstrained features model, or a network's final linear layer.
public struct Classifier: Sendable, Equatable {
    /// W, K×d.
    public var weight: Matrix<Double>
    /// b ∈ R^K, or nil for a bias-free classifier.
    public var bias: [Double]?

    public init(weight: Matrix<Double>, bias: [Double]? = nil) {
        self.weight = weight
        self.bias = bias
    }

    /// Checks W is K×d and finite and b has K finite entries, naming `layer` in the error.
    public func validate(classes: Int, dimension: Int, layer: String) throws {
        guard weight.rows == classes, weight.cols == dimension else {
            throw CollapseError.shapeMismatch(layer: layer, what: "classifier weight W", expected: "\(classes)×\(dimension) (K×d)",
                                              found: "\(weight.rows)×\(weight.cols)")
        }
        guard weight.isFinite else { throw CollapseError.nonFiniteParameter(layer: layer, what: "classifier weight W") }
        if let b = bias {
            guard b.count == classes else {
                throw CollapseError.lengthMismatch(layer: layer, what: "classifier bias b (one entry per class)", expected: classes, found: b.count)
            }
            guard b.allSatisfy(\.isFinite) else { throw CollapseError.nonFiniteParameter(layer: layer, what: "classifier bias b") }
        }
    }
}
