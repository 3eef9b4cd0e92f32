import Linalg
import Testing
@testable import Nets

/// Signs of every ReLU output of a network or block, for kink detection in finite differences.
func reluSigns(_ bns: [BatchNorm], _ relus: [ReLU] = [], batch: Int) -> [Bool] {
    var s: [Bool] = []
    for bn in bns where bn.relu { s += signs(bn.output.base, bn.shape.count(batch: batch)) }
    for r in relus { s += signs(r.output.base, r.shape.count(batch: batch)) }
    return s
}

@Suite struct NetworkGradientTests {
    /// Identity shortcut (stride 1, same channels) and projection shortcut (stride 2, more channels).
    @Test(arguments: [(2, 1, ConvolutionAlgorithm.im2col), (2, 1, .winograd), (3, 2, .winograd)])
    func basicBlockGradientsMatchFiniteDifferences(outChannels: Int, stride: Int, algorithm: ConvolutionAlgorithm) {
        var rng = Xoshiro256StarStar(seed: 41)
        let ctx = NetContext(threads: 2, shards: 2, columnBudget: 40, algorithm: algorithm)
        let input = FeatureShape(channels: 2, height: 5, width: 4)
        let block = BasicBlock(name: "b", input: input, outChannels: outChannels, stride: stride, maxBatch: 3, context: ctx)
        #expect((block.shortcutConv != nil) == (stride != 1))
        for conv in block.convolutions { conv.weight.value.assign(rng.floats(conv.weight.count, scale: 0.4)) }
        for bn in block.batchNorms {
            bn.gamma.value.assign(rng.floats(bn.gamma.count, scale: 0.3).map { $0 + 1 })
            bn.beta.value.assign(rng.floats(bn.beta.count, scale: 0.3))
        }
        let x = FloatBuffer(rng.floats(input.count(batch: 3)))
        let r = rng.floats(block.outputShape.count(batch: 3))
        let dy = FloatBuffer(r), dx = FloatBuffer(count: x.count)
        let scratch = BackwardScratch(count: block.scratchCount(maxBatch: 3))
        block.forward(x.base, batch: 3, training: true)
        block.backward(dy.base, batch: 3, inputGradient: dx.base, scratch: scratch)
        let f = { () -> Double in block.forward(x.base, batch: 3, training: true); return weightedSum(block.output.base, r) }
        let mask = { reluSigns(block.batchNorms, batch: 3) }
        let check = GradientCheck()
        _ = check.check("dX", count: x.count, get: { x[$0] }, set: { x[$0] = $1 }, analytic: dx.array, objective: f, mask: mask)
        let params = block.convolutions.map(\.weight) + block.batchNorms.flatMap(\.parameters)
        let grads = params.map { $0.gradient.array }
        for (p, g) in zip(params, grads) {
            _ = check.check(p.name, count: p.count, get: { p.value[$0] }, set: { p.value[$0] = $1 }, analytic: g, objective: f, mask: mask)
        }
    }

    /// The whole network (stem, identity and projection blocks, pooling, a two-layer head, a biased
    /// classifier) with both losses and both stems: every parameter's gradient against finite differences
    /// of the loss. The imagenet stem (7×7 stride 2, max-pool) runs on 9×9 images: 5×5 after the
    /// convolution, 3×3 after the pooling.
    @Test(arguments: [(LossKind.mse, ConvolutionAlgorithm.im2col, StemKind.cifar), (.ce, .winograd, .cifar),
                      (.mse, .im2col, .imagenet)])
    func resnetGradientsMatchFiniteDifferences(loss kind: LossKind, algorithm: ConvolutionAlgorithm, stem: StemKind) throws {
        let side = stem == .imagenet ? 9 : 5
        let config = ResNetConfig(inputChannels: 1, imageHeight: side, imageWidth: side, width: 2, blocks: [2, 1],
                                  headWidths: [4, 3], headBias: true, classes: 3, classifierBias: true, stem: stem)
        let ctx = NetContext(threads: 2, shards: 2, columnBudget: 64, algorithm: algorithm)
        let net = try ResNet(config: config, maxBatch: 4, context: ctx)
        net.initialize(seed: 5)
        var rng = Xoshiro256StarStar(seed: 42)
        // Perturb BN's affine parameters away from (1, 0) so their gradients are generic.
        for bn in net.batchNorms {
            bn.gamma.value.assign(rng.floats(bn.gamma.count, scale: 0.3).map { $0 + 1 })
            bn.beta.value.assign(rng.floats(bn.beta.count, scale: 0.3))
        }
        for (lin, _) in net.head { lin.bias!.value.assign(rng.floats(lin.outFeatures, scale: 0.3)) }
        let images = FloatBuffer(rng.floats(side * side * 4))
        let labels: [Int32] = [0, 2, 1, 2]
        let lossFn = LossFunction(kind: kind, mseScale: .mean)
        let dLogits = FloatBuffer(count: 3 * 4)
        net.forward(images.base, batch: 4, training: true)
        labels.withUnsafeBufferPointer { l in
            _ = lossFn.evaluate(logits: net.logits, labels: l.baseAddress!, batch: 4, classes: 3, gradient: dLogits.base)
        }
        net.backward(dLogits.base, batch: 4)
        let f = { () -> Double in
            net.forward(images.base, batch: 4, training: true)
            return labels.withUnsafeBufferPointer { l in
                lossFn.evaluate(logits: net.logits, labels: l.baseAddress!, batch: 4, classes: 3, gradient: nil).loss
            }
        }
        let mask = { () -> [Bool] in
            var m = reluSigns(net.batchNorms, net.head.map(\.1), batch: 4)
            if let pool = net.stemPool {  // the max-pool's winners, as bits
                for i in 0..<pool.outputShape.count(batch: 4) { m += (0..<32).map { pool.argmax[i] & (1 << $0) != 0 } }
            }
            return m
        }
        // The loss is O(1) and its gradients O(0.1): a smaller step keeps the truncation error of this
        // deep composition below the tolerance.
        let check = GradientCheck(h: 4e-3, atol: 5e-4, rtol: 2e-3)
        let params = net.parameters
        #expect(Set(params.map(\.name)).count == params.count, "parameter names are unique")
        let grads = params.map { $0.gradient.array }
        var checked = 0
        for (p, g) in zip(params, grads) {
            checked += check.check(p.name, count: p.count, get: { p.value[$0] }, set: { p.value[$0] = $1 },
                                   analytic: g, objective: f, mask: mask).checked
        }
        #expect(checked > net.parameterCount * 9 / 10)
    }
}
