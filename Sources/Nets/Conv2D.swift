import Linalg

/// 2-D convolution without bias (a batch normalization always follows it in a ResNet):
/// `y[o, b] = Σ_{c,ky,kx} W[o, c, ky, kx] · x[c, b, y·s − p + ky, x·s − p + kx]`, zero padding p, stride s.
///
/// Two algorithms (`ConvolutionAlgorithm`, chosen from the shapes only):
/// - im2col + sgemm per chunk of samples, Y[C_out, n·OH·OW] = W[C_out, C_in·k·k] · col (`Im2col`); 1×1
///   stride-1 convolutions skip im2col (the channel-major input already is the column matrix). Backward, per
///   chunk: dW += dY·colᵀ, and dcol = Wᵀ·dY followed by col2im (the adjoint of im2col).
/// - Winograd F(2×2, 3×3) for 3×3 stride-1 padding-1 convolutions (`Winograd`): 16 products per chunk.
/// The batch is split into `context.shards` shards; each shard accumulates its own weight gradient and the
/// partial gradients are summed in shard order, so the result does not depend on the thread count.
///
/// Shapes: input C_in×H×W, output C_out×OH×OW with OH = (H + 2p − k)/s + 1; weight [C_out, C_in, k, k].
/// Initialization (by the network): Kaiming normal, fan_out mode, as torchvision's ResNet.
public final class Conv2D: @unchecked Sendable {
    public let inputShape: FeatureShape
    public let outputShape: FeatureShape
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    /// `.im2col` or `.winograd`: the algorithm this layer uses.
    public let algorithm: ConvolutionAlgorithm
    /// The output activations (channel-major, for up to `maxBatch` samples).
    public let output: FloatBuffer
    public let maxBatch: Int
    let context: NetContext
    /// C_in·k·k, the inner dimension of the im2col product.
    let depth: Int
    /// Samples per chunk.
    let chunk: Int
    /// 1×1, stride 1, no padding: no im2col needed.
    let direct: Bool
    /// im2col: the partial dW of shards 1…; Winograd: the partial dU of every shard.
    private let partialGradients: [FloatBuffer]
    /// Winograd: U = G·g·Gᵀ of the current weights, and per-shard row scratch.
    private let transformed: FloatBuffer?
    private let rowScratch: [FloatBuffer]
    private let tilesPerSample: Int
    /// Winograd: the forward pass's V per (shard, chunk) segment, reused by the backward pass (nil when the
    /// context's cache budget is spent: the backward pass then transforms the input again).
    private let inputCache: FloatBuffer?
    private let chunksPerShard: Int
    private let segmentCount: Int
    private var savedInput: UnsafePointer<Float>?

