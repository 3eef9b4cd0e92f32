/// Which weight-decay (and learning-rate) group a parameter belongs to.
///
/// The deep-UFM experiments regularize the backbone, the MLP head and the classifier differently
/// (Súkeník, Mondelli & Lampert, NeurIPS 2023, Sec. 5), so the optimizer takes one weight decay per group.
public enum ParameterGroup: String, Sendable, CaseIterable, Codable {
    /// Convolutions and batch normalization of the ResNet.
    case backbone
    /// The MLP head's linear layers.
    case head
    /// The final linear classifier (weights and bias).
    case classifier
}

/// A trainable tensor: its value, the gradient of the last backward pass, and SGD's momentum buffer.
///
/// Shapes follow PyTorch: a convolution weight is [C_out, C_in, k, k] (row-major, which is also the
/// C_out × (C_in·k·k) matrix of the im2col product), a linear weight [d_out, d_in], a bias [d_out].
public final class Parameter: @unchecked Sendable {
    /// A unique dotted name, `stage2.block1.conv1.weight`, used in checkpoints.
    public let name: String
    public let shape: [Int]
    public let group: ParameterGroup
    public let value: FloatBuffer
    /// ∂loss/∂value of the last backward pass (overwritten, not accumulated).
    public let gradient: FloatBuffer
    /// SGD momentum buffer v.
    public let velocity: FloatBuffer

    public init(name: String, shape: [Int], group: ParameterGroup) {
        self.name = name
        self.shape = shape
        self.group = group
        let n = shape.reduce(1, *)
        value = FloatBuffer(count: n)
        gradient = FloatBuffer(count: n)
        velocity = FloatBuffer(count: n)
    }

    public var count: Int { value.count }
}
