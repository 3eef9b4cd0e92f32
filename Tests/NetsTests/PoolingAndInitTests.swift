import Linalg
import Testing
@testable import Nets

/// Max pooling from the definition, in Double, reading channel-major input; padding never wins.
func naiveMaxPool(_ x: [Float], input s: FeatureShape, batch: Int, kernel k: Int, stride st: Int, padding p: Int) -> [Float] {
    let oh = (s.height + 2 * p - k) / st + 1, ow = (s.width + 2 * p - k) / st + 1
    var y: [Float] = []
    for plane in 0..<(s.channels * batch) { for i in 0..<oh { for j in 0..<ow {
        var m = -Float.infinity
        for ky in 0..<k { for kx in 0..<k {
            let iy = i * st - p + ky, ix = j * st - p + kx
            guard iy >= 0, iy < s.height, ix >= 0, ix < s.width else { continue }
            m = max(m, x[(plane * s.height + iy) * s.width + ix])
        } }
        y.append(m)
    } } }
    return y
}

@Suite struct MaxPoolTests {
    /// A hand-computed 4×4 plane, 3×3 windows, stride 2, padding 1 (the imagenet stem's pooling):
    /// windows rows/cols {0,1}, {1,2,3}; in the last window the tie at 9 goes to the first in row-major
    /// order (index 9, not 14).
    @Test func knownAnswer() {
        let x: [Float] = [1, 2, 3, 4,
                          5, 6, 7, 8,
                          0, 9, 1, 2,
                          3, 4, 9, 6]
        let pool = MaxPool2D(input: FeatureShape(channels: 1, height: 4, width: 4), kernel: 3, stride: 2, padding: 1,
                             maxBatch: 1, context: NetContext())
        let xb = FloatBuffer(x)
        pool.forward(xb.base, batch: 1)
        #expect(pool.outputShape == FeatureShape(channels: 1, height: 2, width: 2))
        #expect(pool.output.array == [6, 8, 9, 9])
        #expect((0..<4).map { pool.argmax[$0] } == [5, 7, 9, 9])
        let dx = FloatBuffer(count: 16)
        let dy = FloatBuffer([1, 2, 3, 4])
        pool.backward(dy.base, batch: 1, inputGradient: dx.base)
        var expected = [Float](repeating: 0, count: 16)
        expected[5] = 1
        expected[7] = 2
        expected[9] = 3 + 4
        #expect(dx.array == expected, "overlapping windows add their gradients onto the shared maximum")
    }

    @Test(arguments: [(3, 2, 1), (2, 2, 0), (3, 1, 1)])
    func forwardMatchesDefinitionAndGradientMatchesFiniteDifferences(k: Int, s: Int, p: Int) {
        var rng = Xoshiro256StarStar(seed: 61)
        let shape = FeatureShape(channels: 2, height: 5, width: 7)
        let pool = MaxPool2D(input: shape, kernel: k, stride: s, padding: p, maxBatch: 3, context: NetContext(threads: 2))
        let x = FloatBuffer(rng.floats(shape.count(batch: 3)))
        pool.forward(x.base, batch: 3)
        #expect(pool.output.array == naiveMaxPool(x.array, input: shape, batch: 3, kernel: k, stride: s, padding: p))
        let r = rng.floats(pool.outputShape.count(batch: 3))
        let dx = FloatBuffer(count: x.count)
        let dy = FloatBuffer(r)
        pool.backward(dy.base, batch: 3, inputGradient: dx.base)
        let f = { () -> Double in pool.forward(x.base, batch: 3); return weightedSum(pool.output.base, r) }
        // The winners' positions play the role of the ReLU signs: a step that changes a winner is shrunk.
        let n = pool.outputShape.count(batch: 3)
        let mask = { () -> [Bool] in (0..<n).flatMap { i -> [Bool] in (0..<32).map { b in pool.argmax[i] & (1 << b) != 0 } } }
        let out = GradientCheck().check("dX", count: x.count, get: { x[$0] }, set: { x[$0] = $1 }, analytic: dx.array,
                                        objective: f, mask: mask)
        #expect(out.checked > 0)
    }
}

@Suite struct InitializationTests {
    func network(_ scheme: InitializationScheme, seed: UInt64 = 3) throws -> ResNet {
        let config = ResNetConfig(inputChannels: 3, imageHeight: 8, imageWidth: 8, width: 16, blocks: [1, 1],
                                  headWidths: [64, 32], headBias: true, classes: 10, classifierBias: true,
                                  initialization: scheme)
        let net = try ResNet(config: config, maxBatch: 2, context: NetContext())
        net.initialize(seed: seed)
        return net
    }

