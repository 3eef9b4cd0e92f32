import Linalg
import Testing
@testable import Nets

@Suite struct DenseLayerTests {
    @Test(arguments: [false, true])
    func linearGradientsMatchFiniteDifferences(bias: Bool) {
        var rng = Xoshiro256StarStar(seed: 31)
        let ctx = NetContext()
        let lin = Linear(name: "l", inFeatures: 5, outFeatures: 4, bias: bias, maxBatch: 3, context: ctx, group: .head)
        lin.weight.value.assign(rng.floats(20))
        if let b = lin.bias { b.value.assign(rng.floats(4)) }
        let x = FloatBuffer(rng.floats(15)), r = rng.floats(12)
        lin.forward(x.base, batch: 3)
        // Y = W·X + b from the definition.
        for o in 0..<4 { for j in 0..<3 {
            var s = Double(lin.bias?.value[o] ?? 0)
            for i in 0..<5 { s += Double(lin.weight.value[o * 5 + i]) * Double(x[i * 3 + j]) }
            #expect(abs(Double(lin.output[o * 3 + j]) - s) < 1e-5)
        } }
        let dx = FloatBuffer(count: 15)
        let dy = FloatBuffer(r)
        lin.backward(dy.base, batch: 3, inputGradient: dx.base)
        let f = { () -> Double in lin.forward(x.base, batch: 3); return weightedSum(lin.output.base, r) }
        let check = GradientCheck()
        _ = check.check("dW", count: 20, get: { lin.weight.value[$0] }, set: { lin.weight.value[$0] = $1 },
                        analytic: lin.weight.gradient.array, objective: f)
        _ = check.check("dX", count: 15, get: { x[$0] }, set: { x[$0] = $1 }, analytic: dx.array, objective: f)
        if let b = lin.bias {
            _ = check.check("db", count: 4, get: { b.value[$0] }, set: { b.value[$0] = $1 }, analytic: b.gradient.array, objective: f)
        }
    }

    @Test func reluGradientMatchesFiniteDifferences() {
        var rng = Xoshiro256StarStar(seed: 32)
        let shape = FeatureShape(channels: 3, height: 2, width: 5)
        let relu = ReLU(shape: shape, maxBatch: 2, context: NetContext(threads: 2))
        // Inputs at least 0.1 away from the kink, both signs, beyond one SIMD width.
        let xs = rng.floats(60).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
        let x = FloatBuffer(xs), r = rng.floats(60), dx = FloatBuffer(count: 60)
        relu.forward(x.base, batch: 2)
        #expect(relu.output.array == xs.map { max(0, $0) })
        let dy = FloatBuffer(r)
        relu.backward(dy.base, batch: 2, inputGradient: dx.base)
        let f = { () -> Double in relu.forward(x.base, batch: 2); return weightedSum(relu.output.base, r) }
        _ = GradientCheck().check("dX", count: 60, get: { x[$0] }, set: { x[$0] = $1 }, analytic: dx.array, objective: f)
    }

    @Test func globalAveragePoolingGradientMatchesFiniteDifferences() {
        var rng = Xoshiro256StarStar(seed: 33)
        let shape = FeatureShape(channels: 3, height: 3, width: 2)
        let pool = GlobalAveragePool(input: shape, maxBatch: 2, context: NetContext(threads: 2))
        let x = FloatBuffer(rng.floats(36)), r = rng.floats(6), dx = FloatBuffer(count: 36)
        pool.forward(x.base, batch: 2)
        for row in 0..<6 {
            let mean = (0..<6).map { Double(x[row * 6 + $0]) }.reduce(0, +) / 6
            #expect(abs(Double(pool.output[row]) - mean) < 1e-6)
        }
        let dy = FloatBuffer(r)
        pool.backward(dy.base, batch: 2, inputGradient: dx.base)
        let f = { () -> Double in pool.forward(x.base, batch: 2); return weightedSum(pool.output.base, r) }
        _ = GradientCheck().check("dX", count: 36, get: { x[$0] }, set: { x[$0] = $1 }, analytic: dx.array, objective: f)
    }
}
