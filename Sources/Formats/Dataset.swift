import Foundation
import Linalg

/// A labelled image data set in memory: `images` is N × (C·H·W) Float, one sample per ROW, each row the
/// channel-major (C, H, W) image flattened in C order, so pixel (c, h, w) of sample i is
/// `images[i, c·H·W + h·W + w]`. Loaders scale bytes to [0, 1] (x / 255); `normalize` then standardizes.
public struct Dataset: Equatable, Sendable {
    /// A short name for messages ("Fashion-MNIST train").
    public var name: String
    /// N × (C·H·W) pixels, samples as rows.
    public var images: Matrix<Float>
    /// N labels in 0..<classNames.count.
    public var labels: [Int]
    public var channels: Int
    public var height: Int
    public var width: Int
    /// One name per class; K = classNames.count.
    public var classNames: [String]

    /// N.
    public var count: Int { labels.count }
    /// K.
    public var classCount: Int { classNames.count }
    /// C·H·W.
    public var featureCount: Int { channels * height * width }

    /// Validates shapes and label range; `FormatError.shape` / `.invalidContent` name what is wrong.
    public init(name: String, images: Matrix<Float>, labels: [Int], channels: Int, height: Int, width: Int, classNames: [String]) throws {
        guard channels > 0, height > 0, width > 0, images.cols == channels * height * width else {
            throw FormatError.shape(name: "\(name) images", found: [images.rows, images.cols],
                                    expected: "N × \(channels)·\(height)·\(width) with positive C, H, W")
        }
        guard images.rows == labels.count else {
            throw FormatError.shape(name: "\(name) labels", found: [labels.count], expected: "[\(images.rows)], one label per image")
        }
        guard !classNames.isEmpty else { throw FormatError.invalidContent(path: name, reason: "no classes") }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classNames.count }) {
            throw FormatError.invalidContent(path: name, reason: "label \(labels[bad]) of sample \(bad) is outside 0..<\(classNames.count)")
        }
        self.name = name
        self.images = images
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
    }

    /// A data set from raw bytes: `pixels` holds N·C·H·W bytes in (N, C, H, W) order, scaled to x / 255.
    public init(name: String, pixels: [UInt8], labels: [Int], channels: Int, height: Int, width: Int, classNames: [String]) throws {
        let d = channels * height * width
        guard d > 0, pixels.count == labels.count * d else {
            throw FormatError.shape(name: "\(name) pixels", found: [pixels.count], expected: "\(labels.count) × \(channels)·\(height)·\(width) bytes")
        }
        let floats = pixels.map { Float($0) / 255 }  // as torchvision's ToTensor: exact division, not × (1/255)
        try self.init(name: name, images: Matrix(rows: labels.count, cols: d, storage: floats), labels: labels,
                      channels: channels, height: height, width: width, classNames: classNames)
    }

    /// The number of samples of each class.
    public var samplesPerClass: [Int] {
        var c = [Int](repeating: 0, count: classCount)
        for l in labels { c[l] += 1 }
        return c
    }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        let d = featureCount
        var out = Matrix<Float>(rows: indices.count, cols: d)
        images.storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "subset index \(i) outside 0..<\(count)")
                    (dst.baseAddress! + k * d).update(from: src.baseAddress! + i * d, count: d)
                }
            }
        }
        var s = self
        s.images = out
        s.labels = indices.map { labels[$0] }
        return s
    }

    /// How a subset orders its samples.
    public enum Order: String, Sendable {
        /// Class 0's samples, then class 1's, …: sample i has label i / n (the papers' convention).
        case classMajor
        /// Samples in their order in the full data set.
        case original
    }

    /// The samples sorted by class, stable within a class: the class-major order of the papers.
    public func classMajor() -> Dataset {
        subset(labels.indices.sorted { (labels[$0], $0) < (labels[$1], $1) })
    }

    /// A balanced subset: `perClass` samples of every class, chosen uniformly without replacement by a
    /// `Xoshiro256StarStar(seed:)` permutation of each class's samples (class 0 first), so the subset is
    /// a pure function of (data set, perClass, seed). Within a class the chosen samples keep their
    /// original relative order. Throws `invalidContent` if some class has fewer than `perClass` samples.
    public func balancedSubset(perClass: Int, seed: UInt64, order: Order = .classMajor) throws -> Dataset {
        guard perClass > 0 else { throw FormatError.invalidContent(path: name, reason: "perClass must be positive, got \(perClass)") }
        var byClass = [[Int]](repeating: [], count: classCount)
        for (i, l) in labels.enumerated() { byClass[l].append(i) }
        if let short = byClass.firstIndex(where: { $0.count < perClass }) {
            throw FormatError.invalidContent(path: name, reason: "class \(short) (\(classNames[short])) has \(byClass[short].count) samples, \(perClass) per class requested")
        }
        var rng = Xoshiro256StarStar(seed: seed)
        var chosen: [Int] = []
        chosen.reserveCapacity(perClass * classCount)
        for members in byClass {
            let p = rng.permutation(members.count)
            chosen += p.prefix(perClass).sorted().map { members[$0] }
        }
        if order == .original { chosen.sort() }
        return subset(chosen)
    }

    /// Per-channel mean and standard deviation (population, over all samples and pixels), accumulated
    /// in Double. Compute them on the training set and apply them to both splits with `normalize`.
    public func channelStatistics() -> ChannelNormalization {
        let hw = height * width
        var sum = [Double](repeating: 0, count: channels)
        var sumSq = [Double](repeating: 0, count: channels)
        images.storage.withUnsafeBufferPointer { x in
            for i in 0..<count {
                for c in 0..<channels {
                    var s = 0.0, q = 0.0
                    let base = i * featureCount + c * hw
                    for k in 0..<hw { let v = Double(x[base + k]); s += v; q += v * v }
                    sum[c] += s
                    sumSq[c] += q
                }
            }
        }
        let m = Double(count * hw)
        let mean = sum.map { $0 / m }
        let std = zip(sumSq, mean).map { (max($0 / m - $1 * $1, 0)).squareRoot() }
        return ChannelNormalization(mean: mean, std: std)
    }

    /// Standardizes in place: x ← (x − mean_c) / std_c for every pixel of channel c.
    public mutating func normalize(_ n: ChannelNormalization) throws {
        guard n.mean.count == channels, n.std.count == channels else {
            throw FormatError.shape(name: "normalization", found: [n.mean.count, n.std.count], expected: "\(channels) means and \(channels) standard deviations")
        }
        guard n.std.allSatisfy({ $0 > 0 && $0.isFinite }), n.mean.allSatisfy(\.isFinite) else {
            throw FormatError.invalidContent(path: name, reason: "normalization needs finite means and positive standard deviations, got \(n)")
        }
        let hw = height * width, d = featureCount, rows = count, chans = channels
        images.storage.withUnsafeMutableBufferPointer { x in
            for i in 0..<rows {
                for c in 0..<chans {
                    let mu = Float(n.mean[c]), inv = Float(1 / n.std[c])
                    let base = i * d + c * hw
                    for k in 0..<hw { x[base + k] = (x[base + k] - mu) * inv }
                }
            }
        }
    }

    /// The images as an N × C × H × W float32 array and the labels as int64, for `.npz` export.
    public var arrays: [(name: String, array: NDArray)] {
        [("images", NDArray(shape: [count, channels, height, width], data: .float32(images.storage))),
         ("labels", NDArray(labels: labels))]
    }
}

/// Per-channel mean and standard deviation for `Dataset.normalize`.
public struct ChannelNormalization: Equatable, Sendable, CustomStringConvertible {
    public var mean: [Double]
    public var std: [Double]

    public init(mean: [Double], std: [Double]) {
        self.mean = mean
        self.std = std
    }

    /// The customary constants on [0, 1] pixels (torchvision examples), computed on the training sets.
    public static let mnist = ChannelNormalization(mean: [0.1307], std: [0.3081])
    public static let fashionMNIST = ChannelNormalization(mean: [0.2860], std: [0.3530])
    public static let cifar10 = ChannelNormalization(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616])

    public var description: String { "mean \(mean), std \(std)" }
}
