import Collapse
import Formats
import Linalg

/// The neural-collapse measurement of a network on a data set at one epoch.
public struct NetworkMeasurement: Sendable {
    /// Eval-mode loss and accuracy over the measured samples.
    public var loss: Double
    public var accuracy: Double
    /// Per measured layer (`ResNetConfig.featureLayerNames` order): its metrics, or nil with a reason when
    /// the metrics are undefined (e.g. a layer whose features are all zero).
    public var layers: [(name: String, metrics: LevelMetrics?, failure: String?)]
    /// The features of every layer (N×d, samples as rows), when requested.
    public var features: [(name: String, rows: Matrix<Float>)]
    public var labels: [Int]
    /// For a set with unequal class counts: the per-class norms of the penultimate layer's class means and of
    /// the classifier rows, and the minority-collapse angle (`NC.imbalance`); nil for balanced sets or when
    /// the metrics are undefined.
    public var imbalance: ImbalanceMetrics? = nil
    /// For a set with unequal class counts: each class's share c_k of the penultimate layer's nc1
    /// (`NC.withinClassContributions`, Σ_k c_k = nc1); nil otherwise.
    public var nc1Shares: [Double]? = nil
    /// The eval-mode accuracy on each class's samples (NaN for a class without samples).
    public var classAccuracy: [Double] = []
}

extension Trainer {
    /// Eval-mode loss, accuracy and per-class accuracy on a data set (no measurement of features).
    public func evaluate(_ set: Dataset) -> (loss: Double, accuracy: Double, classAccuracy: [Double]) {
        var lossSum = 0.0, correct = 0
        let perClass = forEachEvalBatch(set, measure: false) { _, result, b in lossSum += result.loss * Double(b); correct += result.correct }
        return (lossSum / Double(set.count), Double(correct) / Double(set.count), Self.classAccuracy(perClass, set))
    }

    /// correct_k / n_k per class (NaN for a class without samples).
    static func classAccuracy(_ correct: [Int], _ set: Dataset) -> [Double] {
        zip(correct, set.samplesPerClass).map { $1 > 0 ? Double($0) / Double($1) : .nan }
    }

    /// Runs the network in eval mode over `set` (in its order, in batches of the prepared size) and calls
    /// `body(first sample, (loss, correct) of the batch, batch size)` after each forward pass; returns the
    /// number of correctly classified samples of each class.
    @discardableResult
    func forEachEvalBatch(_ set: Dataset, measure: Bool, _ body: (Int, (loss: Double, correct: Int), Int) throws -> Void) rethrows -> [Int] {
        BLASThreads.count = 1
        let net = network, k = net.config.classes
        let input = FloatBuffer(count: set.featureCount * net.maxBatch)
        var labels = [Int32](repeating: 0, count: net.maxBatch)
        var perClass = [Int](repeating: 0, count: k)
        var first = 0
        while first < set.count {
            let b = min(net.maxBatch, set.count - first)
            let r = labels.withUnsafeMutableBufferPointer { l -> (loss: Double, correct: Int) in
                set.gather(first..<(first + b), into: input.base, labels: l.baseAddress!)
                net.forward(input.base, batch: b, training: false, measure: measure)
                return perClass.withUnsafeMutableBufferPointer { pc in
                    step.loss.evaluate(logits: net.logits, labels: l.baseAddress!, batch: b, classes: k, gradient: nil,
                                       perClassCorrect: pc.baseAddress!)
                }
            }
            try body(first, r, b)
            first += b
        }
        return perClass
    }

