import Linalg
import Testing
@testable import Collapse

/// Every bad input gets a typed error that names the layer and the class, sample or array.
@Suite struct ValidationTests {
    let z = Matrix<Double>([[0, 1], [1, 0], [2, 2], [3, 1], [0, 0], [1, 1]])

    @Test func oneClassOnly() {
        #expect(throws: CollapseError.tooFewClasses(layer: "fc", classes: 1)) {
            try ClassStatistics(classes: 1, dimension: 4, layer: "fc")
        }
        #expect(throws: CollapseError.tooFewClasses(layer: "features", classes: 1)) {
            try ClassStatistics(columns: Matrix<Double>(rows: 2, cols: 4), classes: 1)
        }
    }

    @Test func emptyClassIsNamed() throws {
        var s = try ClassStatistics(classes: 3, dimension: 2, layer: "layer4")
        try s.add(rows: z, labels: [0, 0, 2, 2, 0, 2])
        #expect(throws: CollapseError.emptyClass(layer: "layer4", classIndex: 1)) { try NCMetrics.compute(s) }
        #expect(throws: CollapseError.emptyClass(layer: "layer4", classIndex: 1)) {
            try NearestClassCenterAgreement(statistics: s, classifier: Classifier(weight: Matrix(rows: 3, cols: 2)))
        }
    }

    @Test func labelOutOfRangeNamesTheSample() throws {
        var s = try ClassStatistics(classes: 2, dimension: 2, layer: "penultimate")
        try s.add(rows: z.rows(0..<2), labels: [0, 1])
        // The sample index counts from the first row the statistics saw: batch offset 2 + row 1.
        #expect(throws: CollapseError.labelOutOfRange(layer: "penultimate", sample: 3, label: 2, classes: 2)) {
            try s.add(rows: z.rows(2..<4), labels: [1, 2])
        }
        #expect(throws: CollapseError.labelOutOfRange(layer: "penultimate", sample: 2, label: -1, classes: 2)) {
            try s.add(rows: z.rows(2..<4), labels: [-1, 0])
        }
        // A rejected batch leaves the statistics untouched.
        #expect(s.sampleCount == 2)
    }

    @Test func nonFiniteNamesTheFirstBadRow() throws {
        var s = try ClassStatistics(classes: 2, dimension: 3, layer: "block2")
        try s.add(rows: Matrix<Float>(rows: 5, cols: 3, repeating: 1), labels: [0, 1, 0, 1, 0])
        var bad = Matrix<Float>(rows: 4, cols: 3, repeating: 2)
        bad[2, 1] = .nan
        bad[3, 0] = .infinity
        #expect(throws: CollapseError.nonFinite(layer: "block2", sample: 7, feature: 1)) {
            try s.add(rows: bad, labels: [0, 1, 0, 1])
        }
        #expect(s.sampleCount == 5)
        // Columns layout: the sample is the column.
        var h = Matrix<Double>(rows: 3, cols: 6, repeating: 1)
        h[2, 4] = -.infinity
        h[0, 5] = .nan
        #expect(throws: CollapseError.nonFinite(layer: "level2", sample: 4, feature: 2)) {
            try ClassStatistics(columns: h, classes: 2, layer: "level2")
        }
    }

    @Test func overflowIsReported() throws {
        var s = try ClassStatistics(classes: 2, dimension: 1)
        #expect(throws: CollapseError.overflow(layer: "features")) {
            try s.add(rows: Matrix<Double>([[1e308], [1e308], [1e308], [0]]), labels: [0, 0, 0, 1])
        }
        // Finite sums but squares that overflow: caught when the metrics are computed.
        var t = try ClassStatistics(classes: 2, dimension: 1)
        try t.add(rows: Matrix<Double>([[1e200], [-1e200], [0], [1]]), labels: [0, 0, 1, 1])
        #expect(throws: CollapseError.overflow(layer: "features")) { try NCMetrics.compute(t) }
    }

    @Test func mismatchedLengthsAndShapes() throws {
        var s = try ClassStatistics(classes: 2, dimension: 2, layer: "x")
        #expect(throws: CollapseError.lengthMismatch(layer: "x", what: "labels for a batch of 6 rows", expected: 6, found: 5)) {
            try s.add(rows: z, labels: [0, 1, 0, 1, 0])
        }
        #expect(throws: CollapseError.shapeMismatch(layer: "x", what: "feature batch", expected: "N_b×2", found: "2×3")) {
            try s.add(rows: Matrix<Double>(rows: 2, cols: 3), labels: [0, 1])
        }
        let five = [Float](repeating: 0, count: 5)
        #expect(throws: CollapseError.self) { try five.withUnsafeBufferPointer { try s.add(rowMajor: $0, labels: [0, 1]) } }
        // N = 7 is not K·n for K = 2.
        #expect(throws: CollapseError.lengthMismatch(layer: "features", what: "samples N = K·n in class-major order (K = 2)", expected: 6, found: 7)) {
            try ClassStatistics(columns: Matrix<Double>(rows: 2, cols: 7), classes: 2)
        }
        #expect(throws: CollapseError.self) { try s.merge(try ClassStatistics(classes: 3, dimension: 2)) }
    }

    @Test func badClassifierOrWeight() throws {
        var s = try ClassStatistics(classes: 2, dimension: 2, layer: "x")
        try s.add(rows: z, labels: [0, 1, 0, 1, 0, 1])
        #expect(throws: CollapseError.shapeMismatch(layer: "x", what: "classifier weight W", expected: "2×2 (K×d)", found: "3×2")) {
            try NCMetrics.compute(s, classifier: Classifier(weight: Matrix(rows: 3, cols: 2)))
        }
        #expect(throws: CollapseError.lengthMismatch(layer: "x", what: "classifier bias b (one entry per class)", expected: 2, found: 1)) {
            try NCMetrics.compute(s, classifier: Classifier(weight: Matrix(rows: 2, cols: 2), bias: [0]))
        }
        var w = Matrix<Double>(rows: 2, cols: 2, repeating: 1)
        w[1, 1] = .nan
        #expect(throws: CollapseError.nonFiniteParameter(layer: "x", what: "classifier weight W")) {
            try NCMetrics.compute(s, classifier: Classifier(weight: w))
        }
        #expect(throws: CollapseError.nonFiniteParameter(layer: "x", what: "classifier bias b")) {
            try NCMetrics.compute(s, classifier: Classifier(weight: Matrix(rows: 2, cols: 2), bias: [0, .infinity]))
        }
        #expect(throws: CollapseError.shapeMismatch(layer: "x", what: "weight W_l", expected: "m×2", found: "4×3")) {
            try NCMetrics.compute(s, weight: Matrix(rows: 4, cols: 3))
        }
    }

    @Test func errorMessagesNameTheProblem() {
        #expect(CollapseError.emptyClass(layer: "fc", classIndex: 3).description.contains("class 3"))
        #expect(CollapseError.nonFinite(layer: "fc", sample: 17, feature: 2).description.contains("row) 17"))
        #expect(CollapseError.labelOutOfRange(layer: "fc", sample: 4, label: 10, classes: 10).description.contains("outside 0…9"))
    }
}
