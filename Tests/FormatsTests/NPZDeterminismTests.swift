import Foundation
import Testing
@testable import Formats

@Suite struct NPZDeterminismTests {
    /// The same arrays give the same file bytes whenever they are written (fixed member timestamps),
    /// which is what makes a run's params.npz comparable bit for bit.
    @Test(arguments: [false, true]) func sameArraysSameBytes(compressed: Bool) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npz-det-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let arrays: [(name: String, array: NDArray)] = [("H1", NDArray([1.5, -2, 3])), ("labels", NDArray(labels: [0, 1, 1]))]
        let a = dir.appendingPathComponent("a.npz"), b = dir.appendingPathComponent("b.npz")
        try NPZ.write(arrays, to: a, compressed: compressed)
        sleep(2)  // a timestamp-dependent writer would now differ (ZIP times have a 2 s resolution)
        try NPZ.write(arrays, to: b, compressed: compressed)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
    }
}