    /// Measures every feature layer on `set` in eval mode: one pass streams each layer's features into a
    /// `ClassStatistics` (Collapse), then NC1–NC2 for every layer and, for the penultimate layer with the
    /// classifier (W, b), NC2 of W, NC3 and NC4 (a second pass over the penultimate features, kept in memory).
    /// With `keepFeatures`, every layer's features are returned (for `.npz` export).
    public func measure(_ set: Dataset, keepFeatures: Bool = false) throws -> NetworkMeasurement {
        let net = network, names = net.config.featureLayerNames, k = net.config.classes
        let last = names.count - 1
        var stats = try names.indices.map { try ClassStatistics(classes: k, dimension: net.features(layer: $0).dimension, layer: names[$0]) }
        var kept = names.indices.map { l in (keepFeatures || l == last) ? Matrix<Float>(rows: set.count, cols: net.features(layer: l).dimension) : Matrix<Float>(rows: 0, cols: 0) }
        var rows = [Float](repeating: 0, count: net.maxBatch * (names.indices.map { net.features(layer: $0).dimension }.max() ?? 1))
        var lossSum = 0.0, correct = 0
        let perClass = try forEachEvalBatch(set, measure: true) { first, r, b in
            lossSum += r.loss * Double(b)
            correct += r.correct
            let batchLabels = set.labels[first..<(first + b)]
            for l in names.indices {
                let (f, d) = net.features(layer: l)
                // d×b (features as rows) → b×d (samples as rows, Collapse's and NumPy's convention).
                rows.withUnsafeMutableBufferPointer { out in
                    for i in 0..<d { for j in 0..<b { out[j * d + i] = f[i * b + j] } }
                }
                try rows.withUnsafeBufferPointer { p in
                    try stats[l].add(rowMajor: UnsafeBufferPointer(rebasing: p[0..<(b * d)]), labels: batchLabels)
                }
                if kept[l].rows > 0 {
                    kept[l].storage.withUnsafeMutableBufferPointer { dst in
                        rows.withUnsafeBufferPointer { src in (dst.baseAddress! + first * d).update(from: src.baseAddress!, count: b * d) }
                    }
                }
            }
        }
        let classifier = self.classifier
        var layers: [(name: String, metrics: LevelMetrics?, failure: String?)] = []
        for l in names.indices {
            do {
                if l == last {
                    var agreement = try NearestClassCenterAgreement(statistics: stats[l], classifier: classifier)
                    try agreement.add(rows: kept[l])
                    layers.append((names[l], try NCMetrics.compute(stats[l], classifier: classifier, nc4: agreement.value), nil))
                } else {
                    layers.append((names[l], try NCMetrics.compute(stats[l]), nil))
                }
            } catch {
                layers.append((names[l], nil, "\(error)"))
            }
        }
        let features = keepFeatures ? names.indices.map { (names[$0], kept[$0]) } : []
        var m = NetworkMeasurement(loss: lossSum / Double(set.count), accuracy: Double(correct) / Double(set.count),
                                   layers: layers, features: features, labels: set.labels)
        m.classAccuracy = Self.classAccuracy(perClass, set)
        if Set(stats[last].counts).count > 1 {
            // Minority collapse (Fang et al., PNAS 2021): ‖μ_k‖, ‖w_k‖ and the angle between minority rows,
            // and which classes the within-class variability nc1 comes from.
            m.imbalance = try? NC.imbalance(stats[last], classifier: classifier.weight)
            m.nc1Shares = try? NC.withinClassContributions(rows: kept[last].converted(to: Double.self), labels: set.labels,
                                                           statistics: stats[last])
        }
        return m
    }

    /// The final linear layer as a `Classifier` (W is K×d, b when the classifier has a bias), in Double.
    public var classifier: Classifier {
        let fc = network.classifier
        let w = Matrix<Double>(rows: fc.outFeatures, cols: fc.inFeatures, storage: fc.weight.value.array.map(Double.init))
        return Classifier(weight: w, bias: fc.bias.map { $0.value.array.map(Double.init) })
    }
}

extension NetworkMeasurement {
    /// The arrays of a features `.npz` that `collapse measure` and NumPy read: one N×d float32 array per
    /// layer (samples as rows, in depth order), `labels` (int64), and the classifier's `weight` (K×d) and
    /// `bias`, which `collapse measure` attaches to the last layer (the penultimate features).
    public func featureArrays(classifier: Classifier) -> [(name: String, array: NDArray)] {
        var out: [(name: String, array: NDArray)] = features.map { ($0.name, NDArray($0.rows)) }
        out.append(("labels", NDArray(labels: labels)))
        out.append(("weight", NDArray(classifier.weight.converted(to: Float.self))))
        if let b = classifier.bias { out.append(("bias", NDArray(shape: [b.count], data: .float32(b.map(Float.init))))) }
        return out
    }
}
