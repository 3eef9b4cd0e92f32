import Linalg
import Testing
@testable import Nets

@Suite struct BatchNormTests {
    let shape = FeatureShape(channels: 3, height: 2, width: 3)
    let batch = 3

    func make(relu: Bool, threads: Int = 1) -> BatchNorm {
        BatchNorm(name: "bn", shape: shape, relu: relu, maxBatch: batch, context: NetContext(threads: threads, shards: 2))
    }

    /// Per-channel mean and biased variance of channel-major data, in Double.
    func statistics(_ x: [Float], channel c: Int) -> (mean: Double, variance: Double) {
        let n = batch * shape.spatial
        let v = x[(c * n)..<((c + 1) * n)].map(Double.init)
        let m = v.reduce(0, +) / Double(n)
        return (m, v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n))
    }

    @Test func trainingForwardNormalizesAndUpdatesRunningStatistics() {
        var rng = Xoshiro256StarStar(seed: 21)
        let bn = make(relu: false)
        let gamma = rng.floats(3), beta = rng.floats(3)
        bn.gamma.value.assign(gamma); bn.beta.value.assign(beta)
        let xs = rng.floats(shape.count(batch: batch), scale: 3).map { $0 + 5 }  // off-center, as real activations
        let x = FloatBuffer(xs)
        bn.forward(x.base, batch: batch, training: true)
        let n = batch * shape.spatial
        for c in 0..<3 {
            let (m, v) = statistics(xs, channel: c)
            for i in 0..<n {
                let ref = Double(gamma[c]) * (Double(xs[c * n + i]) - m) / (v + 1e-5).squareRoot() + Double(beta[c])
                #expect(abs(Double(bn.output[c * n + i]) - ref) < 1e-5 * max(1, abs(ref)))
            }
            #expect(abs(Double(bn.runningMean[c]) - 0.1 * m) < 1e-6 * max(1, abs(m)))
            #expect(abs(Double(bn.runningVariance[c]) - (0.9 + 0.1 * v * Double(n) / Double(n - 1))) < 1e-5 * max(1, v))
        }
    }

    @Test func evalModeUsesRunningStatistics() {
        var rng = Xoshiro256StarStar(seed: 22)
        let bn = make(relu: true)
        let rm = rng.floats(3), rv = rng.floats(3).map { abs($0) + 0.5 }, gamma = rng.floats(3), beta = rng.floats(3)
        bn.runningMean.assign(rm); bn.runningVariance.assign(rv)
        bn.gamma.value.assign(gamma); bn.beta.value.assign(beta)
        let xs = rng.floats(shape.count(batch: batch))
        let x = FloatBuffer(xs)
        bn.forward(x.base, batch: batch, training: false)
        let n = batch * shape.spatial
        for c in 0..<3 {
            for i in 0..<n {
                let ref = max(0, Double(gamma[c]) * (Double(xs[c * n + i]) - Double(rm[c])) / (Double(rv[c]) + 1e-5).squareRoot() + Double(beta[c]))
                #expect(abs(Double(bn.output[c * n + i]) - ref) < 1e-5)
            }
        }
        #expect(bn.runningMean.array == rm && bn.runningVariance.array == rv, "eval mode must not move the running statistics")
    }

    /// ∂/∂x, ∂/∂γ, ∂/∂β (and ∂/∂residual) against central differences, for plain BN, BN+ReLU and
    /// BN+residual+ReLU (the end of a residual block).
    @Test(arguments: [(false, false), (true, false), (true, true)])
    func gradientsMatchFiniteDifferences(relu: Bool, residual: Bool) {
        var rng = Xoshiro256StarStar(seed: 23)
        let bn = make(relu: relu)
        bn.gamma.value.assign(rng.floats(3).map { $0 + 1 }); bn.beta.value.assign(rng.floats(3))
        let count = shape.count(batch: batch)
        let x = FloatBuffer(rng.floats(count, scale: 2)), res = FloatBuffer(rng.floats(count))
        let r = rng.floats(count)
        let dy = FloatBuffer(r), dx = FloatBuffer(count: count), dres = FloatBuffer(count: count)
        let resPtr: UnsafePointer<Float>? = residual ? UnsafePointer(res.base) : nil
        bn.forward(x.base, batch: batch, training: true, residual: resPtr)
        bn.backward(dy.base, batch: batch, inputGradient: dx.base, residualGradient: residual ? dres.base : nil)
        let dX = dx.array, dG = bn.gamma.gradient.array, dB = bn.beta.gradient.array, dR = dres.array
        let f = { () -> Double in
            bn.forward(x.base, batch: self.batch, training: true, residual: resPtr)
            return weightedSum(bn.output.base, r)
        }
        let mask: (() -> [Bool])? = relu ? { signs(bn.output.base, count) } : nil
        let check = GradientCheck()
        _ = check.check("dX", count: count, get: { x[$0] }, set: { x[$0] = $1 }, analytic: dX, objective: f, mask: mask)
        _ = check.check("dγ", count: 3, get: { bn.gamma.value[$0] }, set: { bn.gamma.value[$0] = $1 }, analytic: dG, objective: f, mask: mask)
        _ = check.check("dβ", count: 3, get: { bn.beta.value[$0] }, set: { bn.beta.value[$0] = $1 }, analytic: dB, objective: f, mask: mask)
        if residual {
            _ = check.check("dResidual", count: count, get: { res[$0] }, set: { res[$0] = $1 }, analytic: dR, objective: f, mask: mask)
        }
    }

    /// Long channels (beyond one 1024-element block) with a large offset: the Double-accumulated
    /// statistics match a Double reference to Float precision.
    @Test func longChannelStatisticsAreAccurate() {
        let shape = FeatureShape(channels: 2, height: 40, width: 40)
        let bn = BatchNorm(name: "bn", shape: shape, relu: false, maxBatch: 3, context: NetContext(threads: 2))
        var rng = Xoshiro256StarStar(seed: 24)
        let xs = rng.floats(shape.count(batch: 3), scale: 0.01).map { $0 + 100 }
        let x = FloatBuffer(xs)
        bn.forward(x.base, batch: 3, training: true)
        let n = 3 * shape.spatial
        for c in 0..<2 {
            let v = xs[(c * n)..<((c + 1) * n)].map(Double.init)
            let m = v.reduce(0, +) / Double(n)
            let s = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n) + 1e-5).squareRoot()
            var worst = 0.0
            for i in 0..<n { worst = max(worst, abs(Double(bn.output[c * n + i]) - (v[i] - m) / s)) }
            #expect(worst < 1e-3, "channel \(c): worst deviation \(worst)")
        }
    }
}
