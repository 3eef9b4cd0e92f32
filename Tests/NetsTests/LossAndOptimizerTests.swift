import Foundation
import Linalg
import Testing
@testable import Nets

@Suite struct LossTests {
    let k = 4, b = 3
    let labels: [Int32] = [2, 0, 3]

    func evaluate(_ fn: LossFunction, _ o: [Float], gradient: Bool = true) -> (Double, Int, [Float]) {
        let g = FloatBuffer(count: o.count), logits = FloatBuffer(o)
        let (loss, correct) = labels.withUnsafeBufferPointer { l in
            fn.evaluate(logits: logits.base, labels: l.baseAddress!, batch: b, classes: k, gradient: gradient ? g.base : nil)
        }
        return (loss, correct, g.array)
    }

    @Test func mseScalesAndGradients() {
        var rng = Xoshiro256StarStar(seed: 51)
        let o = rng.floats(k * b)
        var sq = 0.0
        for c in 0..<k { for j in 0..<b { let r = Double(o[c * b + j]) - (Int32(c) == labels[j] ? 1 : 0); sq += r * r } }
        let (mean, _, gMean) = evaluate(LossFunction(kind: .mse, mseScale: .mean), o)
        let (ufm, _, gUfm) = evaluate(LossFunction(kind: .mse, mseScale: .ufm), o)
        #expect(abs(mean - sq / Double(b * k)) < 1e-6)
        #expect(abs(ufm - sq / Double(2 * b)) < 1e-6)
        // The UFM scaling's gradient is K/2 times PyTorch's MSELoss gradient.
        for i in gMean.indices { #expect(abs(gUfm[i] - Float(k) / 2 * gMean[i]) < 1e-6) }
    }

    @Test(arguments: [LossKind.mse, .ce])
    func gradientMatchesFiniteDifferences(kind: LossKind) {
        var rng = Xoshiro256StarStar(seed: 52)
        var o = rng.floats(k * b, scale: 2)
        let fn = LossFunction(kind: kind)
        let (_, _, g) = evaluate(fn, o)
        _ = GradientCheck(h: 1e-2, atol: 1e-4, rtol: 1e-3).check("dO", count: o.count, get: { o[$0] }, set: { o[$0] = $1 },
                                                               analytic: g, objective: { evaluate(fn, o, gradient: false).0 })
    }

    @Test func crossEntropyIsStableAndCountsCorrect() {
        // Huge logits: log-sum-exp must not overflow. Sample 0 (label 2) and 2 (label 3) are right, 1 is wrong.
        var o = [Float](repeating: 0, count: k * b)
        o[2 * b + 0] = 1000; o[1 * b + 1] = 500; o[3 * b + 2] = 80
        let (loss, correct, _) = evaluate(LossFunction(kind: .ce), o)
        #expect(correct == 2)
        // Sample 1: label 0 with logit 0 against 500: loss ≈ 500; the others ≈ 0.
        #expect(abs(loss - 500.0 / 3) < 1e-3)
    }
}

@Suite struct OptimizerTests {
    /// Two steps against the PyTorch update written out by hand: d = g + λθ, v ← μv + d, θ ← θ − ηv.
    @Test func sgdFollowsPyTorchSemantics() {
        let p = Parameter(name: "w", shape: [2], group: .head)
        p.value.assign([1, -2])
        let sgd = SGD(momentum: 0.9, weightDecay: [.head: 0.1, .backbone: 0.5])
        var theta: [Double] = [1, -2], v: [Double] = [0, 0]
        for (step, g) in [[0.5, 0.25], [-1.0, 2.0]].enumerated() {
            p.gradient.assign(g.map(Float.init))
            sgd.step([p], learningRate: 0.05, workers: Workers(threads: 1))
            for i in 0..<2 {
                let d = g[i] + 0.1 * theta[i]
                v[i] = 0.9 * v[i] + d
                theta[i] -= 0.05 * v[i]
                #expect(abs(Double(p.value[i]) - theta[i]) < 1e-6, "step \(step)")
                #expect(abs(Double(p.velocity[i]) - v[i]) < 1e-6)
            }
        }
    }

    @Test func weightDecayIsPerGroup() {
        let a = Parameter(name: "a", shape: [1], group: .backbone), c = Parameter(name: "c", shape: [1], group: .classifier)
        a.value.assign([1]); c.value.assign([1])
        SGD(momentum: 0, weightDecay: [.backbone: 0.5]).step([a, c], learningRate: 1, workers: Workers(threads: 1))
        #expect(a.value[0] == 0.5)
        #expect(c.value[0] == 1, "no decay configured for the classifier group")
    }

    @Test func stepScheduleDividesEveryStepEpochs() {
        let lr = { (e: Int) in SGD.learningRate(base: 0.05, gamma: 0.1, stepEpochs: 40, epoch: e) }
        #expect(lr(0) == 0.05 && lr(39) == 0.05)
        #expect(abs(lr(40) - 0.005) < 1e-15 && abs(lr(79) - 0.005) < 1e-15)
        #expect(abs(lr(80) - 0.0005) < 1e-15)
    }
}
