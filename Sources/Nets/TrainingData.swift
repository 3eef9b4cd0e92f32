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
            let (a, b) = try split(all, trainPerClass: c.perClass, trainCounts: c.perClassCounts, testPerClass: c.testPerClass, seed: c.seed)
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
            if !c.perClassCounts.isEmpty {
                train = try subset(full, counts: c.perClassCounts, seed: c.seed)
            } else {
                train = c.perClass > 0 ? try subset(full, perClass: c.perClass, seed: c.seed) : full.classMajor()
            }
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

    /// An unbalanced class-major subset: `counts[k]` samples of class k, the first `counts[k]` of one seeded
    /// permutation per class (the same draw as `balancedSubset`, so a balanced array gives the same subset as
    /// the number). Errors name `data.per_class`, the class and the value: a wrong length, or more samples
    /// than the class has.
    public static func subset(_ d: Dataset, counts: [Int], seed: UInt64) throws -> Dataset {
        let byClass = try members(d, counts: counts)
        var rng = Xoshiro256StarStar(seed: seed)
        var chosen: [Int] = []
        chosen.reserveCapacity(counts.reduce(0, +))
        for (k, m) in byClass.enumerated() {
            let p = rng.permutation(m.count)
            chosen += p.prefix(counts[k]).sorted().map { m[$0] }
        }
        return d.subset(chosen)
    }

    /// The sample indices of each class, after checking `counts` against the data set.
    static func members(_ d: Dataset, counts: [Int], reserved: Int = 0) throws -> [[Int]] {
        guard counts.count == d.classCount else {
            throw NetsError.invalidConfig(field: "data.per_class", reason: "has \(counts.count) entries, but \(d.name) has \(d.classCount) classes")
        }
        var byClass = [[Int]](repeating: [], count: d.classCount)
        for (i, l) in d.labels.enumerated() { byClass[l].append(i) }
        for (k, n) in counts.enumerated() {
            guard n >= 1 else { throw NetsError.invalidConfig(field: "data.per_class", reason: "class \(k) has count \(n); every entry must be ≥ 1") }
            guard reserved <= byClass[k].count, n <= byClass[k].count - reserved else {
                throw NetsError.invalidConfig(field: "data.per_class", reason: "class \(k) (\(d.classNames[k])) asks for \(n) samples, but \(d.name) has "
                                              + "\(byClass[k].count)" + (reserved > 0 ? " of which data.test_per_class = \(reserved) go to the test subset" : ""))
            }
        }
        return byClass
    }

    /// A disjoint train/test split of one pool (class-major both): `trainCounts[k]` (or `trainPerClass`
    /// for every class when `trainCounts` is empty) training samples and `testPerClass` test samples per class.
    static func split(_ all: Dataset, trainPerClass: Int, trainCounts: [Int] = [], testPerClass: Int, seed: UInt64) throws -> (Dataset, Dataset?) {
        if !trainCounts.isEmpty {
            let byClass = try members(all, counts: trainCounts, reserved: testPerClass)
            var rng = Xoshiro256StarStar(seed: seed)
            var trainIdx: [Int] = [], testIdx: [Int] = []
            for (k, m) in byClass.enumerated() {
                let p = rng.permutation(m.count)
                trainIdx += p.prefix(trainCounts[k]).sorted().map { m[$0] }
                testIdx += p.dropFirst(trainCounts[k]).prefix(testPerClass).sorted().map { m[$0] }
            }
            return (all.subset(trainIdx), testPerClass > 0 ? all.subset(testIdx) : nil)
        }
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
