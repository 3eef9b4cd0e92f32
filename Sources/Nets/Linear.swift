import Foundation
import Linalg

/// A fully connected layer on a feature matrix with samples as columns:
/// `Y = W·X + b·1ᵀ`, X ∈ R^{d_in×B}, W ∈ R^{d_out×d_in}, b ∈ R^{d_out} (optional).
///
/// Backward: ∂W = ∂Y·Xᵀ, ∂b = ∂Y·1, ∂X = Wᵀ·∂Y (one sgemm each).
/// Initialization (by the network): PyTorch's `nn.Linear` default, W and b uniform on ±1/√d_in.
public final class Linear: @unchecked Sendable {
    public let inFeatures: Int
    public let outFeatures: Int
    public let weight: Parameter
    public let bias: Parameter?
    public let output: FloatBuffer
    public let maxBatch: Int
    let context: NetContext
    private var savedInput: UnsafePointer<Float>?

    public init(name: String, inFeatures: Int, outFeatures: Int, bias: Bool, maxBatch: Int, context: NetContext, group: ParameterGroup) {
        precondition(inFeatures >= 1 && outFeatures >= 1 && maxBatch >= 1)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.maxBatch = maxBatch
        self.context = context
        weight = Parameter(name: "\(name).weight", shape: [outFeatures, inFeatures], group: group)
        self.bias = bias ? Parameter(name: "\(name).bias", shape: [outFeatures], group: group) : nil
        output = FloatBuffer(count: outFeatures * maxBatch)
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func forward(_ x: UnsafePointer<Float>, batch: Int) {
        precondition(batch >= 1 && batch <= maxBatch)
        savedInput = x
        let y = output.base
        context.profile.time(.linear) {
            Float.gemm(transA: false, transB: false, m: outFeatures, n: batch, k: inFeatures, alpha: 1,
                       a: weight.value.base, lda: inFeatures, b: x, ldb: batch, beta: 0, c: y, ldc: batch)
            if let bias {
                for o in 0..<outFeatures {
                    let bo = bias.value[o], row = y + o * batch
                    for j in 0..<batch { row[j] += bo }
                }
            }
        }
    }

    /// Sets the parameter gradients and, when given, writes ∂loss/∂X into `inputGradient`.
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient dx: UnsafeMutablePointer<Float>?) {
        guard let x = savedInput else { preconditionFailure("Linear.backward before forward") }
        context.profile.time(.linear) {
            Float.gemm(transA: false, transB: true, m: outFeatures, n: inFeatures, k: batch, alpha: 1,
                       a: dy, lda: batch, b: x, ldb: batch, beta: 0, c: weight.gradient.base, ldc: inFeatures)
            if let bias {
                for o in 0..<outFeatures {
                    var s: Float = 0
                    let row = dy + o * batch
                    for j in 0..<batch { s += row[j] }
                    bias.gradient[o] = s
                }
            }
            if let dx {
                Float.gemm(transA: true, transB: false, m: inFeatures, n: batch, k: outFeatures, alpha: 1,
                           a: weight.value.base, lda: inFeatures, b: dy, ldb: batch, beta: 0, c: dx, ldc: batch)
            }
        }
    }
}

/// ReLU, y = max(x, 0), elementwise; backward ∂x = ∂y·[y > 0] (PyTorch's convention at 0).
public final class ReLU: @unchecked Sendable {
    public let shape: FeatureShape
    public let output: FloatBuffer
    public let maxBatch: Int
    let context: NetContext

    public init(shape: FeatureShape, maxBatch: Int, context: NetContext) {
        self.shape = shape
        self.maxBatch = maxBatch
        self.context = context
        output = FloatBuffer(count: shape.count(batch: maxBatch))
    }

    public func forward(_ x: UnsafePointer<Float>, batch: Int) {
        let y = output.base, zero = Kernels.V()
        context.workers.forEachRange(shape.count(batch: batch)) { r in
            Kernels.map(r.count, into: y + r.lowerBound, vector: { i in
                let v = Kernels.load(x + r.lowerBound, i); return v.replacing(with: zero, where: v .< zero)
            }, scalar: { i in Swift.max(0, x[r.lowerBound + i]) })
        }
    }

    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient dx: UnsafeMutablePointer<Float>) {
        let y = UnsafePointer(output.base), zero = Kernels.V()
        context.workers.forEachRange(shape.count(batch: batch)) { r in
            let o = r.lowerBound
            Kernels.map(r.count, into: dx + o, vector: { i in
                Kernels.load(dy + o, i).replacing(with: zero, where: Kernels.load(y + o, i) .<= zero)
            }, scalar: { i in y[o + i] > 0 ? dy[o + i] : 0 })
        }
    }
}
