/// Which arrays of a feature file (`collapse measure FILE`) are labels, layers and classifiers.
///
/// Convention (files keep NumPy/PyTorch's layout, samples as ROWS):
/// - `labels`: N integers in 0…K−1 (required);
/// - every other floating-point array whose name does not start with `weight` or `bias` is a layer,
///   N×d_l (a 1-D array of N floats is a layer with d = 1), reported in file order;
/// - `weight.<layer>` / `bias.<layer>` belong to that layer; plain `weight` / `bias` belong to the LAST layer
///   in file order (the features that feed the classifier). A weight with K rows is that layer's classifier
///   (NC3, NC4, NC2 of W); any other m×d_l weight is a layer weight W_l, used for its spectrum and the
///   weight–feature alignment only, and must then come without a bias.
/// Other arrays (integer arrays besides `labels`, names starting with `weight`/`bias` that match nothing)
/// are rejected with an error naming them, so that a typo never goes unnoticed.
public struct FeatureFilePlan: Sendable, Equatable {
    /// What a file holds, as read from its headers (no data).
    public struct ArrayInfo: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var isFloatingPoint: Bool
        public init(name: String, shape: [Int], isFloatingPoint: Bool) {
            self.name = name
            self.shape = shape
            self.isFloatingPoint = isFloatingPoint
        }
    }

    /// One layer to measure.
    public struct Layer: Sendable, Equatable {
        public var name: String
        /// d_l.
        public var dimension: Int
        /// The array holding this layer's weight (K×d classifier or m×d layer weight), if any.
        public var weight: String?
        /// The array holding this layer's classifier bias, if any.
        public var bias: String?
    }

    /// N, the number of samples (the length of `labels`).
    public var samples: Int
    /// The layers, in file order.
    public var layers: [Layer]

    /// Plans the measurement of a file whose arrays are `arrays` (in file order). `path` names the file in errors.
    public static func make(_ arrays: [ArrayInfo], path: String) throws -> FeatureFilePlan {
        let names = arrays.map(\.name)
        func fail(_ reason: String) -> CollapseError { .invalidFile(path: path, reason: reason) }
        guard let labels = arrays.first(where: { $0.name == "labels" }) else {
            throw fail("no array named 'labels' (the file has: \(names.joined(separator: ", "))); save the N class indices as 'labels'")
        }
        guard labels.shape.count == 1 || (labels.shape.count == 2 && labels.shape[1] == 1) else {
            throw fail("'labels' has shape \(labels.shape), expected N integers (a 1-D array)")
        }
        let n = labels.shape[0]
        var layers: [Layer] = []
        var parameters: [ArrayInfo] = []
        for a in arrays where a.name != "labels" {
            if a.name.hasPrefix("weight") || a.name.hasPrefix("bias") { parameters.append(a); continue }
            guard a.isFloatingPoint else {
                throw fail("'\(a.name)' is an integer array; only 'labels' may be integer (features must be float32 or float64)")
            }
            guard a.shape.count == 2 || a.shape.count == 1 else {
                throw fail("layer '\(a.name)' has shape \(a.shape); reshape it to N×d (samples as rows), e.g. x.reshape(len(x), -1)")
            }
            guard a.shape[0] == n else {
                throw CollapseError.lengthMismatch(layer: a.name, what: "feature rows vs the \(n) labels", expected: n, found: a.shape[0])
            }
            layers.append(Layer(name: a.name, dimension: a.shape.count == 2 ? a.shape[1] : 1))
        }
        guard !layers.isEmpty else {
            throw fail("no feature arrays (the file has: \(names.joined(separator: ", "))); add one N×d float array per layer")
        }
        for p in parameters {
            let isWeight = p.name.hasPrefix("weight")
            let stem = isWeight ? "weight" : "bias"
            let suffix = p.name.dropFirst(stem.count)
            let index: Int
            if suffix.isEmpty {
                index = layers.count - 1
            } else if suffix.hasPrefix("."), let i = layers.firstIndex(where: { $0.name == suffix.dropFirst() }) {
                index = i
            } else {
                throw fail("'\(p.name)' matches no layer: name it '\(stem)' (last layer) or '\(stem).<layer>' with a layer of \(layers.map(\.name))")
            }
            guard p.isFloatingPoint else { throw fail("'\(p.name)' must be a float array") }
            if isWeight {
                guard layers[index].weight == nil else { throw fail("layer '\(layers[index].name)' has two weights ('\(layers[index].weight!)' and '\(p.name)')") }
                guard p.shape.count == 2, p.shape[1] == layers[index].dimension else {
                    throw CollapseError.shapeMismatch(layer: layers[index].name, what: "'\(p.name)'", expected: "m×\(layers[index].dimension) (K×d for a classifier, as PyTorch's Linear.weight)",
                                                      found: "\(p.shape)")
                }
                layers[index].weight = p.name
            } else {
                guard layers[index].bias == nil else { throw fail("layer '\(layers[index].name)' has two biases") }
                guard p.shape.count == 1 else {
                    throw CollapseError.shapeMismatch(layer: layers[index].name, what: "'\(p.name)'", expected: "a 1-D array of K entries", found: "\(p.shape)")
                }
                layers[index].bias = p.name
            }
        }
        for l in layers where l.bias != nil && l.weight == nil {
            throw fail("'\(l.bias!)' is given without a weight for layer '\(l.name)'")
        }
        return FeatureFilePlan(samples: n, layers: layers)
    }
}

