/// Two scratch buffers for backward passes, shared by all blocks of a network (each block uses them only
/// inside its own `backward`).
public final class BackwardScratch: @unchecked Sendable {
    public let a: FloatBuffer
    public let b: FloatBuffer
    public init(count: Int) {
        a = FloatBuffer(count: count)
        b = FloatBuffer(count: count)
    }
}

/// The residual basic block of ResNet18/34 (He et al., CVPR 2016, Fig. 2; the CIFAR variant of
/// kuangliu/pytorch-cifar used by the neural-collapse literature):
///
///   out = ReLU( BN₂(conv₂(ReLU(BN₁(conv₁(x))))) + shortcut(x) )
///
/// conv₁ is 3×3 with the block's stride, conv₂ 3×3 stride 1, both padding 1 and without bias; the shortcut
/// is the identity, or BN(conv1×1 with the stride) when the stride is not 1 or the channel count changes.
/// BN₂, the residual add and the final ReLU are one fused pass (`BatchNorm.forward(residual:)`).
public final class BasicBlock: @unchecked Sendable {
    public let inputShape: FeatureShape
    public let outputShape: FeatureShape
    public let conv1: Conv2D
    public let bn1: BatchNorm
    public let conv2: Conv2D
    public let bn2: BatchNorm
    public let shortcutConv: Conv2D?
    public let shortcutBN: BatchNorm?
    private var savedInput: UnsafePointer<Float>?

    public init(name: String, input: FeatureShape, outChannels: Int, stride: Int, maxBatch: Int, context: NetContext) {
        inputShape = input
        conv1 = Conv2D(name: "\(name).conv1", input: input, outChannels: outChannels, kernel: 3, stride: stride,
                       padding: 1, maxBatch: maxBatch, context: context)
        let mid = conv1.outputShape
        outputShape = mid
        bn1 = BatchNorm(name: "\(name).bn1", shape: mid, relu: true, maxBatch: maxBatch, context: context)
        conv2 = Conv2D(name: "\(name).conv2", input: mid, outChannels: outChannels, kernel: 3, stride: 1,
                       padding: 1, maxBatch: maxBatch, context: context)
        bn2 = BatchNorm(name: "\(name).bn2", shape: mid, relu: true, maxBatch: maxBatch, context: context)
        if stride != 1 || input.channels != outChannels {
            let sc = Conv2D(name: "\(name).shortcut.0", input: input, outChannels: outChannels, kernel: 1,
                            stride: stride, padding: 0, maxBatch: maxBatch, context: context)
            precondition(sc.outputShape == mid)
            shortcutConv = sc
            shortcutBN = BatchNorm(name: "\(name).shortcut.1", shape: mid, relu: false, maxBatch: maxBatch, context: context)
        } else {
            shortcutConv = nil
            shortcutBN = nil
        }
    }

    /// The block's output activations (channel-major).
    public var output: FloatBuffer { bn2.output }

    public var convolutions: [Conv2D] { [conv1, conv2] + (shortcutConv.map { [$0] } ?? []) }
    public var batchNorms: [BatchNorm] { [bn1, bn2] + (shortcutBN.map { [$0] } ?? []) }

    /// Floats each of the two backward scratch buffers needs.
    public func scratchCount(maxBatch: Int) -> Int { outputShape.count(batch: maxBatch) }

    public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool) {
        savedInput = x
        conv1.forward(x, batch: batch)
        bn1.forward(conv1.output.base, batch: batch, training: training)
        conv2.forward(bn1.output.base, batch: batch)
        var residual = x
        if let sc = shortcutConv, let sbn = shortcutBN {
            sc.forward(x, batch: batch)
            sbn.forward(sc.output.base, batch: batch, training: training)
            residual = UnsafePointer(sbn.output.base)
        }
        bn2.forward(conv2.output.base, batch: batch, training: training, residual: residual)
    }

    /// Given ∂loss/∂out, sets every parameter gradient of the block and writes ∂loss/∂x into `inputGradient`
    /// (which must not alias `dy` or the scratch buffers).
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient dx: UnsafeMutablePointer<Float>, scratch: BackwardScratch) {
        let t1 = scratch.a.base, t2 = scratch.b.base
        if let sc = shortcutConv, let sbn = shortcutBN {
            bn2.backward(dy, batch: batch, inputGradient: t1, residualGradient: t2)
            sbn.backward(t2, batch: batch, inputGradient: t2)  // elementwise: in place is safe
            sc.backward(t2, batch: batch, inputGradient: dx, accumulate: false)
        } else {
            bn2.backward(dy, batch: batch, inputGradient: t1, residualGradient: dx)
        }
        conv2.backward(t1, batch: batch, inputGradient: t2)
        bn1.backward(t2, batch: batch, inputGradient: t1)
        conv1.backward(t1, batch: batch, inputGradient: dx, accumulate: true)
    }
}