    /// Sample mean and standard deviation in Double.
    func moments(_ v: [Float]) -> (mean: Double, std: Double) {
        let n = Double(v.count), mean = v.reduce(0.0) { $0 + Double($1) } / n
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return (mean, variance.squareRoot())
    }

    /// N(0, σ²): the sample mean within 5σ/√n of 0 and the sample std within 5·σ/√(2n) of σ.
    func expectNormal(_ p: Parameter, std sigma: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        let (m, s) = moments(p.value.array), n = Double(p.count)
        #expect(abs(m) <= 5 * sigma / n.squareRoot(), "\(p.name): mean \(m)", sourceLocation: sourceLocation)
        #expect(abs(s - sigma) <= 5 * sigma / (2 * n).squareRoot(), "\(p.name): std \(s), expected \(sigma)", sourceLocation: sourceLocation)
    }

    /// U(−a, a): every value inside, the sample std within 5·(a/√3)/√n of a/√3 (uniform: Var(s²) ≈ 0.8σ⁴/n).
    func expectUniform(_ p: Parameter, bound a: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        let v = p.value.array, (_, s) = moments(v), n = Double(p.count), sigma = a / 3.0.squareRoot()
        #expect(v.allSatisfy { abs(Double($0)) <= a }, "\(p.name): a value beyond ±\(a)", sourceLocation: sourceLocation)
        #expect(abs(s - sigma) <= 5 * sigma / n.squareRoot(), "\(p.name): std \(s), expected \(sigma)", sourceLocation: sourceLocation)
    }

    func expectBatchNormReset(_ net: ResNet) {
        for bn in net.batchNorms {
            #expect(bn.gamma.value.array.allSatisfy { $0 == 1 } && bn.beta.value.array.allSatisfy { $0 == 0 })
            #expect(bn.runningMean.array.allSatisfy { $0 == 0 } && bn.runningVariance.array.allSatisfy { $0 == 1 })
            #expect(bn.batchesTracked == 0)
        }
    }

    @Test func torchvisionSchemeFollowsItsFormulas() throws {
        let net = try network(.torchvision)
        for conv in net.convolutions {
            expectNormal(conv.weight, std: (2.0 / Double(conv.outputShape.channels * conv.kernel * conv.kernel)).squareRoot())
        }
        for (lin, _) in net.head {
            expectNormal(lin.weight, std: (2.0 / Double(lin.inFeatures)).squareRoot())
            #expect(lin.bias!.value.array.allSatisfy { $0 == 0 })
        }
        expectUniform(net.classifier.weight, bound: 1 / Double(net.classifier.inFeatures).squareRoot())
        #expect(net.classifier.bias!.value.array.allSatisfy { abs(Double($0)) <= 1 / Double(net.classifier.inFeatures).squareRoot() })
        expectBatchNormReset(net)
    }

    @Test func pytorchSchemeFollowsItsFormulas() throws {
        let net = try network(.pytorch)
        for conv in net.convolutions {
            expectUniform(conv.weight, bound: 1 / Double(conv.inputShape.channels * conv.kernel * conv.kernel).squareRoot())
        }
        for (lin, _) in net.head {
            let a = 1 / Double(lin.inFeatures).squareRoot()
            expectUniform(lin.weight, bound: a)
            let b = lin.bias!.value.array
            #expect(b.allSatisfy { abs(Double($0)) <= a } && b.contains { $0 != 0 })
        }
        expectUniform(net.classifier.weight, bound: 1 / Double(net.classifier.inFeatures).squareRoot())
        expectBatchNormReset(net)
    }

    /// A seed gives the same bits; the schemes and seeds give different draws; re-initializing after
    /// training-mode passes resets the BN statistics and their counter.
    @Test func initializationIsAFunctionOfSchemeAndSeed() throws {
        let values = { (n: ResNet) in n.parameters.flatMap { $0.value.array } }
        let a = try network(.pytorch), b = try network(.pytorch), c = try network(.torchvision), d = try network(.pytorch, seed: 4)
        #expect(values(a) == values(b))
        #expect(values(a) != values(c))
        #expect(values(a) != values(d))
        let images = FloatBuffer(count: 3 * 64 * 2)
        for i in 0..<images.count { images[i] = Float(i % 7) }
        a.forward(images.base, batch: 2, training: true)
        #expect(a.batchNorms.allSatisfy { $0.batchesTracked == 1 })
        a.initialize(seed: 3)
        #expect(values(a) == values(b))
        expectBatchNormReset(a)
    }
}