extension FeatureFilePlan {
    /// The labels of a file as class indices, from an integer array (`integers`) or a float array whose
    /// entries are all whole numbers (`floats`, as PyTorch sometimes saves them).
    public static func labels(integers: [Int]?, floats: @autoclosure () -> [Double], path: String) throws -> [Int] {
        if let ints = integers { return ints }
        let values = floats()
        return try values.enumerated().map { i, v in
            guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else {
                throw CollapseError.invalidFile(path: path, reason: "labels[\(i)] = \(v) is not a class index; save labels as integers")
            }
            return Int(v)
        }
    }

    /// K for `labels`: `requested` (--classes) or max label + 1, after checking every label is in 0…K−1,
    /// K ≥ 2 and every class has a sample (naming the first offending sample or class). Every class needs
    /// a sample, so K ≤ N: a label or `requested` beyond that is refused before anything is sized by it
    /// (a label of 10¹² would otherwise ask for a 10¹²-entry count array).
    public static func classes(of labels: [Int], requested: Int? = nil) throws -> Int {
        if requested == nil, let i = labels.indices.max(by: { labels[$0] < labels[$1] }), labels[i] >= labels.count {
            throw CollapseError.invalidFile(path: "labels", reason: "sample \(i) has label \(labels[i]), so K would be at least \(labels[i]) + 1, "
                + "but there are only N = \(labels.count) samples and every class needs one; check the labels, or give --classes")
        }
        let k = requested ?? ((labels.max() ?? -1) + 1)
        guard k >= 2 else { throw CollapseError.tooFewClasses(layer: "labels", classes: k) }
        if let i = labels.firstIndex(where: { $0 < 0 || $0 >= k }) {
            throw CollapseError.labelOutOfRange(layer: "labels", sample: i, label: labels[i], classes: k)
        }
        if k > labels.count {
            // Some class in 0…N has no sample; name the first, without a K-sized array.
            let present = Set(labels)
            throw CollapseError.emptyClass(layer: "labels", classIndex: (0...labels.count).first { !present.contains($0) }!)
        }
        var counts = [Int](repeating: 0, count: k)
        for (i, y) in labels.enumerated() {
            guard y >= 0 && y < k else { throw CollapseError.labelOutOfRange(layer: "labels", sample: i, label: y, classes: k) }
            counts[y] += 1
        }
        if let empty = counts.firstIndex(of: 0) { throw CollapseError.emptyClass(layer: "labels", classIndex: empty) }
        return k
    }
}
