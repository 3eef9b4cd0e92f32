import Formats
import Linalg
import Testing
@testable import UFM

@Suite struct ParametersTests {
    let spec = ModelSpec(classes: 3, perClass: 2, widths: [4, 5], activation: .relu, loss: .mse, bias: true, lambdaH: 0.1, lambdaW: [0.1])

    @Test func layoutIsH1ThenWeightsThenBias() {
        let l = ParameterLayout(spec: spec)
        #expect(l.blocks.map(\.name) == ["H1", "W1", "W2", "b"])
        #expect(l.h1.rows == 4 && l.h1.cols == 6)
        #expect(l.w(1).rows == 5 && l.w(1).cols == 4 && l.w(1).offset == 24)
        #expect(l.w(2).rows == 3 && l.w(2).cols == 5 && l.w(2).offset == 44)
        #expect(l.bias?.offset == 59 && l.count == 62)
    }

    @Test func arraysRoundTrip() throws {
        let p = UFMParameters.random(spec: spec, seed: 1, scale: 1)
        let arrays = p.arrays()
        #expect(arrays.map(\.0) == ["H1", "W1", "W2", "b"])
        #expect(arrays[0].1.shape == [4, 6] && arrays[3].1.shape == [3])
        #expect(try UFMParameters(spec: spec, arrays: arrays) == p)
        // float32 arrays are widened; a K×1 bias is accepted.
        var f32 = arrays.map { ($0.0, NDArray(shape: $0.1.shape, data: .float32($0.1.floats))) }
        f32[3].1 = NDArray(shape: [3, 1], data: .float32(arrays[3].1.floats))
        #expect(try UFMParameters(spec: spec, arrays: f32).values == p.values.map { Double(Float($0)) })
    }

    @Test func errorsNameTheArray() throws {
        let good = UFMParameters.random(spec: spec, seed: 1, scale: 1).arrays()
        var missing = good; missing.remove(at: 1)
        #expect(throws: UFMError.missingArray(name: "W1", expectedShape: [5, 4], available: ["H1", "W2", "b"])) {
            try UFMParameters(spec: spec, arrays: missing)
        }
        var transposed = good; transposed[0].1 = NDArray(shape: [6, 4], data: good[0].1.data)
        #expect(throws: UFMError.arrayShape(name: "H1", found: [6, 4], expected: [4, 6])) {
            try UFMParameters(spec: spec, arrays: transposed)
        }
        var ints = good; ints[2].1 = NDArray(shape: [3, 5], data: .int64(Array(repeating: 1, count: 15)))
        #expect(throws: UFMError.self) { try UFMParameters(spec: spec, arrays: ints) }
        var nan = good; nan[3].1 = NDArray([1, .nan, 2])
        #expect(throws: UFMError.self) { try UFMParameters(spec: spec, arrays: nan) }
        let noBias = ModelSpec(classes: 3, perClass: 2, widths: [4, 5], lambdaH: 0.1, lambdaW: [0.1])
        #expect(throws: UFMError.unexpectedArray(name: "b", reason: "the config has model.bias = false; set it to true or remove 'b'")) {
            try UFMParameters(spec: noBias, arrays: good)
        }
        let shallow = ModelSpec(classes: 3, perClass: 2, widths: [4], lambdaH: 0.1, lambdaW: [0.1])
        let deepArrays = UFMParameters.random(spec: ModelSpec(classes: 3, perClass: 2, widths: [4, 3], lambdaH: 0.1, lambdaW: [0.1]), seed: 1, scale: 1).arrays()
        do {
            _ = try UFMParameters(spec: shallow, arrays: deepArrays)
            Issue.record("accepted")
        } catch let e as UFMError {
            // W1 is 3×4 in the deeper model but K×d_1 = 3×4 here too; W2 is the surplus.
            #expect(e.description.contains("W2"))
        }
        let msg = UFMError.arrayShape(name: "H1", found: [6, 4], expected: [4, 6]).description
        #expect(msg.contains("H1") && msg.contains("[6, 4]") && msg.contains("[4, 6]"))
    }

    @Test func randomInitIsSeededAndScaled() {
        let a = UFMParameters.random(spec: spec, seed: 3, scale: 0.5)
        #expect(a == UFMParameters.random(spec: spec, seed: 3, scale: 0.5))
        #expect(a != UFMParameters.random(spec: spec, seed: 4, scale: 0.5))
        var rng = Xoshiro256StarStar(seed: 3)
        #expect(a.values[0] == 0.5 * rng.nextNormal())
    }
}
