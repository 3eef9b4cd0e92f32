/// Max pooling over k×k windows with stride s and padding p on channel-major batches, PyTorch's
/// `nn.MaxPool2d(k, s, p)` (padded positions are −∞ and never win):
///
///   y[c, b, oy, ox] = max_{ky,kx} x[c, b, oy·s − p + ky, ox·s − p + kx],   OH = (H + 2p − k)/s + 1
///
/// Backward: ∂x[c, b, a(oy, ox)] += ∂y[c, b, oy, ox], with a(oy, ox) the window's maximum (windows overlap
/// when s < k, so one pixel may collect several gradients). Ties go to the first maximum in row-major
/// window order and NaN wins, as in PyTorch's CPU kernel. Each (channel, sample) plane is computed by one
/// thread, so the result does not depend on the thread count.
public final class MaxPool2D: @unchecked Sendable {
    public let inputShape: FeatureShape
    public let outputShape: FeatureShape
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let output: FloatBuffer
    public let maxBatch: Int
    let context: NetContext
    /// The winning input index within its H×W plane, per output element of the last forward pass.
    let argmax: UnsafeMutablePointer<Int32>

    public init(input: FeatureShape, kernel: Int, stride: Int, padding: Int, maxBatch: Int, context: NetContext) {
        precondition(kernel >= 1 && stride >= 1 && padding >= 0 && 2 * padding <= kernel && maxBatch >= 1)
        let oh = (input.height + 2 * padding - kernel) / stride + 1
        let ow = (input.width + 2 * padding - kernel) / stride + 1
        precondition(oh >= 1 && ow >= 1, "max pooling: \(kernel)×\(kernel) window does not fit \(input)")
        inputShape = input
        outputShape = FeatureShape(channels: input.channels, height: oh, width: ow)
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.maxBatch = maxBatch
        self.context = context
        output = FloatBuffer(count: outputShape.count(batch: maxBatch))
        let n = outputShape.count(batch: maxBatch)
        argmax = .allocate(capacity: n)
        argmax.initialize(repeating: 0, count: n)
    }

    deinit { argmax.deallocate() }

    public func forward(_ x: UnsafePointer<Float>, batch: Int) {
        precondition(batch >= 1 && batch <= maxBatch)
        let h = inputShape.height, w = inputShape.width, oh = outputShape.height, ow = outputShape.width
        let k = kernel, s = stride, p = padding, y = output.base, am = argmax
        context.profile.time(.pool) {
            context.workers.forEachRange(inputShape.channels * batch) { planes in
                for plane in planes {
                    let xp = x + plane * h * w, yp = y + plane * oh * ow, ap = am + plane * oh * ow
                    for oy in 0..<oh {
                        let y0 = Swift.max(oy * s - p, 0), y1 = Swift.min(oy * s - p + k, h)
                        for ox in 0..<ow {
                            let x0 = Swift.max(ox * s - p, 0), x1 = Swift.min(ox * s - p + k, w)
                            var best = -Float.infinity, index = y0 * w + x0
                            for iy in y0..<y1 {
                                for ix in x0..<x1 {
                                    let v = xp[iy * w + ix]
                                    if v > best || v.isNaN { best = v; index = iy * w + ix }
                                }
                            }
                            yp[oy * ow + ox] = best
                            ap[oy * ow + ox] = Int32(index)
                        }
                    }
                }
            }
        }
    }

    /// Writes ∂loss/∂x into `inputGradient` from ∂loss/∂y of the last forward pass.
    public func backward(_ dy: UnsafePointer<Float>, batch: Int, inputGradient dx: UnsafeMutablePointer<Float>) {
        let hw = inputShape.spatial, ohw = outputShape.spatial, am = UnsafePointer(argmax)
        context.profile.time(.pool) {
            context.workers.forEachRange(inputShape.channels * batch) { planes in
                for plane in planes {
                    let dxp = dx + plane * hw, dyp = dy + plane * ohw, ap = am + plane * ohw
                    dxp.update(repeating: 0, count: hw)
                    for o in 0..<ohw { dxp[Int(ap[o])] += dyp[o] }
                }
            }
        }
    }
}
