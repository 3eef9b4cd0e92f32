import Linalg

/// The precisions a feature batch may come in: Float (network features) or Double (UFMs), both
/// accumulated in Double. Each conformance forwards to the concrete, specialized entry points.
public protocol FeatureScalar: BLASScalar {
    static func add(_ rows: Matrix<Self>, labels: ArraySlice<Int>, to s: inout ClassStatistics) throws
    static func add(_ rows: Matrix<Self>, to a: inout NearestClassCenterAgreement) throws
}

extension Float: FeatureScalar {
    public static func add(_ rows: Matrix<Float>, labels: ArraySlice<Int>, to s: inout ClassStatistics) throws {
        try s.add(rows: rows, labels: labels)
    }
    public static func add(_ rows: Matrix<Float>, to a: inout NearestClassCenterAgreement) throws { try a.add(rows: rows) }
}

extension Double: FeatureScalar {
    public static func add(_ rows: Matrix<Double>, labels: ArraySlice<Int>, to s: inout ClassStatistics) throws {
        try s.add(rows: rows, labels: labels)
    }
    public static func add(_ rows: Matrix<Double>, to a: inout NearestClassCenterAgreement) throws { try a.add(rows: rows) }
}

extension NCMetrics {
    /// Every metric of one layer whose N×d rows are visited in batches, in two passes when a classifier is
    /// given (statistics, then NC4): memory is one batch plus O(K·d + d²), whatever N is.
    ///
    /// - Parameters:
    ///   - forEachBatch: calls its second argument with consecutive row batches (each with the index of its
    ///     first row) of at most the given number of rows, in row order — e.g. a streaming file reader's
    ///     `forEachBatch(maxRows:as:_:)`. It is called twice when `classifier` is given.
    ///   - labels: the N labels (validated against `classes`); `rows` must equal `labels.count`.
    public static func measure<T: FeatureScalar>(
        layer: String, rows: Int, dimension: Int, labels: [Int], classes: Int, as: T.Type = T.self,
        classifier: Classifier? = nil, weight: Matrix<Double>? = nil, batchRows: Int = 4096,
        relativeTolerance: Double? = nil,
        forEachBatch: (Int, (Matrix<T>, Int) throws -> Void) throws -> Void
    ) throws -> LevelMetrics {
        guard rows == labels.count else {
            throw CollapseError.lengthMismatch(layer: layer, what: "feature rows vs labels", expected: labels.count, found: rows)
        }
        var need = ClassStatistics.memoryEstimate(classes: classes, dimension: dimension, samples: labels.count)
        let batch = Swift.min(Swift.max(batchRows, 1), Swift.max(rows, 1))
        need.add("a batch of rows and its centered copy (--batch-rows \(batch) × d = \(dimension))", bytes: batch, dimension, 3, 8)
        do { try need.check(layer) } catch { throw CollapseError.memory(layer: layer, error) }
        var s = try ClassStatistics(classes: classes, dimension: dimension, layer: layer)
        try classifier?.validate(classes: classes, dimension: dimension, layer: layer)
        try forEachBatch(batch) { batch, first in
            guard first >= 0, first + batch.rows <= labels.count else {
                throw CollapseError.lengthMismatch(layer: layer, what: "feature rows vs labels", expected: labels.count, found: first + batch.rows)
            }
            try T.add(batch, labels: labels[first..<(first + batch.rows)], to: &s)
        }
        guard s.sampleCount == rows else {
            throw CollapseError.lengthMismatch(layer: layer, what: "rows delivered by the reader", expected: rows, found: s.sampleCount)
        }
        var nc4: Double? = nil
        if let c = classifier {
            var agreement = try NearestClassCenterAgreement(statistics: s, classifier: c)
            try forEachBatch(batch) { batch, _ in try T.add(batch, to: &agreement) }
            nc4 = agreement.value
        }
        return try compute(s, classifier: classifier, weight: weight, nc4: nc4, relativeTolerance: relativeTolerance)
    }
}
