import Linalg
import Testing
@testable import Nets

/// Direct convolution from the definition, in Double, reading channel-major input (independent of im2col).
func naiveConvolution(_ x: [Float], _ w: [Float], input s: FeatureShape, batch: Int, outChannels co: Int,
                      kernel k: Int, stride st: Int, padding p: Int) -> [Double] {
    let oh = (s.height + 2 * p - k) / st + 1, ow = (s.width + 2 * p - k) / st + 1
    var y = [Double](repeating: 0, count: co * batch * oh * ow)
    for o in 0..<co { for b in 0..<batch { for i in 0..<oh { for j in 0..<ow {
        var acc = 0.0
        for c in 0..<s.channels { for ky in 0..<k { for kx in 0..<k {
            let iy = i * st - p + ky, ix = j * st - p + kx
            guard iy >= 0, iy < s.height, ix >= 0, ix < s.width else { continue }
            acc += Double(w[((o * s.channels + c) * k + ky) * k + kx]) * Double(x[((c * batch + b) * s.height + iy) * s.width + ix])
        } } }
        y[((o * batch + b) * oh + i) * ow + j] = acc
    } } } }
    return y
}

@Suite struct ConvolutionTests {
    /// (kernel, stride, padding, algorithm): the convolutions of a ResNet, on an odd, non-square image
    /// (5×7: Winograd's last tile row and column are cropped), the 3×3 stride-1 one by im2col and by Winograd,
    /// and the imagenet stem's 7×7 stride 2 pad 3 (a kernel larger than the image: most taps are padding).
    static let cases: [(Int, Int, Int, ConvolutionAlgorithm)] = [
        (3, 1, 1, .im2col), (3, 1, 1, .winograd), (3, 2, 1, .im2col), (1, 2, 0, .im2col), (1, 1, 0, .im2col),
        (7, 2, 3, .im2col),
    ]

    /// A 3-sample batch in 2 shards with a column budget of one sample per chunk: every code path
    /// (shards of unequal size, several chunks per shard, dW reduction) runs.
    func makeConv(_ kernel: Int, _ stride: Int, _ padding: Int, _ algorithm: ConvolutionAlgorithm = .im2col,
                  threads: Int = 1, budget: Int = 1) -> Conv2D {
        let ctx = NetContext(threads: threads, shards: 2, columnBudget: budget, algorithm: algorithm)
        let conv = Conv2D(name: "c", input: FeatureShape(channels: 3, height: 5, width: 7), outChannels: 4,
                      kernel: kernel, stride: stride, padding: padding, maxBatch: 3, context: ctx)
        #expect(conv.algorithm == algorithm)
        return conv
    }