    public init(name: String, input: FeatureShape, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int,
                maxBatch: Int, context: NetContext, group: ParameterGroup = .backbone) {
        precondition(kernel >= 1 && stride >= 1 && padding >= 0 && outChannels >= 1 && maxBatch >= 1)
        let oh = (input.height + 2 * padding - kernel) / stride + 1
        let ow = (input.width + 2 * padding - kernel) / stride + 1
        precondition(oh >= 1 && ow >= 1, "convolution \(name): \(kernel)×\(kernel) kernel does not fit \(input)")
        inputShape = input
        outputShape = FeatureShape(channels: outChannels, height: oh, width: ow)
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.maxBatch = maxBatch
        self.context = context
        depth = input.channels * kernel * kernel
        weight = Parameter(name: "\(name).weight", shape: [outChannels, input.channels, kernel, kernel], group: group)
        output = FloatBuffer(count: outputShape.count(batch: maxBatch))
        direct = kernel == 1 && stride == 1 && padding == 0
        let eligible = kernel == 3 && stride == 1 && padding == 1
        switch context.algorithm {
        case .im2col: algorithm = .im2col
        case .winograd: algorithm = eligible ? .winograd : .im2col
        case .automatic: algorithm = eligible && input.channels >= context.winogradMinChannels ? .winograd : .im2col
        }
        let wCount = outChannels * input.channels * kernel * kernel
        if algorithm == .winograd {
            let th = (oh + 1) / 2, tw = (ow + 1) / 2
            tilesPerSample = th * tw
            let perSample = 16 * (input.channels + outChannels) * tilesPerSample
            // At least 256 tiles per product (sgemm packs U_ξ once per call), at most the budget otherwise.
            chunk = Swift.min(maxBatch, Swift.max(context.columnBudget / perSample, (256 + tilesPerSample - 1) / tilesPerSample, 1))
            // V and M, rows padded by 16 (Winograd.rowStride), plus slack for the last 16-lane loads.
            context.reserveColumns(16 * (input.channels + outChannels) * Winograd.rowStride(tiles: chunk * tilesPerSample) + 64)
            transformed = FloatBuffer(count: 16 * outChannels * input.channels)
            partialGradients = (0..<context.shards).map { _ in FloatBuffer(count: 16 * outChannels * input.channels) }
            rowScratch = (0..<context.shards).map { _ in FloatBuffer(count: Winograd.scratchCount(height: oh, width: ow)) }
            _ = tw
            let largestShard = (maxBatch + context.shards - 1) / context.shards
            chunksPerShard = Swift.max(1, (largestShard + chunk - 1) / chunk)
            segmentCount = 16 * input.channels * Winograd.rowStride(tiles: chunk * tilesPerSample) + 64
            let cacheCount = context.shards * chunksPerShard * segmentCount
            inputCache = context.reserveWinogradCache(cacheCount) ? FloatBuffer(count: cacheCount) : nil
        } else {
            tilesPerSample = 0
            let perSample = depth * oh * ow
            // At least 256 output columns per product where the shard allows.
            chunk = direct ? maxBatch : Swift.min(maxBatch, Swift.max(context.columnBudget / perSample, (256 + oh * ow - 1) / (oh * ow), 1))
            if !direct { context.reserveColumns(chunk * perSample) }
            transformed = nil
            partialGradients = (1..<Swift.max(context.shards, 1)).map { _ in FloatBuffer(count: wCount) }
            rowScratch = []
            inputCache = nil
            chunksPerShard = 0
            segmentCount = 0
        }
    }

    /// Computes `output` for the first `batch` samples of `x` (channel-major, batch stride `batch`) and
    /// remembers `x` for the backward pass.
    public func forward(_ x: UnsafePointer<Float>, batch: Int) {
        precondition(batch >= 1 && batch <= maxBatch, "batch \(batch) exceeds the prepared \(maxBatch)")
        savedInput = x
        if algorithm == .winograd { winogradForward(x, batch: batch); return }
        let ctx = context, prof = ctx.profile
        let cout = outputShape.channels, ohw = outputShape.spatial
        let w = UnsafePointer(weight.value.base), y = output.base
        ctx.workers.run(ctx.shards) { s in
            let r = ctx.shardRange(s, batch: batch)
            var c0 = r.lowerBound
            while c0 < r.upperBound {
                let n = Swift.min(chunk, r.upperBound - c0)
                let (b, ldb) = columns(x, batch: batch, first: c0, count: n, shard: s)
                prof.time(.convForwardGemm, shard: s) {
                    Float.gemm(transA: false, transB: false, m: cout, n: n * ohw, k: depth, alpha: 1,
                               a: w, lda: depth, b: b, ldb: ldb, beta: 0, c: y + c0 * ohw, ldc: batch * ohw)
                }
                c0 += n
            }
        }
    }

    /// The column matrix of samples first ..< first+count: the input itself for a direct 1×1 convolution,
    /// otherwise im2col into the shard's scratch.
    @inline(__always)
    private func columns(_ x: UnsafePointer<Float>, batch: Int, first: Int, count n: Int, shard s: Int) -> (UnsafePointer<Float>, Int) {
        if direct { return (x + first * inputShape.spatial, batch * inputShape.spatial) }
        let col = context.columns(shard: s)
        context.profile.time(.im2col, shard: s) {
            Im2col.im2col(x, channels: inputShape.channels, height: inputShape.height, width: inputShape.width,
                          batch: batch, first: first, count: n, kernel: kernel, stride: stride, padding: padding,
                          outHeight: outputShape.height, outWidth: outputShape.width, into: col)
        }
        return (UnsafePointer(col), n * outputShape.spatial)
    }

