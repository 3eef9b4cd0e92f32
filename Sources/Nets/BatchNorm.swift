import Foundation

/// Batch normalization over (batch, height, width) for each channel (Ioffe & Szegedy, 2015; PyTorch's
/// `BatchNorm2d`/`BatchNorm1d` semantics), optionally fused with a residual add and a ReLU:
///
///   x̂ = (x − μ_c)/√(σ²_c + ε),  y = γ_c·x̂ + β_c  [+ r]  [then max(·, 0)]
///
/// - training: μ_c, σ²_c are the batch mean and *biased* variance over the n = B·H·W values of channel c;
///   the running statistics move by `momentum` (0.1): μ̄ ← (1−m)·μ̄ + m·μ, σ̄² ← (1−m)·σ̄² + m·σ²·n/(n−1)
///   (unbiased, as PyTorch).
/// - eval: μ̄ and σ̄² replace the batch statistics.
/// - backward (training mode), with g = ∂loss/∂(γx̂+β) (the incoming gradient times the ReLU mask):
///   ∂γ_c = Σ g·x̂, ∂β_c = Σ g, ∂x = γ/√(σ²+ε) · (g − Σg/n − x̂·Σ(g·x̂)/n).
///   With a residual, g is also ∂loss/∂r.
/// Each channel is computed entirely by one thread (channels are split across threads), so the result
/// does not depend on the thread count. Statistics accumulate in Double (see `Kernels`).
public final class BatchNorm: @unchecked Sendable {
    /// The module name (`layer1.0.bn1`); parameters are `<name>.weight`/`.bias`, statistics
    /// `<name>.running_mean`/`.running_var`, as in a PyTorch state_dict.
    public let name: String
    public let shape: FeatureShape
    public let relu: Bool
    public let momentum: Float
    public let epsilon: Float
    public let gamma: Parameter
    public let beta: Parameter
    /// Running mean μ̄ (starts at 0) and running variance σ̄² (starts at 1).
    public let runningMean: FloatBuffer
    public let runningVariance: FloatBuffer
    /// Training-mode forward passes so far (PyTorch's `num_batches_tracked` buffer; with a fixed momentum
    /// it only counts, and is kept so that a state_dict round-trips).
    public var batchesTracked: Int64 = 0
    public let output: FloatBuffer
    public let maxBatch: Int
    let context: NetContext
    private let batchMean: FloatBuffer
    private let batchInvStd: FloatBuffer
    private var savedInput: UnsafePointer<Float>?
    private var savedTraining = false

    public init(name: String, shape: FeatureShape, relu: Bool, maxBatch: Int, context: NetContext,
                group: ParameterGroup = .backbone, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.name = name
        self.shape = shape
        self.relu = relu
        self.momentum = momentum
        self.epsilon = epsilon
        self.maxBatch = maxBatch
        self.context = context
        let c = shape.channels
        gamma = Parameter(name: "\(name).weight", shape: [c], group: group)
        beta = Parameter(name: "\(name).bias", shape: [c], group: group)
        gamma.value.assign(Array(repeating: 1, count: c))
        runningMean = FloatBuffer(count: c)
        runningVariance = FloatBuffer(Array(repeating: 1, count: c))
        output = FloatBuffer(count: shape.count(batch: maxBatch))
        batchMean = FloatBuffer(count: c)
        batchInvStd = FloatBuffer(count: c)
    }

    public var parameters: [Parameter] { [gamma, beta] }

    /// γ = 1, β = 0, μ̄ = 0, σ̄² = 1, `batchesTracked` = 0 (PyTorch's `reset_parameters` and
    /// `reset_running_stats`).
    public func reset() {
        gamma.value.assign(Array(repeating: 1, count: gamma.count))
        beta.value.zero()
        runningMean.zero()
        runningVariance.assign(Array(repeating: 1, count: runningVariance.count))
        batchesTracked = 0
    }

    /// y = BN(x) [+ residual] [ReLU] for the first `batch` samples (channel-major).
    public func forward(_ x: UnsafePointer<Float>, batch: Int, training: Bool, residual: UnsafePointer<Float>? = nil) {
        precondition(batch >= 1 && batch <= maxBatch, "batch \(batch) exceeds the prepared \(maxBatch)")
        savedInput = x
        savedTraining = training
        if training { batchesTracked += 1 }
        let n = batch * shape.spatial
        let g = gamma.value.base, b = beta.value.base, rm = runningMean.base, rv = runningVariance.base
        let bm = batchMean.base, bi = batchInvStd.base, y = output.base
        let relu = relu, eps = Double(epsilon), m = momentum
        context.profile.time(.batchNormForward) {
            context.workers.forEachRange(shape.channels) { channels in
                for c in channels {
                    let xc = x + c * n, yc = y + c * n
                    let mean: Float, invStd: Float
                    if training {
                        let mu = Kernels.sum(n, vector: { Kernels.load(xc, $0) }, scalar: { xc[$0] }) / Double(n)
                        let muF = Float(mu)
                        let ss = Kernels.sum(n, vector: { let d = Kernels.load(xc, $0) - muF; return d * d },
                                             scalar: { let d = xc[$0] - muF; return d * d })
                        // Σ(x − μ_f)² with μ_f = μ rounded to Float; correct for the rounding offset.
                        let dm = mu - Double(muF)
                        let variance = Swift.max(0, ss / Double(n) - dm * dm)
                        mean = muF
                        invStd = Float(1 / (variance + eps).squareRoot())
                        bm[c] = mean
                        bi[c] = invStd
                        let unbiased = n > 1 ? variance * Double(n) / Double(n - 1) : variance
                        rm[c] = (1 - m) * rm[c] + m * muF
                        rv[c] = (1 - m) * rv[c] + m * Float(unbiased)
                    } else {
                        mean = rm[c]
                        invStd = Float(1 / (Double(rv[c]) + eps).squareRoot())
                    }
                    let scale = g[c] * invStd
                    let shift = b[c] - mean * scale
                    let vs = Kernels.V(repeating: scale), vb = Kernels.V(repeating: shift), zero = Kernels.V()
                    if let residual {
                        let rc = residual + c * n
                        if relu {
                            Kernels.map(n, into: yc, vector: { i in
                                let v = Kernels.load(xc, i) * vs + vb + Kernels.load(rc, i)
                                return v.replacing(with: zero, where: v .< zero)
                            }, scalar: { i in Swift.max(0, xc[i] * scale + shift + rc[i]) })
                        } else {
                            Kernels.map(n, into: yc, vector: { i in Kernels.load(xc, i) * vs + vb + Kernels.load(rc, i) },
                                        scalar: { i in xc[i] * scale + shift + rc[i] })
                        }
                    } else if relu {
                        Kernels.map(n, into: yc, vector: { i in
                            let v = Kernels.load(xc, i) * vs + vb
                            return v.replacing(with: zero, where: v .< zero)
                        }, scalar: { i in Swift.max(0, xc[i] * scale + shift) })
                    } else {
                        Kernels.map(n, into: yc, vector: { i in Kernels.load(xc, i) * vs + vb },
                                    scalar: { i in xc[i] * scale + shift })
                    }
                }
            }
        }
    }