    @Test(arguments: cases)
    func forwardMatchesDirectConvolution(k: Int, s: Int, p: Int, algorithm: ConvolutionAlgorithm) {
        var rng = Xoshiro256StarStar(seed: 11)
        let conv = makeConv(k, s, p, algorithm)
        let w = rng.floats(conv.weight.count, scale: 0.5)
        conv.weight.value.assign(w)
        let x = FloatBuffer(rng.floats(conv.inputShape.count(batch: 3)))
        conv.forward(x.base, batch: 3)
        let ref = naiveConvolution(x.array, w, input: conv.inputShape, batch: 3, outChannels: 4, kernel: k, stride: s, padding: p)
        let y = conv.output.array
        #expect(ref.count == conv.outputShape.count(batch: 3))
        for i in ref.indices { #expect(abs(Double(y[i]) - ref[i]) < 1e-5 * max(1, abs(ref[i])), "y[\(i)]") }
    }

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(k: Int, s: Int, p: Int, algorithm: ConvolutionAlgorithm) {
        var rng = Xoshiro256StarStar(seed: 12)
        let conv = makeConv(k, s, p, algorithm)
        conv.weight.value.assign(rng.floats(conv.weight.count, scale: 0.5))
        let x = FloatBuffer(rng.floats(conv.inputShape.count(batch: 3)))
        let r = rng.floats(conv.outputShape.count(batch: 3))
        let dy = FloatBuffer(r)
        let dx = FloatBuffer(count: x.count)
        conv.forward(x.base, batch: 3)
        conv.backward(dy.base, batch: 3, inputGradient: dx.base)
        let dW = conv.weight.gradient.array, dX = dx.array
        let f = { () -> Double in conv.forward(x.base, batch: 3); return weightedSum(conv.output.base, r) }
        let check = GradientCheck()
        let ow = check.check("dW", count: dW.count, get: { conv.weight.value[$0] }, set: { conv.weight.value[$0] = $1 },
                             analytic: dW, objective: f)
        let ox = check.check("dX", count: dX.count, get: { x[$0] }, set: { x[$0] = $1 }, analytic: dX, objective: f)
        #expect(ow.checked == dW.count && ox.checked == dX.count)
    }

    @Test func accumulatesInputGradient() {
        var rng = Xoshiro256StarStar(seed: 13)
        for (k, s, p, algorithm) in Self.cases {
            let conv = makeConv(k, s, p, algorithm)
            conv.weight.value.assign(rng.floats(conv.weight.count))
            let x = FloatBuffer(rng.floats(conv.inputShape.count(batch: 3)))
            let dy = FloatBuffer(rng.floats(conv.outputShape.count(batch: 3)))
            let base = rng.floats(x.count)
            let fresh = FloatBuffer(count: x.count), acc = FloatBuffer(base)
            conv.forward(x.base, batch: 3)
            conv.backward(dy.base, batch: 3, inputGradient: fresh.base)
            conv.backward(dy.base, batch: 3, inputGradient: acc.base, accumulate: true)
            for i in 0..<x.count { #expect(abs(acc[i] - (base[i] + fresh[i])) < 1e-5, "k\(k)s\(s) dx[\(i)]") }
        }
    }

    /// The same shards give the same bits with 1 or 2 threads and with any column budget that yields
    /// the same chunks; smaller batches than prepared use the prefix of the buffers.
    @Test(arguments: [ConvolutionAlgorithm.im2col, .winograd])
    func threadCountDoesNotChangeResults(algorithm: ConvolutionAlgorithm) {
        var rng = Xoshiro256StarStar(seed: 14)
        let w = rng.floats(4 * 3 * 9), xs = rng.floats(3 * 2 * 35), dys = rng.floats(4 * 2 * 35)
        var results: [[Float]] = []
        for threads in [1, 2] {
            let conv = makeConv(3, 1, 1, algorithm, threads: threads, budget: 1 << 20)
            conv.weight.value.assign(w)
            let x = FloatBuffer(xs), dy = FloatBuffer(dys), dx = FloatBuffer(count: xs.count)
            conv.forward(x.base, batch: 2)
            conv.backward(dy.base, batch: 2, inputGradient: dx.base)
            results.append(Array(conv.output.array[0..<(4 * 2 * 35)]) + conv.weight.gradient.array + dx.array)
        }
        #expect(results[0] == results[1])
    }

    /// Reusing the forward pass's Winograd transform in the backward pass (cache) gives the same bits as
    /// transforming again (no cache budget).
    @Test func winogradCacheDoesNotChangeResults() {
        var rng = Xoshiro256StarStar(seed: 15)
        let w = rng.floats(4 * 3 * 9), xs = rng.floats(3 * 3 * 35), dys = rng.floats(4 * 3 * 35)
        var results: [[Float]] = []
        for budget in [1 << 20, 0] {
            let ctx = NetContext(threads: 1, shards: 2, columnBudget: 1, algorithm: .winograd, winogradCacheBudget: budget)
            let conv = Conv2D(name: "c", input: FeatureShape(channels: 3, height: 5, width: 7), outChannels: 4,
                              kernel: 3, stride: 1, padding: 1, maxBatch: 3, context: ctx)
            conv.weight.value.assign(w)
            let x = FloatBuffer(xs), dy = FloatBuffer(dys), dx = FloatBuffer(count: xs.count)
            conv.forward(x.base, batch: 3)
            conv.backward(dy.base, batch: 3, inputGradient: dx.base)
            results.append(conv.output.array + conv.weight.gradient.array + dx.array)
        }
        #expect(results[0] == results[1])
    }
}
