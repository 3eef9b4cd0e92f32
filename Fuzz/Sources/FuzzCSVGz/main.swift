import Foundation
import Formats
import FuzzSupport

/// The MNIST 5k CSV (gzip or plain): 784 pixels 0–255 and a label 0–9 per line. A result has 784 pixels
/// per label, every label in range.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVGz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let url = inputFile(bytes(start, count), suffix: ".csv.gz")
    do {
        let d = try MNIST5k.read(url)
        expect(d.images.rows == d.labels.count && d.images.cols == 784, "\(d.images.rows)×\(d.images.cols) for \(d.labels.count) labels")
        expect(d.labels.allSatisfy { (0..<10).contains($0) }, "a label outside 0–9")
    } catch { expectClean(error) }
    return 0
}

/// The executable's entry point (SwiftPM names it `FuzzCSVGz_main`): libFuzzer's driver on `fuzzCSVGz`.
@_cdecl("FuzzCSVGz_main")
public func FuzzCSVGzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzCSVGz(nonNull(data), size) }
}
