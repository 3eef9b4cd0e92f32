import Foundation
import Linalg

/// A ResNet (ResNet18 for `blocks = [2, 2, 2, 2]`) with an optional MLP head and a linear
/// classifier, trained in Float on channel-major batches (see `FeatureShape`).
///
///   stem:   conv3×3(C_in → w, stride 1, pad 1) → BN → ReLU                       (`StemKind.cifar`)
///           or conv7×7(stride 2, pad 3) → BN → ReLU → max-pool 3×3 (stride 2, pad 1) (`.imagenet`)
///   stages: s = 1…4, `blocks[s]` basic blocks of w·2^(s−1) channels, the first with stride 2 for s ≥ 2
///   pool:   global average pooling → 8w features
///   head:   m × (Linear(h) [+ bias] → ReLU)          (Súkeník, Mondelli & Lampert, NeurIPS 2023)
///   output: Linear(K) [+ bias]                       (bias-free for Tirer & Bruna's MSE setting)
///
/// This is the ResNet18 of Tirer & Bruna (ICML 2022, Sec. 6) and of Papyan, Han & Donoho (PNAS 2020),
/// i.e. kuangliu/pytorch-cifar's `ResNet18`, with the stem's input channels set by the data.
/// `initialize(seed:)` draws every parameter from one Xoshiro256** stream with `config.initialization`
/// (`InitializationScheme`: torchvision's or PyTorch's module defaults).
public final class ResNet: @unchecked Sendable {
    public let config: ResNetConfig
    public let maxBatch: Int
    public let context: NetContext
    public let stem: Conv2D
    public let stemBN: BatchNorm
    /// The imagenet stem's 3×3 stride-2 max-pool (nil for the cifar stem).
    public let stemPool: MaxPool2D?
    /// blocks[s][j]: block j of stage s.
    public let blocks: [[BasicBlock]]
    /// One pooling per stage (the last is the network's; the others run only when features are measured).
    public let pools: [GlobalAveragePool]
    public let head: [(Linear, ReLU)]
    public let classifier: Linear
    private let scratch: BackwardScratch
    private let gradientA: FloatBuffer
    private let gradientB: FloatBuffer
    private let headGradients: [FloatBuffer]

    public init(config: ResNetConfig, maxBatch: Int, context: NetContext) throws(NetsError) {
        try config.validate()
        guard maxBatch >= 1 else { throw .invalidConfig(field: "batch_size", reason: "must be ≥ 1, got \(maxBatch)") }
        self.config = config
        self.maxBatch = maxBatch
        self.context = context
        let image = FeatureShape(channels: config.inputChannels, height: config.imageHeight, width: config.imageWidth)
        let imagenet = config.stem == .imagenet
        stem = Conv2D(name: "conv1", input: image, outChannels: config.width, kernel: imagenet ? 7 : 3,
                      stride: imagenet ? 2 : 1, padding: imagenet ? 3 : 1, maxBatch: maxBatch, context: context)
        stemBN = BatchNorm(name: "bn1", shape: stem.outputShape, relu: true, maxBatch: maxBatch, context: context)
        stemPool = imagenet ? MaxPool2D(input: stem.outputShape, kernel: 3, stride: 2, padding: 1, maxBatch: maxBatch, context: context) : nil
        var shape = stemPool?.outputShape ?? stem.outputShape
        var stages: [[BasicBlock]] = []
        var pools: [GlobalAveragePool] = []
        for (s, count) in config.blocks.enumerated() {
            var stage: [BasicBlock] = []
            for j in 0..<count {
                let block = BasicBlock(name: "layer\(s + 1).\(j)", input: shape, outChannels: config.stageChannels(s),
                                       stride: j == 0 && s > 0 ? 2 : 1, maxBatch: maxBatch, context: context)
                shape = block.outputShape
                stage.append(block)
            }
            stages.append(stage)
            pools.append(GlobalAveragePool(input: shape, maxBatch: maxBatch, context: context))
        }
        blocks = stages
        self.pools = pools
        var features = shape.channels
        var head: [(Linear, ReLU)] = []
        for (i, h) in config.headWidths.enumerated() {
            let lin = Linear(name: "head.\(i)", inFeatures: features, outFeatures: h, bias: config.headBias,
                             maxBatch: maxBatch, context: context, group: .head)
            head.append((lin, ReLU(shape: FeatureShape(channels: h), maxBatch: maxBatch, context: context)))
            features = h
        }
        self.head = head
        classifier = Linear(name: "fc", inFeatures: features, outFeatures: config.classes, bias: config.classifierBias,
                            maxBatch: maxBatch, context: context, group: .classifier)
        let all = stages.flatMap { $0 }
        let maxActivation = ([stem.outputShape] + all.map(\.outputShape)).map { $0.count(batch: maxBatch) }.max()!
        scratch = BackwardScratch(count: maxActivation)
        gradientA = FloatBuffer(count: maxActivation)
        gradientB = FloatBuffer(count: maxActivation)
        headGradients = ([shape.channels] + config.headWidths).map { FloatBuffer(count: $0 * maxBatch) }
    }

