import Foundation
import Formats
import Linalg

/// The training (and optional test) samples of a run, class-major and normalized, and the batch gather
/// into the network's channel-major layout.
public struct TrainingData: Sendable {
    /// Training samples in class-major order (sample i of a balanced subset has label i / n).
    public var train: Dataset
    /// Test samples (class-major), when `data.test_per_class` > 0.
    public var test: Dataset?
    /// The per-channel standardization applied to both splits (nil: none).
    public var normalization: ChannelNormalization?

    public init(train: Dataset, test: Dataset?, normalization: ChannelNormalization?) {
        self.train = train
        self.test = test
        self.normalization = normalization
    }

    /// Loads the configured data set, draws the balanced subsets and normalizes.
    /// Errors: `FormatError.missingDataset` (with the install command) when the files are absent,
    /// `NetsError.invalidData` when a subset asks for more samples per class than there are.
    public static func load(_ c: TrainConfig.Data) throws -> TrainingData {
        let dir: URL? = c.directory.isEmpty ? nil : URL(fileURLWithPath: c.directory)
        var train: Dataset
        var test: Dataset? = nil
        switch c.dataset {
        case .mnist5k:
            // One pool of 5,000 digits: per class, one seeded permutation; the first per_class go to
            // training, the next test_per_class to the test subset (disjoint).
            let all = try MNIST5k.read(dir.map { $0.appendingPathComponent("mnist_5k.csv.gz") })
            let (a, b) = try split(all, trainPerClass: c.perClass, testPerClass: c.testPerClass, seed: c.seed)
            train = a
            test = b
        case .fashionMNIST, .mnist, .cifar10:
            func read(_ s: Split) throws -> Dataset {
                switch c.dataset {
                case .fashionMNIST: return try Dataset.fashionMNIST(split: s, directory: dir)
                case .mnist:
                    guard let dir else {
                        throw NetsError.invalidConfig(field: "data.directory", reason: "MNIST needs the directory of its IDX files (mnist5k needs none)")
                    }
                    return try Dataset.mnist(split: s, directory: dir)
                default: return try CIFAR10.read(split: s, directory: dir)
                }
            }
            let full = try read(.train)
            train = c.perClass > 0 ? try subset(full, perClass: c.perClass, seed: c.seed) : full.classMajor()
            if c.testPerClass > 0 { test = try subset(try read(.test), perClass: c.testPerClass, seed: c.seed &+ 1) }
        }
        var norm: ChannelNormalization?
        switch c.normalize {
        case .train: norm = train.channelStatistics()
        case .standard: norm = c.dataset == .cifar10 ? .cifar10 : (c.dataset == .fashionMNIST ? .fashionMNIST : .mnist)
        case .none: norm = nil
        }
        if let norm {
            try train.normalize(norm)
            try test?.normalize(norm)
        }
        return TrainingData(train: train, test: test, normalization: norm)
    }

    static func subset(_ d: Dataset, perClass: Int, seed: UInt64) throws -> Dataset {
        do { return try d.balancedSubset(perClass: perClass, seed: seed) } catch let e as FormatError {
            throw NetsError.invalidData(reason: "\(e)")
        }
    }

    /// A disjoint balanced train/test split of one pool (class-major both).
    static func split(_ all: Dataset, trainPerClass: Int, testPerClass: Int, seed: UInt64) throws -> (Dataset, Dataset?) {
        var byClass = [[Int]](repeating: [], count: all.classCount)
        for (i, l) in all.labels.enumerated() { byClass[l].append(i) }
        let available = byClass.map(\.count).min() ?? 0
        // testPerClass and nTrain may each be near Int.max: compare without adding them.
        let nTrain = testPerClass > available ? 0 : (trainPerClass > 0 ? trainPerClass : available - testPerClass)
        guard nTrain >= 1, testPerClass <= available, nTrain <= available - testPerClass else {
            throw NetsError.invalidData(reason: "\(all.name) has \(available) samples in its smallest class; "
                                        + "data.per_class = \(trainPerClass) plus data.test_per_class = \(testPerClass) do not fit")
        }
        var rng = Xoshiro256StarStar(seed: seed)
        var trainIdx: [Int] = [], testIdx: [Int] = []
        for members in byClass {
            let p = rng.permutation(members.count)
            trainIdx += p.prefix(nTrain).sorted().map { members[$0] }
            testIdx += p.dropFirst(nTrain).prefix(testPerClass).sorted().map { members[$0] }
        }
        return (all.subset(trainIdx), testPerClass > 0 ? all.subset(testIdx) : nil)
    }
}

extension Dataset {
    /// Writes samples `indices` channel-major (C×B×H×W, B = indices.count) into `out`, and their labels.
    func gather(_ indices: some Collection<Int>, into out: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) {
        let hw = height * width, d = featureCount, b = indices.count, chans = channels
        images.storage.withUnsafeBufferPointer { x in
            for (j, i) in indices.enumerated() {
                labels[j] = Int32(self.labels[i])
                for c in 0..<chans {
                    (out + (c * b + j) * hw).update(from: x.baseAddress! + i * d + c * hw, count: hw)
                }
            }
        }
    }
}
