import Foundation
import Formats
import Linalg
import Testing
@testable import Collapse

/// `collapse measure`'s file conventions (FeatureFilePlan) and the two-pass streaming measurement over
/// real `.npz` readers.
@Suite struct FeatureFileTests {
    typealias Info = FeatureFilePlan.ArrayInfo

    @Test func planFollowsFileOrderAndAssignsClassifiers() throws {
        let plan = try FeatureFilePlan.make([
            Info(name: "block3", shape: [10, 16], isFloatingPoint: true),
            Info(name: "labels", shape: [10], isFloatingPoint: false),
            Info(name: "weight.block3", shape: [7, 16], isFloatingPoint: true),
            Info(name: "penultimate", shape: [10, 4], isFloatingPoint: true),
            Info(name: "weight.penultimate", shape: [3, 4], isFloatingPoint: true),
            Info(name: "bias.penultimate", shape: [3], isFloatingPoint: true),
            Info(name: "logit_scale", shape: [10], isFloatingPoint: true),
        ], path: "f.npz")
        #expect(plan.samples == 10)
        #expect(plan.layers.map(\.name) == ["block3", "penultimate", "logit_scale"])
        #expect(plan.layers.map(\.dimension) == [16, 4, 1])
        #expect(plan.layers[0].weight == "weight.block3" && plan.layers[0].bias == nil)
        #expect(plan.layers[1].weight == "weight.penultimate" && plan.layers[1].bias == "bias.penultimate")
        #expect(plan.layers[2].weight == nil)
        // Plain weight/bias go to the LAST layer in file order — here the 1-D `logit_scale` (d = 1), whose
        // dimension does not match the 3×4 weight: an error, not a silent mismatch.
        #expect(throws: CollapseError.self) {
            try FeatureFilePlan.make([
                Info(name: "labels", shape: [10], isFloatingPoint: false),
                Info(name: "penultimate", shape: [10, 4], isFloatingPoint: true),
                Info(name: "logit_scale", shape: [10], isFloatingPoint: true),
                Info(name: "weight", shape: [3, 4], isFloatingPoint: true),
            ], path: "f.npz")
        }
        let simple = try FeatureFilePlan.make([
            Info(name: "labels", shape: [10], isFloatingPoint: false),
            Info(name: "penultimate", shape: [10, 4], isFloatingPoint: true),
            Info(name: "weight", shape: [3, 4], isFloatingPoint: true),
            Info(name: "bias", shape: [3], isFloatingPoint: true),
        ], path: "f.npz")
        #expect(simple.layers == [.init(name: "penultimate", dimension: 4, weight: "weight", bias: "bias")])
    }

    @Test func planRejectsBadFiles() {
        let labels = Info(name: "labels", shape: [10], isFloatingPoint: false)
        let x = Info(name: "x", shape: [10, 4], isFloatingPoint: true)
        func reason(_ arrays: [Info]) -> String? {
            do { _ = try FeatureFilePlan.make(arrays, path: "f.npz"); return nil } catch { return "\(error)" }
        }
        #expect(reason([x])?.contains("no array named 'labels' (the file has: x)") == true)
        #expect(reason([labels])?.contains("no feature arrays") == true)
        #expect(reason([labels, Info(name: "ids", shape: [10], isFloatingPoint: false)])?.contains("'ids' is an integer array") == true)
        #expect(reason([labels, Info(name: "maps", shape: [10, 2, 2], isFloatingPoint: true)])?.contains("reshape") == true)
        #expect(reason([Info(name: "labels", shape: [10, 2], isFloatingPoint: false), x])?.contains("'labels' has shape") == true)
        #expect(reason([labels, x, Info(name: "weight.y", shape: [3, 4], isFloatingPoint: true)])?.contains("'weight.y' matches no layer") == true)
        #expect(reason([labels, x, Info(name: "bias", shape: [3], isFloatingPoint: true)])?.contains("without a weight") == true)
        #expect(reason([labels, x, Info(name: "weight", shape: [4, 3], isFloatingPoint: true)])?.contains("expected m×4") == true)
        #expect(throws: CollapseError.lengthMismatch(layer: "x", what: "feature rows vs the 9 labels", expected: 9, found: 10)) {
            try FeatureFilePlan.make([Info(name: "labels", shape: [9], isFloatingPoint: false), x], path: "f.npz")
        }
    }

    @Test func labelsAndClasses() throws {
        #expect(try FeatureFilePlan.labels(integers: nil, floats: [0, 2, 1], path: "f") == [0, 2, 1])
        #expect(throws: CollapseError.self) { try FeatureFilePlan.labels(integers: nil, floats: [0, 0.5], path: "f") }
        #expect(try FeatureFilePlan.classes(of: [0, 2, 1, 2]) == 3)
        #expect(throws: CollapseError.tooFewClasses(layer: "labels", classes: 1)) { try FeatureFilePlan.classes(of: [0, 0, 0]) }
        #expect(throws: CollapseError.emptyClass(layer: "labels", classIndex: 1)) { try FeatureFilePlan.classes(of: [0, 2, 0, 2]) }
        #expect(throws: CollapseError.emptyClass(layer: "labels", classIndex: 3)) { try FeatureFilePlan.classes(of: [0, 1, 2], requested: 4) }
        #expect(throws: CollapseError.labelOutOfRange(layer: "labels", sample: 1, label: 5, classes: 3)) {
            try FeatureFilePlan.classes(of: [0, 5, 1, 2], requested: 3)
        }
        #expect(throws: CollapseError.labelOutOfRange(layer: "labels", sample: 2, label: -1, classes: 2)) {
            try FeatureFilePlan.classes(of: [0, 1, -1])
        }
    }

    func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("collapse-tests-\(getpid())-\(name)")
    }

    @Test func streamingFromNPZMatchesInMemory() throws {
        let h = classMajorFeatures(classes: 4, perClass: 25, dimension: 6, offset: 20, seed: 31)
        var rng = Xoshiro256StarStar(seed: 8)
        let (rows, labels) = shuffledRows(h, perClass: 25, permutation: rng.permutation(100))
        let w: Matrix<Double> = rng.normalMatrix(rows: 4, cols: 6, standardDeviation: 1)
        let clf = Classifier(weight: w, bias: [0.1, 0, -0.1, 0.2])
        let url = temporaryURL("stream.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try NPZ.write([("labels", NDArray(labels: labels)), ("f32", NDArray(rows.converted(to: Float.self))), ("f64", NDArray(rows))],
                      to: url, compressed: true)
        let reference = try NCMetrics.measure(rows: rows, labels: labels, classes: 4, classifier: clf)
        for member in ["f32", "f64"] {
            let reader = try NPYRowReader(npz: url, member: member)
            let run = { (batch: Int) throws -> LevelMetrics in
                if member == "f32" {
                    return try NCMetrics.measure(layer: member, rows: reader.rows, dimension: reader.cols, labels: labels, classes: 4,
                                                 as: Float.self, classifier: clf, batchRows: batch) { try reader.forEachBatch(maxRows: $0, as: Float.self, $1) }
                }
                return try NCMetrics.measure(layer: member, rows: reader.rows, dimension: reader.cols, labels: labels, classes: 4,
                                             as: Double.self, classifier: clf, batchRows: batch) { try reader.forEachBatch(maxRows: $0, as: Double.self, $1) }
            }
            for batch in [7, 100, 4096] {
                let m = try run(batch)
                #expect(m.names == reference.names)
                // float32 storage rounds the features, so compare f32 to its own in-memory Float result.
                let expected = member == "f64" ? reference
                    : try NCMetrics.measure(rows: rows.converted(to: Float.self), labels: labels, classes: 4, classifier: clf)
                for (a, b) in zip(m.scalars, expected.scalars) { #expect(close(a.value, b.value, 1e-10), "\(member) \(batch): \(a.name)") }
            }
        }
    }

    @Test func streamingErrorsNameRowAndLength() throws {
        var z = Matrix<Float>(rows: 9, cols: 2, repeating: 1)
        z[6, 1] = .infinity
        let labels = [0, 1, 0, 1, 0, 1, 0, 1, 0]
        let url = temporaryURL("bad.npz")
        defer { try? FileManager.default.removeItem(at: url) }
        try NPZ.write([("labels", NDArray(labels: labels)), ("layer2", NDArray(z))], to: url)
        let reader = try NPYRowReader(npz: url, member: "layer2")
        // Row 6 sits in the second batch of 4: the index is global.
        #expect(throws: CollapseError.nonFinite(layer: "layer2", sample: 6, feature: 1)) {
            try NCMetrics.measure(layer: "layer2", rows: reader.rows, dimension: 2, labels: labels, classes: 2, as: Float.self,
                                  batchRows: 4) { try reader.forEachBatch(maxRows: $0, as: Float.self, $1) }
        }
        #expect(throws: CollapseError.lengthMismatch(layer: "layer2", what: "feature rows vs labels", expected: 8, found: 9)) {
            try NCMetrics.measure(layer: "layer2", rows: reader.rows, dimension: 2, labels: Array(labels.prefix(8)), classes: 2,
                                  as: Float.self) { try reader.forEachBatch(maxRows: $0, as: Float.self, $1) }
        }
    }

    @Test func referenceInputsNPZStreamedMatchNumPy() throws {
        // The .npz written by make_reference.py, streamed member by member, against reference.json.
        let url = try #require(Bundle.module.url(forResource: "reference_inputs", withExtension: "npz", subdirectory: "Fixtures"))
        for c in try ReferenceTests.loadCases() {
            let labels = try #require(try NPZ.member("\(c.name)/labels", in: url).integers)
            #expect(labels == c.labels)
            let w = try NPZ.member("\(c.name)/weight", in: url).matrix(name: "weight")
            let b = try NPZ.member("\(c.name)/bias", in: url).doubles
            let wl = try NPZ.member("\(c.name)/layer_weight", in: url).matrix(name: "layer_weight")
            let reader = try NPYRowReader(npz: url, member: "\(c.name)/features")
            let m = try NCMetrics.measure(layer: c.name, rows: reader.rows, dimension: reader.cols, labels: labels, classes: c.classes,
                                          as: Double.self, classifier: Classifier(weight: w, bias: b), weight: wl, batchRows: 5) {
                try reader.forEachBatch(maxRows: $0, as: Double.self, $1)
            }
            for (name, expected) in c.scalars { #expect(close(m[name]!, expected, 1e-9), "\(c.name): \(name)") }
        }
    }
}
