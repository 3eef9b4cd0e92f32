import Foundation
import Linalg
import Testing
@testable import Collapse

/// Every metric against an independent NumPy/SciPy implementation (Fixtures/make_reference.py: d×d
/// pseudo-inverse of Σ_B, direct distances, scipy.linalg.subspace_angles).
@Suite struct ReferenceTests {
    struct Case {
        var name: String
        var classes: Int
        var features: Matrix<Double>
        var labels: [Int]
        var classifier: Classifier
        var layerWeight: Matrix<Double>
        var scalars: [String: Double]
        var vectors: [String: [Double]]
    }

    static func loadCases() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "reference", withExtension: "json", subdirectory: "Fixtures"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try #require(root["cases"] as? [String: Any])
        func matrix(_ v: Any?) throws -> Matrix<Double> { Matrix(try #require(v as? [[Double]])) }
        return try cases.keys.sorted().map { name in
            let c = try #require(cases[name] as? [String: Any])
            let scalars = try #require(c["scalars"] as? [String: Double])
            let vectors = try #require(c["vectors"] as? [String: [Double]])
            return Case(name: name, classes: try #require(c["classes"] as? Int), features: try matrix(c["features"]),
                        labels: try #require(c["labels"] as? [Int]),
                        classifier: Classifier(weight: try matrix(c["weight"]), bias: try #require(c["bias"] as? [Double])),
                        layerWeight: try matrix(c["layer_weight"]), scalars: scalars, vectors: vectors)
        }
    }

    @Test func metricsMatchNumPy() throws {
        let cases = try Self.loadCases()
        #expect(cases.count == 2)
        for c in cases {
            // Streamed in two uneven batches, NC4 in a second pass.
            var s = try ClassStatistics(classes: c.classes, dimension: c.features.cols, layer: c.name)
            let cut = c.features.rows / 3
            try s.add(rows: c.features.rows(0..<cut), labels: c.labels[0..<cut])
            try s.add(rows: c.features.rows(cut..<c.features.rows).converted(to: Double.self), labels: c.labels[cut...])
            var pass2 = try NearestClassCenterAgreement(statistics: s, classifier: c.classifier)
            try pass2.add(rows: c.features)
            let m = try NCMetrics.compute(s, classifier: c.classifier, weight: c.layerWeight, nc4: pass2.value)
            #expect(Set(m.names) == Set(c.scalars.keys), "\(c.name): names")
            for (name, expected) in c.scalars {
                let got = try #require(m[name], "\(c.name): \(name) missing")
                // alignment_sin2 is a mean of sin² ∈ [0, 1]: an exact 0 is compared on that absolute scale.
                let ok = name == "alignment_sin2" ? abs(got - expected) <= 1e-12 : close(got, expected, 1e-9)
                #expect(ok, "\(c.name): \(name) = \(got), NumPy \(expected)")
            }
            for (name, expected) in c.vectors {
                let got = try #require(m.vector(name), "\(c.name): \(name) missing")
                #expect(got.count == expected.count, "\(c.name): \(name) length")
                // Zero eigenvalues differ in their round-off; compare relative to the largest entry.
                #expect(relativeError(got, expected) < 1e-9, "\(c.name): \(name) = \(got), NumPy \(expected)")
            }
        }
    }
}
