/// Global average pooling: `y[c, b] = (1/(H·W)) Σ_{y,x} x[c, b, y, x]`; the output is C×B, the feature
/// matrix H of the papers (features as rows, samples as columns). Backward: ∂x[c, b, ·] = ∂y[c, b]/(H·W).
public final class GlobalAveragePool: @unchecked Sendable {
    public let inputShape: FeatureShape
    public var outputShape: FeatureShape { FeatureShape(channels: inputShape.channels) }
    public let output: FloatBuffer
    public let maxBatch: Int
    let context: NetContext

    public init(input: FeatureShape, maxBatch: Int, context: NetContext) {
        inputShape = input
        self.maxBatch = maxBatch
        self.context = context
        output = FloatBuffer(count: input.channels * maxBatch)
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int) {
        precondition(batch >= 1 && batch <= maxBatch)
        let hw = inputShape.spatial, y = output.base, inv = 1 / Float(hw)
        context.profile.time(.pool) {
            context.workers.forEachRange(inputShape.channels * batch) { rows in
                for r in rows {
                    let p = x + r * hw
                    var s: Float = 0
                    for i in 0..<hw { s += p[i] }
                    y[r] = s * inv
                }
            }
        }
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient dx: UnsafeMutablePointer<Float>) {
        let hw = inputShape.spatial, inv = 1 / Float(hw)
        context.profile.time(.pool) {
            context.workers.forEachRange(inputShape.channels * batch) { rows in
                for r in rows { (dx + r * hw).update(repeating: dy[r] * inv, count: hw) }
            }
        }
    }
}