    /// Every convolution, in forward order.
    public var convolutions: [Conv2D] { [stem] + blocks.flatMap { $0.flatMap(\.convolutions) } }
    /// Every batch normalization, in forward order.
    public var batchNorms: [BatchNorm] { [stemBN] + blocks.flatMap { $0.flatMap(\.batchNorms) } }

    /// Every trainable parameter, in a fixed order (stem, blocks in order — conv1, bn1, conv2, bn2,
    /// shortcut — head, classifier). Initialization, checkpoints and the optimizer use this order.
    public var parameters: [Parameter] {
        var p: [Parameter] = [stem.weight] + stemBN.parameters
        for block in blocks.flatMap({ $0 }) {
            p += [block.conv1.weight] + block.bn1.parameters + [block.conv2.weight] + block.bn2.parameters
            if let sc = block.shortcutConv, let sbn = block.shortcutBN { p += [sc.weight] + sbn.parameters }
        }
        for (lin, _) in head { p += lin.parameters }
        return p + classifier.parameters
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// The logits of the last forward pass: K×B, classes as rows, samples as columns.
    public var logits: UnsafePointer<Float> { UnsafePointer(classifier.output.base) }

    /// Runs the network on `batch` images (channel-major C×B×H×W) and returns the logits (K×B).
    /// With `measure`, every stage is pooled so that `features(layer:)` holds all feature layers.
    @discardableResult
    public func forward(_ images: UnsafePointer<Float>, batch: Int, training: Bool, measure: Bool = false) -> UnsafePointer<Float> {
        precondition(batch >= 1 && batch <= maxBatch, "batch \(batch) exceeds the prepared \(maxBatch)")
        stem.forward(images, batch: batch)
        stemBN.forward(stem.output.base, batch: batch, training: training)
        var x = UnsafePointer(stemBN.output.base)
        if let pool = stemPool {
            pool.forward(x, batch: batch)
            x = UnsafePointer(pool.output.base)
        }
        for (s, stage) in blocks.enumerated() {
            for block in stage {
                block.forward(x, batch: batch, training: training)
                x = UnsafePointer(block.output.base)
            }
            if measure || s == blocks.count - 1 { pools[s].forward(x, batch: batch) }
        }
        var h = UnsafePointer(pools[pools.count - 1].output.base)
        for (lin, relu) in head {
            lin.forward(h, batch: batch)
            relu.forward(lin.output.base, batch: batch)
            h = UnsafePointer(relu.output.base)
        }
        classifier.forward(h, batch: batch)
        return logits
    }

    /// The features of measured layer `index` (in `config.featureLayerNames` order) of the last forward
    /// pass: d×B, features as rows, samples as columns. Stages other than the last need `measure: true`.
    public func features(layer index: Int) -> (pointer: UnsafePointer<Float>, dimension: Int) {
        if index < pools.count { return (UnsafePointer(pools[index].output.base), pools[index].inputShape.channels) }
        let (lin, relu) = head[index - pools.count]
        return (UnsafePointer(relu.output.base), lin.outFeatures)
    }

    /// The penultimate features (the classifier's input) of the last forward pass, d×B.
    public var penultimate: (pointer: UnsafePointer<Float>, dimension: Int) { features(layer: config.featureLayerNames.count - 1) }

    /// Backpropagates ∂loss/∂logits (K×B) through the last training-mode forward pass, setting every
    /// parameter's `gradient`.
    public func backward(_ dLogits: UnsafePointer<Float>, batch: Int) {
        var gIndex = headGradients.count - 1
        classifier.backward(dLogits, batch: batch, inputGradient: headGradients[gIndex].base)
        for (lin, relu) in head.reversed() {
            let g = headGradients[gIndex].base
            relu.backward(g, batch: batch, inputGradient: g)
            gIndex -= 1
            lin.backward(g, batch: batch, inputGradient: headGradients[gIndex].base)
        }
        var dOut = gradientA, dIn = gradientB
        pools[pools.count - 1].backward(headGradients[0].base, batch: batch, inputGradient: dOut.base)
        for block in blocks.flatMap({ $0 }).reversed() {
            block.backward(dOut.base, batch: batch, inputGradient: dIn.base, scratch: scratch)
            swap(&dOut, &dIn)
        }
        if let pool = stemPool {
            pool.backward(dOut.base, batch: batch, inputGradient: dIn.base)
            swap(&dOut, &dIn)
        }
        stemBN.backward(dOut.base, batch: batch, inputGradient: scratch.a.base)
        stem.backward(scratch.a.base, batch: batch, inputGradient: nil)
    }
}