    /// Given ∂loss/∂output, sets the gradients of γ and β, writes ∂loss/∂x into `inputGradient`, and,
    /// when given, writes ∂loss/∂residual (the ReLU-masked incoming gradient) into `residualGradient`.
    /// Needs a training-mode forward pass just before (the batch statistics enter the gradient).
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient dx: UnsafeMutablePointer<Float>,
                         residualGradient: UnsafeMutablePointer<Float>? = nil) {
        guard let x = savedInput, savedTraining else { preconditionFailure("BatchNorm.backward needs a training-mode forward") }
        let n = batch * shape.spatial
        let gm = gamma.value.base, dg = gamma.gradient.base, db = beta.gradient.base
        let bm = batchMean.base, bi = batchInvStd.base, y = UnsafePointer(output.base)
        let relu = relu
        context.profile.time(.batchNormBackward) {
            context.workers.forEachRange(shape.channels) { channels in
                for c in channels {
                    let xc = x + c * n, yc = y + c * n, dyc = dy + c * n, dxc = dx + c * n
                    let mean = bm[c], invStd = bi[c]
                    let vm = Kernels.V(repeating: mean), vi = Kernels.V(repeating: invStd), zero = Kernels.V()
                    // Σg and Σg·x̂, with g = dy·[y > 0] under a fused ReLU.
                    let (sg, sgx): (Double, Double)
                    if relu {
                        (sg, sgx) = Kernels.sum2(n, vector: { i in
                            let gv = Kernels.load(dyc, i).replacing(with: zero, where: Kernels.load(yc, i) .<= zero)
                            return (gv, gv * ((Kernels.load(xc, i) - vm) * vi))
                        }, scalar: { i in
                            let gv: Float = yc[i] > 0 ? dyc[i] : 0
                            return (gv, gv * (xc[i] - mean) * invStd)
                        })
                    } else {
                        (sg, sgx) = Kernels.sum2(n, vector: { i in
                            let gv = Kernels.load(dyc, i)
                            return (gv, gv * ((Kernels.load(xc, i) - vm) * vi))
                        }, scalar: { i in (dyc[i], dyc[i] * (xc[i] - mean) * invStd) })
                    }
                    dg[c] = Float(sgx)
                    db[c] = Float(sg)
                    let k = gm[c] * invStd
                    let meanG = Float(sg / Double(n)), meanGX = Float(sgx / Double(n))
                    let vk = Kernels.V(repeating: k), vmg = Kernels.V(repeating: meanG), vmgx = Kernels.V(repeating: meanGX)
                    if let residualGradient, relu {
                        let rc = residualGradient + c * n
                        Kernels.map(n, into: dxc, vector: { i in
                            let gv = Kernels.load(dyc, i).replacing(with: zero, where: Kernels.load(yc, i) .<= zero)
                            Kernels.store(gv, rc, i)
                            return vk * (gv - vmg - (Kernels.load(xc, i) - vm) * vi * vmgx)
                        }, scalar: { i in
                            let gv: Float = yc[i] > 0 ? dyc[i] : 0
                            rc[i] = gv
                            return k * (gv - meanG - (xc[i] - mean) * invStd * meanGX)
                        })
                    } else if relu {
                        Kernels.map(n, into: dxc, vector: { i in
                            let gv = Kernels.load(dyc, i).replacing(with: zero, where: Kernels.load(yc, i) .<= zero)
                            return vk * (gv - vmg - (Kernels.load(xc, i) - vm) * vi * vmgx)
                        }, scalar: { i in
                            let gv: Float = yc[i] > 0 ? dyc[i] : 0
                            return k * (gv - meanG - (xc[i] - mean) * invStd * meanGX)
                        })
                    } else {
                        if let residualGradient { (residualGradient + c * n).update(from: dyc, count: n) }
                        Kernels.map(n, into: dxc, vector: { i in
                            vk * (Kernels.load(dyc, i) - vmg - (Kernels.load(xc, i) - vm) * vi * vmgx)
                        }, scalar: { i in k * (dyc[i] - meanG - (xc[i] - mean) * invStd * meanGX) })
                    }
                }
            }
        }
    }
}
