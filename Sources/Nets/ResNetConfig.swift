/// The first layers of the ResNet, before stage 1 (`model.stem`).
public enum StemKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// conv3×3(C_in → w, stride 1, pad 1) → BN → ReLU: the CIFAR ResNet of kuangliu/pytorch-cifar (and of
    /// Tirer & Bruna 2022, Papyan et al. 2020); keeps the 28×28 or 32×32 resolution.
    case cifar
    /// conv7×7(C_in → w, stride 2, pad 3) → BN → ReLU → max-pool 3×3 (stride 2, pad 1): torchvision's
    /// ImageNet ResNet (He et al., CVPR 2016, Table 1), as used by tding1/Neural-Collapse; divides the
    /// resolution by 4 (28×28 → 7×7 at stage 1).
    case imagenet
}

/// The architecture of a CIFAR-style ResNet with an optional MLP head (see `ResNet`).
public struct ResNetConfig: Equatable, Hashable, Sendable, Codable {
    /// 1 (MNIST, Fashion-MNIST) or 3 (CIFAR-10).
    public var inputChannels: Int
    public var imageHeight: Int
    public var imageWidth: Int
    /// w: the stem and stage 1 have w channels, stages 2–4 have 2w, 4w, 8w. w = 64 is the standard ResNet18.
    public var width: Int
    /// Basic blocks per stage; [2, 2, 2, 2] is ResNet18.
    public var blocks: [Int]
    /// The MLP head between the pooled features and the classifier: one Linear+ReLU layer per entry, of that
    /// width (Súkeník, Mondelli & Lampert, NeurIPS 2023). Empty: no head.
    public var headWidths: [Int]
    /// Whether the head's linear layers have biases (the deep UFM has none).
    public var headBias: Bool
    /// K, the number of classes.
    public var classes: Int
    /// Whether the classifier has a bias (Tirer & Bruna's MSE experiments use none; cross-entropy ones do).
    public var classifierBias: Bool
    /// The stem before stage 1.
    public var stem: StemKind
    /// How `ResNet.initialize(seed:)` draws the parameters.
    public var initialization: InitializationScheme

    public init(inputChannels: Int = 1, imageHeight: Int = 28, imageWidth: Int = 28, width: Int = 64,
                blocks: [Int] = [2, 2, 2, 2], headWidths: [Int] = [], headBias: Bool = false,
                classes: Int = 10, classifierBias: Bool = false, stem: StemKind = .cifar,
                initialization: InitializationScheme = .torchvision) {
        self.stem = stem
        self.initialization = initialization
        self.inputChannels = inputChannels
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.width = width
        self.blocks = blocks
        self.headWidths = headWidths
        self.headBias = headBias
        self.classes = classes
        self.classifierBias = classifierBias
    }

    /// The channels of stage s (0-based): w·2ˢ.
    public func stageChannels(_ s: Int) -> Int { width << s }

    /// The names of the measured feature layers, in depth order: `stage1` … `stageS` (each stage's output after
    /// global average pooling), then `head1` … `headM` (each head layer after its ReLU). The last one is
    /// the penultimate layer, the classifier's input.
    public var featureLayerNames: [String] {
        (1...blocks.count).map { "stage\($0)" } + headWidths.indices.map { "head\($0 + 1)" }
    }

    /// Checks every field; the message names the field and the allowed values.
    public func validate() throws(NetsError) {
        func bad(_ field: String, _ why: String) -> NetsError { .invalidConfig(field: field, reason: why) }
        guard inputChannels >= 1 else { throw bad("input_channels", "must be ≥ 1, got \(inputChannels)") }
        guard imageHeight >= 1, imageWidth >= 1 else { throw bad("image size", "must be ≥ 1, got \(imageHeight)×\(imageWidth)") }
        guard width >= 1 else { throw bad("width", "must be ≥ 1, got \(width)") }
        guard !blocks.isEmpty, blocks.allSatisfy({ $0 >= 1 }) else { throw bad("blocks", "needs one or more stages of ≥ 1 block, got \(blocks)") }
        guard width << (blocks.count - 1) <= 1 << 16 else { throw bad("width", "\(width)·2^\(blocks.count - 1) channels is too many") }
        guard headWidths.allSatisfy({ $0 >= 1 }) else { throw bad("head_widths", "every width must be ≥ 1, got \(headWidths)") }
        guard classes >= 2 else { throw bad("classes", "must be ≥ 2, got \(classes)") }
    }
}