    /// Given dY = ∂loss/∂output, sets `weight.gradient` = ∂loss/∂W and, when `inputGradient` is given,
    /// writes (or with `accumulate`, adds) ∂loss/∂x into it.
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient dx: UnsafeMutablePointer<Float>?, accumulate: Bool = false) {
        guard let x = savedInput else { preconditionFailure("Conv2D.backward before forward") }
        if algorithm == .winograd { winogradBackward(dy, x: x, batch: batch, inputGradient: dx, accumulate: accumulate); return }
        let ctx = context, prof = ctx.profile
        let cout = outputShape.channels, cin = inputShape.channels, ohw = outputShape.spatial, hw = inputShape.spatial
        let w = UnsafePointer(weight.value.base)
        let wCount = weight.count
        ctx.workers.run(ctx.shards) { s in
            let dW = s == 0 ? weight.gradient.base : partialGradients[s - 1].base
            let r = ctx.shardRange(s, batch: batch)
            if r.isEmpty { dW.update(repeating: 0, count: wCount); return }
            var c0 = r.lowerBound
            while c0 < r.upperBound {
                let n = Swift.min(chunk, r.upperBound - c0)
                let (b, ldb) = columns(x, batch: batch, first: c0, count: n, shard: s)
                let first = c0 == r.lowerBound
                prof.time(.convBackwardWeightGemm, shard: s) {
                    Float.gemm(transA: false, transB: true, m: cout, n: depth, k: n * ohw, alpha: 1,
                               a: dy + c0 * ohw, lda: batch * ohw, b: b, ldb: ldb,
                               beta: first ? 0 : 1, c: dW, ldc: depth)
                }
                if let dx {
                    if direct {
                        prof.time(.convBackwardDataGemm, shard: s) {
                            Float.gemm(transA: true, transB: false, m: cin, n: n * hw, k: cout, alpha: 1,
                                       a: w, lda: depth, b: dy + c0 * ohw, ldb: batch * ohw,
                                       beta: accumulate ? 1 : 0, c: dx + c0 * hw, ldc: batch * hw)
                        }
                    } else {
                        let col = ctx.columns(shard: s)
                        prof.time(.convBackwardDataGemm, shard: s) {
                            Float.gemm(transA: true, transB: false, m: depth, n: n * ohw, k: cout, alpha: 1,
                                       a: w, lda: depth, b: dy + c0 * ohw, ldb: batch * ohw,
                                       beta: 0, c: col, ldc: n * ohw)
                        }
                        prof.time(.col2im, shard: s) {
                            Im2col.col2im(col, channels: cin, height: inputShape.height, width: inputShape.width,
                                          batch: batch, first: c0, count: n, kernel: kernel, stride: stride,
                                          padding: padding, outHeight: outputShape.height, outWidth: outputShape.width,
                                          into: dx, accumulate: accumulate)
                        }
                    }
                }
                c0 += n
            }
        }
        if ctx.shards > 1 {
            let g = weight.gradient.base, parts = partialGradients
            prof.time(.weightReduce) {
                ctx.workers.forEachRange(wCount) { range in
                    for p in parts { let src = p.base; for i in range { g[i] += src[i] } }
                }
            }
        }
    }

    // MARK: Winograd F(2×2, 3×3)

    private func winogradForward(_ x: UnsafePointer<Float>, batch: Int) {
        let ctx = context, prof = ctx.profile
        let cin = inputShape.channels, cout = outputShape.channels, h = inputShape.height, w = inputShape.width
        let u = transformed!.base, wt = UnsafePointer(weight.value.base), y = output.base
        let maxStride = Winograd.rowStride(tiles: chunk * tilesPerSample)
        prof.time(.winogradTransform) {
            ctx.workers.forEachRange(cout) { r in Winograd.transformWeights(wt, outChannels: cout, inChannels: cin, outputs: r, into: u) }
        }
        ctx.workers.run(ctx.shards) { s in
            let r = ctx.shardRange(s, batch: batch)
            let scratch = ctx.columns(shard: s), m = scratch + 16 * cin * maxStride, pad = rowScratch[s].base
            var c0 = r.lowerBound, k = 0
            while c0 < r.upperBound {
                let n = Swift.min(chunk, r.upperBound - c0), t = n * tilesPerSample, ts = Winograd.rowStride(tiles: t)
                let v = inputCache.map { $0.base + (s * chunksPerShard + k) * segmentCount } ?? scratch
                k += 1
                prof.time(.winogradTransform, shard: s) {
                    Winograd.transformInput(x, channels: cin, height: h, width: w, batch: batch, first: c0, count: n, into: v, pad: pad)
                }
                prof.time(.convForwardGemm, shard: s) {
                    for xi in 0..<16 {
                        Float.gemm(transA: false, transB: false, m: cout, n: t, k: cin, alpha: 1, a: u + xi * cout * cin, lda: cin,
                                   b: v + xi * cin * ts, ldb: ts, beta: 0, c: m + xi * cout * ts, ldc: ts)
                    }
                }
                prof.time(.winogradTransform, shard: s) {
                    Winograd.transformOutput(m, channels: cout, height: h, width: w, batch: batch, first: c0, count: n, into: y, pad: pad)
                }
                c0 += n
            }
        }
    }

    private func winogradBackward(_ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, batch: Int,
                                  inputGradient dx: UnsafeMutablePointer<Float>?, accumulate: Bool) {
        let ctx = context, prof = ctx.profile
        let cin = inputShape.channels, cout = outputShape.channels, h = inputShape.height, w = inputShape.width
        let u = UnsafePointer(transformed!.base)  // still U of the forward pass: the weights have not changed
        let maxStride = Winograd.rowStride(tiles: chunk * tilesPerSample), uCount = 16 * cout * cin
        ctx.workers.run(ctx.shards) { s in
            let du = partialGradients[s].base
            let r = ctx.shardRange(s, batch: batch)
            if r.isEmpty { du.update(repeating: 0, count: uCount); return }
            let scratch = ctx.columns(shard: s), dm = scratch + 16 * cin * maxStride, pad = rowScratch[s].base
            var c0 = r.lowerBound, k = 0
            while c0 < r.upperBound {
                let n = Swift.min(chunk, r.upperBound - c0), t = n * tilesPerSample, ts = Winograd.rowStride(tiles: t)
                // V of this chunk: kept from the forward pass, or transformed again into the scratch.
                let cached = inputCache.map { $0.base + (s * chunksPerShard + k) * segmentCount }
                let v = cached ?? scratch
                k += 1
                prof.time(.winogradTransform, shard: s) {
                    Winograd.transformOutputAdjoint(dy, channels: cout, height: h, width: w, batch: batch, first: c0, count: n, into: dm, pad: pad)
                    if cached == nil {
                        Winograd.transformInput(x, channels: cin, height: h, width: w, batch: batch, first: c0, count: n, into: v, pad: pad)
                    }
                }
                let beta: Float = c0 == r.lowerBound ? 0 : 1
                prof.time(.convBackwardWeightGemm, shard: s) {
                    for xi in 0..<16 {
                        Float.gemm(transA: false, transB: true, m: cout, n: cin, k: t, alpha: 1, a: dm + xi * cout * ts, lda: ts,
                                   b: v + xi * cin * ts, ldb: ts, beta: beta, c: du + xi * cout * cin, ldc: cin)
                    }
                }
                if let dx {
                    prof.time(.convBackwardDataGemm, shard: s) {
                        for xi in 0..<16 {
                            Float.gemm(transA: true, transB: false, m: cin, n: t, k: cout, alpha: 1, a: u + xi * cout * cin, lda: cin,
                                       b: dm + xi * cout * ts, ldb: ts, beta: 0, c: scratch + xi * cin * ts, ldc: ts)
                        }
                    }
                    prof.time(.winogradTransform, shard: s) {
                        Winograd.transformInputAdjoint(scratch, channels: cin, height: h, width: w, batch: batch, first: c0, count: n,
                                                       into: dx, accumulate: accumulate, pad: pad)
                    }
                }
                c0 += n
            }
        }
        let parts = partialGradients, total = parts[0].base
        prof.time(.weightReduce) {
            if parts.count > 1 {
                ctx.workers.forEachRange(uCount) { range in
                    for p in parts.dropFirst() { let src = p.base; for i in range { total[i] += src[i] } }
                }
            }
            let g = weight.gradient.base
            ctx.workers.forEachRange(cout) { r in
                Winograd.transformWeightGradient(total, outChannels: cout, inChannels: cin, outputs: r, into: g)
            }
        }
    }
}
